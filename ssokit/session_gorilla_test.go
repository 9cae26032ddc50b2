package ssokit_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gorilla/sessions"
)

// TestGorillaSessionsFixation: a session planted before login (with a
// value of the attacker's) is not the session after login: the cookie
// changes, the old server record is gone, the pre-login value is gone.
func TestGorillaSessionsFixation(t *testing.T) {
	hashKey := []byte("0123456789abcdef0123456789abcdef")
	stores := map[string]func(t *testing.T) (sessions.Store, func(id string) bool){
		"cookie": func(t *testing.T) (sessions.Store, func(string) bool) {
			return sessions.NewCookieStore(hashKey), nil
		},
		"filesystem": func(t *testing.T) (sessions.Store, func(string) bool) {
			dir := t.TempDir()
			return sessions.NewFilesystemStore(dir, hashKey), func(id string) bool {
				_, err := os.Stat(filepath.Join(dir, "session_"+id))
				return err == nil
			}
		},
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			store, exists := mk(t)
			bridge, err := ssokit.NewGorillaSessions(store, "app")
			if err != nil {
				t.Fatal(err)
			}
			// The attacker's pre-login session.
			var planted *http.Cookie
			var plantedID string
			{
				w := httptest.NewRecorder()
				r := httptest.NewRequest("GET", "/", nil)
				s, _ := store.Get(r, "app")
				s.Values["cart"] = "attacker"
				if err := s.Save(r, w); err != nil {
					t.Fatal(err)
				}
				planted = w.Result().Cookies()[0]
				plantedID = s.ID
			}
			w := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "/auth/callback", nil)
			r.AddCookie(planted)
			login := &ssokit.Session{ID: "sid1", UserID: "user-1", OrganizationID: "org1", ConnectionID: "conn_1",
				ConnectionType: ssokit.ConnectionOIDC, AuthTime: time.Unix(1700000000, 0), ExpiresAt: time.Now().Add(time.Hour)}
			if err := bridge.LogIn(w, r, login); err != nil {
				t.Fatal(err)
			}
			var after *http.Cookie
			for _, c := range w.Result().Cookies() {
				if c.Name == "app" {
					if after != nil {
						t.Fatal("two app cookies set")
					}
					after = c
				}
			}
			if after == nil || after.Value == planted.Value || after.MaxAge <= 0 {
				t.Fatalf("cookie after login = %+v, planted %q", after, planted.Value)
			}
			if exists != nil && exists(plantedID) {
				t.Error("the pre-login server-side session still exists")
			}
			r2 := httptest.NewRequest("GET", "/", nil)
			r2.AddCookie(after)
			got, err := bridge.Current(r2)
			if err != nil {
				t.Fatal(err)
			}
			if got.UserID != "user-1" || got.ConnectionID != "conn_1" || !got.AuthTime.Equal(login.AuthTime) {
				t.Errorf("Current = %+v", got)
			}
			s2, _ := store.Get(r2, "app")
			if _, ok := s2.Values["cart"]; ok {
				t.Error("pre-login value survived login")
			}
			// Logout clears it.
			w3 := httptest.NewRecorder()
			r3 := httptest.NewRequest("POST", "/logout", nil)
			r3.AddCookie(after)
			if err := bridge.LogOut(w3, r3); err != nil {
				t.Fatal(err)
			}
			cs := w3.Result().Cookies()
			if len(cs) != 1 || cs[0].MaxAge >= 0 {
				t.Fatalf("logout cookies = %+v", cs)
			}
			if _, err := bridge.Current(httptest.NewRequest("GET", "/", nil)); !errors.Is(err, ssokit.ErrNoSession) {
				t.Errorf("Current without cookie = %v", err)
			}
		})
	}
}
