package sessionstore_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gatehouse-go/gatehouse/ssokit"
)

// TestSSOKitBridge runs ssokit's gorilla bridge over a Store through real
// HTTP: LogIn renews the id (the pre-login record is deleted, its values
// are gone, the planted cookie finds nothing: item 126), Current reads the
// login back, LogOut revokes it (the replayed cookie finds nothing: item
// 131).
func TestSSOKitBridge(t *testing.T) {
	store, backend := newStore(t, sessionstore.Config{})
	bridge, err := ssokit.NewGorillaSessions(store, cookieName)
	if err != nil {
		t.Fatal(err)
	}
	expires := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	mux := http.NewServeMux()
	host := app(store, cookieName)
	mux.Handle("/set", host)
	mux.Handle("/get", host)
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		err := bridge.LogIn(w, r, &ssokit.Session{ID: "sid_1", UserID: "user_1", OrganizationID: "org_1",
			ConnectionID: "conn_1", ConnectionType: ssokit.ConnectionOIDC, Provider: "okta",
			AuthTime: time.Unix(1700000000, 0), ExpiresAt: expires, IDToken: "header.payload.sig"})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		s, err := bridge.Current(r)
		if errors.Is(err, ssokit.ErrNoSession) {
			http.Error(w, "signed out", http.StatusUnauthorized)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if s.OrganizationID != "org_1" || s.ConnectionID != "conn_1" || s.ConnectionType != ssokit.ConnectionOIDC ||
			s.IDToken != "header.payload.sig" || !s.ExpiresAt.Equal(expires) || s.AuthTime.Unix() != 1700000000 {
			http.Error(w, "session read back wrong", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte(s.UserID))
	})
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		if err := bridge.LogOut(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	b := newBrowser(t, srv)
	me := func(b *browser) (int, string) {
		t.Helper()
		resp, err := b.client.Get(srv.URL + "/me")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf [256]byte
		n, _ := resp.Body.Read(buf[:])
		return resp.StatusCode, string(buf[:n])
	}
	post := func(path string) *http.Response {
		t.Helper()
		resp, err := b.client.Post(srv.URL+path, "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %s", path, resp.Status)
		}
		return resp
	}

	// The attacker's planted session, with a value of theirs.
	planted, _ := b.get("/set?cart=attacker")
	plantedCookie := b.cookie(cookieName)
	if code, _ := me(b); code != http.StatusUnauthorized {
		t.Fatalf("before login /me = %d", code)
	}

	resp := post("/login")
	var set []*http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == cookieName {
			set = append(set, c)
		}
	}
	if len(set) != 1 || set[0].MaxAge <= 0 || !set[0].HttpOnly || !set[0].Secure || set[0].SameSite != http.SameSiteLaxMode {
		t.Fatalf("login cookies = %+v, want one live session cookie with the Store's flags", set)
	}
	after, _ := b.get("/get")
	if after.New || after.ID == "" || after.ID == planted.ID || after.Values["cart"] != "" {
		t.Fatalf("after login = %+v; planted session %s: want a fresh id without the planted value", after, planted.ID)
	}
	if _, found, _ := backend.Find(t.Context(), planted.ID); found {
		t.Fatal("the pre-login record survived login")
	}
	if code, body := me(b); code != http.StatusOK || body != "user_1" {
		t.Fatalf("/me = %d %q", code, body)
	}
	attacker := newBrowser(t, srv)
	attacker.setCookie(cookieName, plantedCookie)
	if code, _ := me(attacker); code != http.StatusUnauthorized {
		t.Fatalf("the planted cookie after the victim's login: /me = %d, want 401", code)
	}

	stolen := b.cookie(cookieName)
	post("/logout")
	if code, _ := me(b); code != http.StatusUnauthorized {
		t.Fatalf("after logout /me = %d", code)
	}
	if _, found, _ := backend.Find(t.Context(), after.ID); found {
		t.Fatal("the session record survived logout")
	}
	thief := newBrowser(t, srv)
	thief.setCookie(cookieName, stolen)
	if code, _ := me(thief); code != http.StatusUnauthorized {
		t.Fatalf("replayed cookie after logout: /me = %d, want 401", code)
	}
	// Logging out again, with no session, is a no-op.
	post("/logout")
}
