package ssokit_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
)

// plainStore hides the TxStore method of the store it wraps, so that the
// ACS takes its one-call-at-a-time path.
type plainStore struct{ ssokit.Store }

// TestSAMLACSTransaction runs the same ACS outcomes with a store that
// implements ssokit.TxStore (the SQLite *store.Store: burn, flow and code
// in one transaction) and with one that does not: every refusal is the
// same, and so are its effects (a refused response's assertion id stays
// burnt and its flow stays consumed).
func TestSAMLACSTransaction(t *testing.T) {
	stores := []struct {
		name string
		edit func(*ssokit.Config)
	}{
		{name: "TxStore", edit: func(c *ssokit.Config) {
			if _, ok := c.Store.(ssokit.TxStore); !ok {
				t.Fatalf("%T does not implement ssokit.TxStore", c.Store)
			}
		}},
		{name: "plain Store", edit: func(c *ssokit.Config) { c.Store = plainStore{c.Store} }},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Run("login, then replay", func(t *testing.T) {
				e := newEnv(t, st.edit)
				idp := &samlIdP{p: loadIDPParams(t, "okta"), key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
				conn := e.samlConnection(idp)
				b := e.newBrowser()
				resp := build(t, e.samlResponse(idp, conn, e.samlStart(b, conn, nil).ID), idp.key)
				e.finishSAML(b, e.postACS(b, conn, resp, ""))
				if n := e.users.count(t); n != 1 {
					t.Fatalf("%d users", n)
				}
				other := e.newBrowser()
				if r := e.postACS(other, conn, resp, ""); r.StatusCode != http.StatusUnauthorized {
					t.Fatalf("replay: status %d", r.StatusCode)
				}
				e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonReplayed)
			})
			t.Run("flow used by another assertion", func(t *testing.T) {
				e := newEnv(t, st.edit)
				idp := &samlIdP{p: loadIDPParams(t, "okta"), key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
				conn := e.samlConnection(idp)
				b := e.newBrowser()
				id := e.samlStart(b, conn, nil).ID
				first := build(t, e.samlResponse(idp, conn, id), idp.key)
				second := build(t, e.samlResponse(idp, conn, id), idp.key) // a new assertion id
				e.finishSAML(b, e.postACS(b, conn, first, ""))
				if r := e.postACS(b, conn, second, ""); r.StatusCode != http.StatusBadRequest {
					t.Fatalf("second response: status %d", r.StatusCode)
				}
				e.wantErr(ssokit.CodeInvalidState, ssokit.ReasonBadInResponseTo)
				// The refused assertion was burnt all the same.
				if r := e.postACS(b, conn, second, ""); r.StatusCode != http.StatusUnauthorized {
					t.Fatalf("second response again: status %d", r.StatusCode)
				}
				e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonReplayed)
			})
			t.Run("flow expired", func(t *testing.T) {
				e := newEnv(t, st.edit)
				idp := &samlIdP{p: loadIDPParams(t, "okta"), key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
				conn := e.samlConnection(idp)
				b := e.newBrowser()
				id := e.samlStart(b, conn, nil).ID
				e.clock.Advance(15 * time.Minute) // past FlowTTL (10 min), within its grace in the store
				late := build(t, e.samlResponse(idp, conn, id), idp.key)
				if r := e.postACS(b, conn, late, ""); r.StatusCode != http.StatusBadRequest {
					t.Fatalf("late response: status %d", r.StatusCode)
				}
				se := e.wantErr(ssokit.CodeFlowExpired, "")
				if se.ConnectionID != conn.ID {
					t.Errorf("error names connection %q", se.ConnectionID)
				}
				e.nothingWritten(b)
				// The flow was consumed: another response to it names no
				// pending request.
				again := build(t, e.samlResponse(idp, conn, id), idp.key)
				if r := e.postACS(b, conn, again, ""); r.StatusCode != http.StatusBadRequest {
					t.Fatalf("response to the consumed flow: status %d", r.StatusCode)
				}
				e.wantErr(ssokit.CodeInvalidState, ssokit.ReasonBadInResponseTo)
			})
			t.Run("email outside the organization", func(t *testing.T) {
				e := newEnv(t, st.edit)
				idp := &samlIdP{p: loadIDPParams(t, "okta"), key: newIDPKey(t, e.clock.Now(), 365*24*time.Hour)}
				conn := e.samlConnection(idp)
				b := e.newBrowser()
				id := e.samlStart(b, conn, nil).ID
				e.must(e.store.DeleteDomain(e.ctx, e.domainID(t, "acme.example")))
				resp := build(t, e.samlResponse(idp, conn, id), idp.key)
				if r := e.postACS(b, conn, resp, ""); r.StatusCode != http.StatusForbidden {
					t.Fatalf("status %d", r.StatusCode)
				}
				e.wantErr(ssokit.CodeEmailOutsideDomains, "")
				e.nothingWritten(b)
				if r := e.postACS(b, conn, resp, ""); r.StatusCode != http.StatusUnauthorized {
					t.Fatalf("again: status %d", r.StatusCode)
				}
				e.wantErr(ssokit.CodeTokenInvalid, ssokit.ReasonReplayed)
			})
		})
	}
}

// domainID returns the id of the organization's domain name.
func (e *env) domainID(t *testing.T, name string) string {
	t.Helper()
	d, err := e.store.DomainByName(e.ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}
