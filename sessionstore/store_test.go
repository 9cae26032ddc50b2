package sessionstore_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// TestValuesAcrossRequests: values set in one request are there in the
// next; the cookie carries the id only, not the values.
func TestValuesAcrossRequests(t *testing.T) {
	store, backend := newStore(t, sessionstore.Config{})
	srv := httptest.NewTLSServer(app(store, cookieName))
	defer srv.Close()
	b := newBrowser(t, srv)

	first, _ := b.get("/get")
	if !first.New || first.ID != "" || len(first.Values) != 0 || first.GetError != "" {
		t.Fatalf("first visit = %+v, want a new empty session", first)
	}
	set, _ := b.get("/set?user=alice&secret=s3cr3t")
	if set.SaveErr != "" || len(set.ID) != 43 {
		t.Fatalf("set = %+v", set)
	}
	got, _ := b.get("/get")
	if got.New || got.ID != set.ID || got.Values["user"] != "alice" {
		t.Fatalf("second visit = %+v, want session %s with user=alice", got, set.ID)
	}
	if c := b.cookie(cookieName); c == "" || strings.Contains(c, "alice") || strings.Contains(c, "s3cr3t") {
		t.Fatalf("cookie %q: want a signed id only", c)
	}
	if _, found, _ := backend.Find(t.Context(), set.ID); !found {
		t.Fatal("no server record for the session")
	}
	// Another browser does not see it.
	other, _ := newBrowser(t, srv).get("/get")
	if !other.New || len(other.Values) != 0 {
		t.Fatalf("other browser = %+v", other)
	}
}

// TestTamperedCookie: a cookie changed in any way is refused: the request
// gets a new, empty session and an error wrapping ErrInvalidCookie.
func TestTamperedCookie(t *testing.T) {
	store, _ := newStore(t, sessionstore.Config{})
	srv := httptest.NewTLSServer(app(store, cookieName))
	defer srv.Close()
	b := newBrowser(t, srv)
	b.get("/set?user=alice")
	good := b.cookie(cookieName)

	tests := []struct {
		name  string
		value string
	}{
		{"one character changed", flip(good, len(good)/2)},
		{"last character changed", flip(good, len(good)-1)},
		{"truncated", good[:len(good)-4]},
		{"empty", ""},
		{"not base64", "!!!!"},
		{"signed by another key", encode(t, otherKey, cookieName, "")},
		{"signed for another cookie name", encode(t, testHashKey, "other", "")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b.setCookie(cookieName, tc.value)
			got, _ := b.get("/get")
			if !got.New || got.ID != "" || len(got.Values) != 0 {
				t.Fatalf("session = %+v, want a new empty one", got)
			}
			if tc.value != "" && !got.InvalidCookie {
				t.Fatalf("Get error %q, want ErrInvalidCookie", got.GetError)
			}
		})
	}
	b.setCookie(cookieName, good)
	if got, _ := b.get("/get"); got.Values["user"] != "alice" {
		t.Fatalf("the untouched cookie no longer works: %+v", got)
	}
}

// encode signs value (a fresh id when empty) as a cookie name with key.
func encode(t *testing.T, key []byte, name, value string) string {
	t.Helper()
	if value == "" {
		value = strings.Repeat("A", 43)
	}
	v, err := securecookie.EncodeMulti(name, value, securecookie.CodecsFromPairs(key)...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func flip(s string, i int) string {
	b := []byte(s)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// TestUnknownIDIsNotAdopted (item 126, fixation): a correctly signed cookie
// for an id the backend does not hold, such as an attacker's own choice or
// an expired session, yields a new session, and saving it picks a fresh id.
func TestUnknownIDIsNotAdopted(t *testing.T) {
	store, backend := newStore(t, sessionstore.Config{})
	srv := httptest.NewTLSServer(app(store, cookieName))
	defer srv.Close()
	b := newBrowser(t, srv)
	chosen := "attackerchosenid-attackerchosenid-attacker1"
	b.setCookie(cookieName, encode(t, testHashKey, cookieName, chosen))
	got, _ := b.get("/get")
	if !got.New || got.ID != "" || got.GetError != "" {
		t.Fatalf("session = %+v, want a new one without error", got)
	}
	set, _ := b.get("/set?user=alice")
	if set.ID == chosen || set.ID == "" {
		t.Fatalf("saved under id %q, the client's choice was %q", set.ID, chosen)
	}
	if _, found, _ := backend.Find(t.Context(), chosen); found {
		t.Fatal("a record exists under the client-chosen id")
	}
	// A signed cookie whose payload is not an id is refused outright.
	b.setCookie(cookieName, encode(t, testHashKey, cookieName, "../../etc/passwd"))
	if got, _ := b.get("/get"); !got.InvalidCookie {
		t.Fatalf("malformed id: %+v, want ErrInvalidCookie", got)
	}
}

// TestRenew: Renew moves the values to a fresh id and deletes the old
// record, so the old cookie finds nothing.
func TestRenew(t *testing.T) {
	store, backend := newStore(t, sessionstore.Config{})
	srv := httptest.NewTLSServer(app(store, cookieName))
	defer srv.Close()
	b := newBrowser(t, srv)
	before, _ := b.get("/set?cart=3")
	oldCookie := b.cookie(cookieName)
	renewed, _ := b.get("/renew")
	if renewed.SaveErr != "" || renewed.ID == "" || renewed.ID == before.ID || renewed.Values["cart"] != "3" {
		t.Fatalf("renewed = %+v, before %+v", renewed, before)
	}
	if b.cookie(cookieName) == oldCookie {
		t.Fatal("the cookie did not change")
	}
	if _, found, _ := backend.Find(t.Context(), before.ID); found {
		t.Fatal("the old record still exists")
	}
	if got, _ := b.get("/get"); got.ID != renewed.ID || got.Values["cart"] != "3" {
		t.Fatalf("after renewal = %+v", got)
	}
	replay := newBrowser(t, srv)
	replay.setCookie(cookieName, oldCookie)
	if got, _ := replay.get("/get"); !got.New || len(got.Values) != 0 {
		t.Fatalf("old cookie after renewal = %+v, want a new empty session", got)
	}
}

// TestLogoutRevokes (item 131): logout expires the cookie and deletes the
// server record; the old cookie, replayed by a thief, finds nothing.
func TestLogoutRevokes(t *testing.T) {
	store, backend := newStore(t, sessionstore.Config{})
	srv := httptest.NewTLSServer(app(store, cookieName))
	defer srv.Close()
	b := newBrowser(t, srv)
	in, _ := b.get("/set?user=alice")
	stolen := b.cookie(cookieName)

	out, resp := b.get("/logout")
	if out.SaveErr != "" {
		t.Fatal(out.SaveErr)
	}
	var cleared *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == cookieName {
			cleared = c
		}
	}
	if cleared == nil || cleared.MaxAge >= 0 || cleared.Value != "" {
		t.Fatalf("logout cookie = %+v, want an expired empty cookie", cleared)
	}
	if b.cookie(cookieName) != "" {
		t.Fatal("the browser kept the cookie")
	}
	if _, found, _ := backend.Find(t.Context(), in.ID); found {
		t.Fatal("the server record survived logout")
	}
	thief := newBrowser(t, srv)
	thief.setCookie(cookieName, stolen)
	if got, _ := thief.get("/get"); !got.New || got.ID != "" || len(got.Values) != 0 {
		t.Fatalf("replayed cookie after logout = %+v, want a new empty session", got)
	}
}

// TestRevokeWinsOverConcurrentSave: a request that loaded the session
// before it was revoked elsewhere (Revoke, or an id renewal at login in
// another tab) cannot write it back when it saves, and sets no cookie that
// would clobber the browser's newer one.
func TestRevokeWinsOverConcurrentSave(t *testing.T) {
	tests := []struct {
		name      string
		elsewhere func(t *testing.T, store *sessionstore.Store, b *browser, id string)
		// wantLive: the browser still has a working session afterwards.
		wantLive bool
	}{
		{"Revoke", func(t *testing.T, store *sessionstore.Store, b *browser, id string) {
			for range 2 { // the second is a no-op
				if err := store.Revoke(t.Context(), id); err != nil {
					t.Fatal(err)
				}
			}
		}, false},
		{"renewal in another tab", func(t *testing.T, store *sessionstore.Store, b *browser, id string) {
			if got, _ := b.get("/renew"); got.SaveErr != "" {
				t.Fatal(got.SaveErr)
			}
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store, backend := newStore(t, sessionstore.Config{})
			srv := httptest.NewTLSServer(app(store, cookieName))
			defer srv.Close()
			b := newBrowser(t, srv)
			in, _ := b.get("/set?user=alice")

			// The slow request, in flight with the current cookie.
			r := httptest.NewRequest("GET", "/", nil)
			r.AddCookie(&http.Cookie{Name: cookieName, Value: b.cookie(cookieName)})
			sess, err := store.Get(r, cookieName)
			if err != nil || sess.ID != in.ID {
				t.Fatalf("Get = %v, %v", sess.ID, err)
			}
			tc.elsewhere(t, store, b, in.ID)

			sess.Values["late"] = "write"
			w := httptest.NewRecorder()
			if err := sess.Save(r, w); !errors.Is(err, sessionstore.ErrSessionGone) {
				t.Fatalf("Save = %v, want ErrSessionGone", err)
			}
			if _, found, _ := backend.Find(t.Context(), in.ID); found {
				t.Fatal("Save wrote the revoked session back")
			}
			if c := w.Result().Cookies(); len(c) != 0 {
				t.Fatalf("cookies = %+v, want none (the browser may hold a newer one)", c)
			}
			got, _ := b.get("/get")
			if live := !got.New && got.Values["user"] == "alice"; live != tc.wantLive {
				t.Fatalf("browser session afterwards = %+v, want live=%v", got, tc.wantLive)
			}
			if got.Values["late"] != "" {
				t.Fatal("the late write reached the session")
			}
		})
	}
}

// TestCookieFlags (item 129): HttpOnly, Secure, SameSite=Lax, Path=/, an
// explicit Max-Age, and the __Host- prefix's rules.
func TestCookieFlags(t *testing.T) {
	tests := []struct {
		name       string
		cfg        sessionstore.Config
		cookieName string
		want       http.Cookie
		wantErr    string
	}{
		{name: "defaults", cookieName: cookieName,
			want: http.Cookie{Path: "/", MaxAge: 12 * 3600, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}},
		{name: "HttpOnly and Secure cannot be turned off by Options",
			cfg:        sessionstore.Config{Options: sessions.Options{MaxAge: 600, SameSite: http.SameSiteStrictMode}},
			cookieName: "plain",
			want:       http.Cookie{Path: "/", MaxAge: 600, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode}},
		{name: "InsecureCookieOverHTTP", cfg: sessionstore.Config{InsecureCookieOverHTTP: true}, cookieName: "dev",
			want: http.Cookie{Path: "/", MaxAge: 12 * 3600, HttpOnly: true, Secure: false, SameSite: http.SameSiteLaxMode}},
		{name: "__Host- with a Domain", cfg: sessionstore.Config{Options: sessions.Options{Domain: "example.com"}},
			cookieName: cookieName, wantErr: "__Host-"},
		{name: "__Host- with a Path", cfg: sessionstore.Config{Options: sessions.Options{Path: "/app"}},
			cookieName: cookieName, wantErr: "__Host-"},
		{name: "__Secure- over HTTP", cfg: sessionstore.Config{InsecureCookieOverHTTP: true},
			cookieName: "__Secure-sid", wantErr: "__Secure-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store, _ := newStore(t, tc.cfg)
			r := httptest.NewRequest("GET", "https://example.com/", nil)
			w := httptest.NewRecorder()
			sess, err := store.Get(r, tc.cookieName)
			if err != nil {
				t.Fatal(err)
			}
			sess.Values["k"] = "v"
			err = sess.Save(r, w)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Save = %v, want an error about %s", err, tc.wantErr)
				}
				if len(w.Result().Cookies()) != 0 {
					t.Fatal("a cookie was set despite the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cs := w.Result().Cookies()
			if len(cs) != 1 {
				t.Fatalf("cookies = %+v", cs)
			}
			c := cs[0]
			if c.Name != tc.cookieName || c.Path != tc.want.Path || c.Domain != "" || c.MaxAge != tc.want.MaxAge ||
				c.HttpOnly != tc.want.HttpOnly || c.Secure != tc.want.Secure || c.SameSite != tc.want.SameSite {
				t.Fatalf("cookie = %+v\nwant      %+v", c, tc.want)
			}
		})
	}
}

// TestServerExpiry: the server record ends at MaxAge, whatever the cookie
// says; a browser-session cookie (MaxAge 0) still gets the Store's MaxAge
// on the server.
func TestServerExpiry(t *testing.T) {
	clk := &clock{t: time.Now()}
	store, _ := newStore(t, sessionstore.Config{Now: clk.Now, Options: sessions.Options{MaxAge: 3600}})
	for _, maxAge := range []int{600, 0} {
		r := httptest.NewRequest("GET", "https://example.com/", nil)
		w := httptest.NewRecorder()
		sess, _ := store.New(r, "s")
		sess.Options.MaxAge = maxAge
		sess.Values["k"] = "v"
		if err := sess.Save(r, w); err != nil {
			t.Fatal(err)
		}
		cookie := w.Result().Cookies()[0]
		life := time.Duration(maxAge) * time.Second
		if maxAge == 0 {
			life = time.Hour
		}
		load := func() *sessions.Session {
			r := httptest.NewRequest("GET", "https://example.com/", nil)
			r.AddCookie(cookie)
			s, err := store.New(r, "s")
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		clk.Add(life - time.Second)
		if s := load(); s.IsNew || s.Values["k"] != "v" {
			t.Fatalf("MaxAge %d: session gone before its expiry", maxAge)
		}
		clk.Add(time.Second)
		if s := load(); !s.IsNew || s.ID != "" {
			t.Fatalf("MaxAge %d: session alive at its expiry", maxAge)
		}
	}
}

// TestKeyRotation: with KeyPairs {new, old}, cookies signed by the old key
// still work and new cookies are signed by the new key; dropping the old
// key invalidates its cookies.
func TestKeyRotation(t *testing.T) {
	ctx := t.Context()
	oldStore, backend := newStore(t, sessionstore.Config{})
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	w := httptest.NewRecorder()
	sess, _ := oldStore.New(r, "s")
	sess.Values["k"] = "v"
	if err := sess.Save(r, w); err != nil {
		t.Fatal(err)
	}
	oldCookie := w.Result().Cookies()[0]

	with := func(keys ...[]byte) *sessionstore.Store {
		s, err := sessionstore.New(sessionstore.Config{Backend: backend, KeyPairs: keys})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	rotated := with(otherKey, nil, testHashKey, nil)
	r = httptest.NewRequest("GET", "https://example.com/", nil).WithContext(ctx)
	r.AddCookie(oldCookie)
	got, err := rotated.New(r, "s")
	if err != nil || got.IsNew || got.Values["k"] != "v" {
		t.Fatalf("old cookie under rotated keys: %+v, %v", got, err)
	}
	w = httptest.NewRecorder()
	if err := got.Save(r, w); err != nil {
		t.Fatal(err)
	}
	var id string
	if err := securecookie.DecodeMulti("s", w.Result().Cookies()[0].Value, &id, securecookie.CodecsFromPairs(otherKey)...); err != nil || id != got.ID {
		t.Fatalf("re-issued cookie not signed by the new key: %v", err)
	}
	r = httptest.NewRequest("GET", "https://example.com/", nil)
	r.AddCookie(oldCookie)
	if s, err := with(otherKey).New(r, "s"); !errors.Is(err, sessionstore.ErrInvalidCookie) || !s.IsNew {
		t.Fatalf("old cookie after the old key was dropped: %v, IsNew %v", err, s.IsNew)
	}
	var se securecookie.Error
	if _, err := with(otherKey).New(r, "s"); !errors.As(err, &se) || !se.IsDecode() {
		t.Fatalf("error %v does not unwrap to a securecookie decode error", err)
	}
}

// TestSerializers: gob keeps Go types (the default); JSON keeps JSON types.
func TestSerializers(t *testing.T) {
	tests := []struct {
		name string
		ser  sessionstore.Serializer
		in   map[any]any
		want map[any]any
	}{
		{"gob", nil, map[any]any{"s": "x", "n": int64(7), 3: true}, map[any]any{"s": "x", "n": int64(7), 3: true}},
		{"json", sessionstore.JSONSerializer{}, map[any]any{"s": "x", "n": 7}, map[any]any{"s": "x", "n": float64(7)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store, _ := newStore(t, sessionstore.Config{Serializer: tc.ser})
			r := httptest.NewRequest("GET", "https://example.com/", nil)
			w := httptest.NewRecorder()
			sess, _ := store.New(r, "s")
			sess.Values = tc.in
			if err := sess.Save(r, w); err != nil {
				t.Fatal(err)
			}
			r = httptest.NewRequest("GET", "https://example.com/", nil)
			r.AddCookie(w.Result().Cookies()[0])
			got, err := store.New(r, "s")
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Values) != len(tc.want) {
				t.Fatalf("Values = %#v, want %#v", got.Values, tc.want)
			}
			for k, v := range tc.want {
				if got.Values[k] != v {
					t.Fatalf("Values[%v] = %#v, want %#v", k, got.Values[k], v)
				}
			}
		})
	}
	if _, err := (sessionstore.JSONSerializer{}).Serialize(map[any]any{1: "x"}); err == nil {
		t.Fatal("JSONSerializer accepted a non-string key")
	}
}

// failing is a backend whose every call fails.
type failing struct{}

var errDown = errors.New("backend down")

func (failing) Find(context.Context, string) ([]byte, bool, error) { return nil, false, errDown }
func (failing) Commit(context.Context, string, []byte, time.Time) error {
	return errDown
}
func (failing) Delete(context.Context, string) error { return errDown }

// TestBackendErrors: backend failures reach the host wrapped, and Get still
// returns a usable new session.
func TestBackendErrors(t *testing.T) {
	store, err := sessionstore.New(sessionstore.Config{Backend: failing{}, KeyPairs: [][]byte{testHashKey}})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	r.AddCookie(&http.Cookie{Name: "s", Value: encode(t, testHashKey, "s", "")})
	sess, err := store.Get(r, "s")
	if sess == nil || !sess.IsNew || sess.ID != "" || !errors.Is(err, errDown) {
		t.Fatalf("Get = %+v, %v", sess, err)
	}
	if err := sess.Save(r, httptest.NewRecorder()); !errors.Is(err, errDown) || sess.ID != "" {
		t.Fatalf("Save = %v (ID %q), want errDown", err, sess.ID)
	}
	if err := store.Revoke(t.Context(), "x"); !errors.Is(err, errDown) {
		t.Fatalf("Revoke = %v", err)
	}
}

// TestNewConfig: New refuses a misconfiguration with the field's name.
func TestNewConfig(t *testing.T) {
	backend := failing{}
	tests := []struct {
		name    string
		cfg     sessionstore.Config
		wantErr string
	}{
		{"valid", sessionstore.Config{Backend: backend, KeyPairs: [][]byte{testHashKey}}, ""},
		{"valid with block key and rotation", sessionstore.Config{Backend: backend,
			KeyPairs: [][]byte{testHashKey, make([]byte, 32), otherKey}}, ""},
		{"valid codecs", sessionstore.Config{Backend: backend, Codecs: securecookie.CodecsFromPairs(testHashKey)}, ""},
		{"no backend", sessionstore.Config{KeyPairs: [][]byte{testHashKey}}, "Config.Backend"},
		{"no keys", sessionstore.Config{Backend: backend}, "Config.KeyPairs or Config.Codecs is required"},
		{"both", sessionstore.Config{Backend: backend, KeyPairs: [][]byte{testHashKey},
			Codecs: securecookie.CodecsFromPairs(testHashKey)}, "not both"},
		{"short hash key", sessionstore.Config{Backend: backend, KeyPairs: [][]byte{[]byte("short")}}, "Config.KeyPairs[0]: hash key of 5 bytes"},
		{"short rotated hash key", sessionstore.Config{Backend: backend, KeyPairs: [][]byte{testHashKey, nil, []byte("x")}}, "Config.KeyPairs[2]"},
		{"bad block key", sessionstore.Config{Backend: backend, KeyPairs: [][]byte{testHashKey, []byte("abc")}}, "Config.KeyPairs[1]: block key of 3 bytes"},
		{"nil codec", sessionstore.Config{Backend: backend, Codecs: []securecookie.Codec{nil}}, "Config.Codecs[0]"},
		{"negative MaxAge", sessionstore.Config{Backend: backend, KeyPairs: [][]byte{testHashKey},
			Options: sessions.Options{MaxAge: -1}}, "Config.Options.MaxAge"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sessionstore.New(tc.cfg)
			if tc.wantErr == "" {
				if err != nil || s == nil {
					t.Fatalf("New = %v, %v", s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "sessionstore: ") {
				t.Fatalf("New error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestCodecError: a cookie that cannot be signed (here: longer than the
// host's codec allows) fails Save and leaves no record behind.
func TestCodecError(t *testing.T) {
	sc := securecookie.New(testHashKey, nil)
	sc.MaxLength(20)
	store, backend := newStore(t, sessionstore.Config{Codecs: []securecookie.Codec{sc}})
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	w := httptest.NewRecorder()
	sess, _ := store.New(r, "s")
	sess.Values["k"] = "v"
	err := sess.Save(r, w)
	if err == nil || !strings.HasPrefix(err.Error(), "sessionstore: encode session cookie: ") {
		t.Fatalf("Save = %v, want a cookie encoding error", err)
	}
	if sess.ID != "" || backend.Len() != 0 || len(w.Result().Cookies()) != 0 {
		t.Fatalf("after a failed Save: ID %q, %d records, cookies %v", sess.ID, backend.Len(), w.Result().Cookies())
	}
}
