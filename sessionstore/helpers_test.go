package sessionstore_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/memstore"
)

var (
	testHashKey = []byte("0123456789abcdef0123456789abcdef")
	otherKey    = []byte("fedcba9876543210fedcba9876543210")
)

const cookieName = "__Host-sid"

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newStore returns a Store over a fresh memstore, with cfg's other fields.
func newStore(t *testing.T, cfg sessionstore.Config) (*sessionstore.Store, *memstore.Backend) {
	t.Helper()
	b, err := memstore.New(memstore.Config{Now: cfg.Now})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Backend = b
	if cfg.KeyPairs == nil && cfg.Codecs == nil {
		cfg.KeyPairs = [][]byte{testHashKey}
	}
	s, err := sessionstore.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, b
}

// reply is what the test app answers.
type reply struct {
	New      bool              `json:"new"`
	ID       string            `json:"id"`
	Values   map[string]string `json:"values"`
	GetError string            `json:"get_error"`
	SaveErr  string            `json:"save_error"`
	// InvalidCookie reports errors.Is(getErr, ErrInvalidCookie).
	InvalidCookie bool `json:"invalid_cookie"`
}

// app is a host handler over a Store:
//
//	/set?k=v   stores the query's values in the session
//	/get       reports the session
//	/renew     renews the session id
//	/logout    deletes the session (MaxAge -1)
func app(store *sessionstore.Store, name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := store.Get(r, name)
		out := reply{New: sess.IsNew, ID: sess.ID, Values: map[string]string{}}
		if err != nil {
			out.GetError = err.Error()
			out.InvalidCookie = errors.Is(err, sessionstore.ErrInvalidCookie)
		}
		var saveErr error
		switch r.URL.Path {
		case "/set":
			for k, v := range r.URL.Query() {
				sess.Values[k] = v[0]
			}
			saveErr = sess.Save(r, w)
		case "/renew":
			saveErr = store.Renew(r, w, sess)
		case "/logout":
			sess.Options.MaxAge = -1
			saveErr = sess.Save(r, w)
		case "/get":
		default:
			http.NotFound(w, r)
			return
		}
		if saveErr != nil {
			out.SaveErr = saveErr.Error()
		}
		out.ID = sess.ID
		for k, v := range sess.Values {
			ks, _ := k.(string)
			vs, _ := v.(string)
			out.Values[ks] = vs
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
}

// browser is a client with its own cookie jar.
type browser struct {
	t      *testing.T
	srv    *httptest.Server
	client *http.Client
}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// httptest's Client is shared by every caller: build our own on its
	// transport, with our own jar.
	c := &http.Client{Transport: srv.Client().Transport, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: t, srv: srv, client: c}
}

// get requests path and decodes the app's reply.
func (b *browser) get(path string) (reply, *http.Response) {
	b.t.Helper()
	resp, err := b.client.Get(b.srv.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out reply
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	return out, resp
}

// cookie returns the browser's cookie name ("" when it has none).
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setCookie replaces the browser's cookie name with value.
func (b *browser) setCookie(name, value string) {
	u, _ := url.Parse(b.srv.URL)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/", Secure: true}})
}
