package scimkit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/testenv"
	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/postgres"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
)

// backends are the databases the server is tested on.
var backends = []string{"sqlite", "postgres"}

// openStore opens a fresh store of the backend for t.
func openStore(t testing.TB, backend string) *store.Store {
	t.Helper()
	ctx := context.Background()
	var st *store.Store
	var err error
	switch backend {
	case "sqlite":
		st, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "gh.db"), store.Options{})
	case "postgres":
		st, err = postgres.Open(ctx, testenv.PostgresSchema(t), store.Options{})
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// env is a SCIM server over a real store behind a real HTTP server.
type env struct {
	t     testing.TB
	st    *store.Store
	srv   *scimkit.Server
	hs    *httptest.Server
	host  *recordingHost
	clock *clock
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type envOptions struct {
	backend string
	cfg     func(*scimkit.Config)
	noHost  bool
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	if o.backend == "" {
		o.backend = "sqlite"
	}
	e := &env{t: t, st: openStore(t, o.backend), host: newRecordingHost(), clock: &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}
	cfg := scimkit.Config{Store: e.st, Users: e.host, BaseURL: "https://app.example/scim/v2", Now: e.clock.Now}
	if o.noHost {
		cfg.Users = nil
	}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	srv, err := scimkit.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", srv.Handler()))
	e.hs = httptest.NewServer(mux)
	t.Cleanup(e.hs.Close)
	return e
}

// directory creates an organization (if needed) and a directory with the
// dialect, and returns a client holding its token.
func (e *env) directory(org, dialect string) *client {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.st.Organization(ctx, org); err != nil {
		if err := e.st.CreateOrganization(ctx, &ssokit.Organization{ID: org, Name: org}); err != nil {
			e.t.Fatal(err)
		}
	}
	d, token, err := e.srv.CreateDirectory(ctx, org, "dir of "+org, dialect)
	if err != nil {
		e.t.Fatal(err)
	}
	return &client{t: e.t, base: e.hs.URL + "/scim/v2", token: token, dir: d, hc: e.hs.Client()}
}

// client talks to the server with one directory's token.
type client struct {
	t     testing.TB
	base  string
	token string
	dir   *scimkit.Directory
	hc    *http.Client
}

// resp is a response with its decoded JSON body.
type resp struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func (r *resp) str(path string) string {
	v := r.get(path)
	s, _ := v.(string)
	return s
}

// get reads a dotted path ("meta.version", "Resources.0.id") of the body.
func (r *resp) get(path string) any {
	var cur any = r.json
	for _, p := range strings.Split(path, ".") {
		switch t := cur.(type) {
		case map[string]any:
			cur = t[p]
		case []any:
			i := 0
			for _, c := range p {
				i = i*10 + int(c-'0')
			}
			if i >= len(t) {
				return nil
			}
			cur = t[i]
		default:
			return nil
		}
	}
	return cur
}

func (r *resp) num(path string) int {
	switch v := r.get(path).(type) {
	case float64:
		return int(v)
	case json.Number:
		n, _ := v.Int64()
		return int(n)
	}
	return -1
}

// do sends a request; body may be a string or a value to encode.
func (c *client) do(method, path string, body any, headers ...string) *resp {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	out := &resp{status: res.StatusCode, header: res.Header, body: b}
	if len(b) > 0 {
		_ = json.Unmarshal(b, &out.json)
	}
	return out
}

// must checks the status and returns r.
func (r *resp) must(t testing.TB, status int) *resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	return r
}

// user creates a user and returns its id.
func (c *client) user(userName string, extra ...map[string]any) string {
	c.t.Helper()
	body := map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": userName,
		"name":     map[string]any{"givenName": "Given " + userName, "familyName": "Family"},
		"emails":   []any{map[string]any{"value": userName + "@example.com", "type": "work", "primary": true}},
		"active":   true,
	}
	for _, x := range extra {
		for k, v := range x {
			body[k] = v
		}
	}
	r := c.do("POST", "/Users", body).must(c.t, 201)
	return r.str("id")
}

// group creates a group with members and returns its id.
func (c *client) group(name string, members ...string) string {
	c.t.Helper()
	var ms []any
	for _, m := range members {
		ms = append(ms, map[string]any{"value": m})
	}
	r := c.do("POST", "/Groups", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": name, "members": ms,
	}).must(c.t, 201)
	return r.str("id")
}

func patchBody(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": list}
}

// recordingHost is a host UserStore that keeps users, groups and
// memberships in memory and records every call, as an application's user
// table would.
type recordingHost struct {
	mu      sync.Mutex
	calls   []string
	users   map[string]*scimkit.User
	groups  map[string]*scimkit.Group
	members map[string]map[string]bool
	fail    error // returned by every call when set
}

func newRecordingHost() *recordingHost {
	return &recordingHost{users: map[string]*scimkit.User{}, groups: map[string]*scimkit.Group{}, members: map[string]map[string]bool{}}
}

func (h *recordingHost) record(call string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, call)
	return h.fail
}

func (h *recordingHost) setFail(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fail = err
}

func (h *recordingHost) Calls() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.calls...)
}

func (h *recordingHost) CreateUser(_ context.Context, u *scimkit.User) error {
	if err := h.record("CreateUser " + u.UserName); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.users[u.DirectoryID+"/"+u.ID] = u
	return nil
}

func (h *recordingHost) UpdateUser(_ context.Context, u *scimkit.User) error {
	if err := h.record("UpdateUser " + u.UserName); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.users[u.DirectoryID+"/"+u.ID] = u
	return nil
}

func (h *recordingHost) DeactivateUser(_ context.Context, u *scimkit.User) error {
	if err := h.record("DeactivateUser " + u.UserName); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.users[u.DirectoryID+"/"+u.ID] = u
	return nil
}

func (h *recordingHost) DeleteUser(_ context.Context, dir, id string) error {
	if err := h.record("DeleteUser"); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.users, dir+"/"+id)
	return nil
}

func (h *recordingHost) CreateGroup(_ context.Context, g *scimkit.Group) error {
	if err := h.record("CreateGroup " + g.DisplayName); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.groups[g.DirectoryID+"/"+g.ID] = g
	return nil
}

func (h *recordingHost) UpdateGroup(_ context.Context, g *scimkit.Group) error {
	if err := h.record("UpdateGroup " + g.DisplayName); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.groups[g.DirectoryID+"/"+g.ID] = g
	return nil
}

func (h *recordingHost) DeleteGroup(_ context.Context, dir, id string) error {
	if err := h.record("DeleteGroup"); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.groups, dir+"/"+id)
	delete(h.members, dir+"/"+id)
	return nil
}

func (h *recordingHost) AddGroupMembers(_ context.Context, dir, id string, users []string) error {
	if err := h.record("AddGroupMembers " + strings.Join(users, ",")); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.members[dir+"/"+id]
	if m == nil {
		m = map[string]bool{}
		h.members[dir+"/"+id] = m
	}
	for _, u := range users {
		m[u] = true
	}
	return nil
}

func (h *recordingHost) RemoveGroupMembers(_ context.Context, dir, id string, users []string) error {
	if err := h.record("RemoveGroupMembers " + strings.Join(users, ",")); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, u := range users {
		delete(h.members[dir+"/"+id], u)
	}
	return nil
}
