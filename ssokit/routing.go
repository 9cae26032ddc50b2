package ssokit

import (
	"context"
	"errors"
	"strings"

	"github.com/gatehouse-go/gatehouse/internal/ids"
)

// Selector holds the hints /login routes by, in order of precedence.
type Selector struct {
	ConnectionID   string // connection_id
	OrganizationID string // organization_id: the organization's first active connection
	DomainHint     string // domain_hint: a verified domain's organization
	LoginHint      string // login_hint: an email whose domain is a verified domain of the organization
}

// empty reports whether no hint is set.
func (sel Selector) empty() bool {
	return sel.ConnectionID == "" && sel.OrganizationID == "" && sel.DomainHint == "" && sel.LoginHint == ""
}

// Route returns the active connection sel selects. The first hint set
// decides; the others are not consulted (a login_hint is still forwarded to
// the identity provider). A miss is an *[Error] — never a fallback to a
// lower hint: invalid_connection_selector (malformed hint or none),
// connection_not_found, organization_not_found, domain_not_found,
// connection_inactive or no_active_connection.
//
// Domains route only when verified: a domain an organization merely
// claims must not capture the logins of another organization's users.
func (s *SSO) Route(ctx context.Context, sel Selector) (*Connection, error) {
	switch {
	case sel.ConnectionID != "":
		if !ids.HasPrefix(sel.ConnectionID, ids.Connection) {
			return nil, &Error{Code: CodeInvalidConnectionSelector, Description: "connection_id is malformed"}
		}
		c, err := s.cfg.Store.Connection(ctx, sel.ConnectionID)
		if errors.Is(err, ErrNotFound) {
			return nil, &Error{Code: CodeConnectionNotFound, Description: "no such connection", ConnectionID: sel.ConnectionID}
		}
		if err != nil {
			return nil, &Error{Code: CodeServerError, Description: "reading the connection failed", Err: err}
		}
		if c.Status != ConnectionActive {
			return nil, &Error{Code: CodeConnectionInactive, Description: "the connection is not active",
				ConnectionID: c.ID, OrganizationID: c.OrganizationID}
		}
		return c, nil
	case sel.OrganizationID != "":
		if len(sel.OrganizationID) > 255 || hasUnsafeURLChars(sel.OrganizationID) {
			return nil, &Error{Code: CodeInvalidConnectionSelector, Description: "organization_id is malformed"}
		}
		return s.organizationConnection(ctx, sel.OrganizationID)
	case sel.DomainHint != "":
		d, ok := normalizeDomain(sel.DomainHint)
		if !ok {
			return nil, &Error{Code: CodeInvalidConnectionSelector, Description: "domain_hint is not a domain name"}
		}
		return s.domainConnection(ctx, d)
	case sel.LoginHint != "":
		_, d, ok := splitEmail(sel.LoginHint)
		if !ok {
			return nil, &Error{Code: CodeInvalidConnectionSelector, Description: "login_hint is not an email address"}
		}
		return s.domainConnection(ctx, d)
	}
	return nil, &Error{Code: CodeInvalidConnectionSelector, Description: "no connection_id, organization_id, domain_hint or login_hint"}
}

func (s *SSO) organizationConnection(ctx context.Context, orgID string) (*Connection, error) {
	if _, err := s.cfg.Store.Organization(ctx, orgID); errors.Is(err, ErrNotFound) {
		return nil, &Error{Code: CodeOrganizationNotFound, Description: "no such organization", OrganizationID: orgID}
	} else if err != nil {
		return nil, &Error{Code: CodeServerError, Description: "reading the organization failed", Err: err}
	}
	conns, err := s.cfg.Store.Connections(ctx, orgID)
	if err != nil {
		return nil, &Error{Code: CodeServerError, Description: "listing connections failed", Err: err}
	}
	for _, c := range conns {
		if c.Status == ConnectionActive {
			return c, nil
		}
	}
	return nil, &Error{Code: CodeNoActiveConnection, Description: "the organization has no active connection", OrganizationID: orgID}
}

func (s *SSO) domainConnection(ctx context.Context, domain string) (*Connection, error) {
	d, err := s.verifiedDomain(ctx, domain)
	if err != nil {
		return nil, err
	}
	return s.organizationConnection(ctx, d.OrganizationID)
}

func (s *SSO) verifiedDomain(ctx context.Context, domain string) (*Domain, error) {
	d, err := s.cfg.Store.DomainByName(ctx, domain)
	if errors.Is(err, ErrNotFound) || (err == nil && d.State != DomainVerified) {
		return nil, &Error{Code: CodeDomainNotFound, Description: "no organization has verified this domain"}
	}
	if err != nil {
		return nil, &Error{Code: CodeServerError, Description: "reading the domain failed", Err: err}
	}
	return d, nil
}

// ListConnectionsByDomain returns the active connections of the
// organization that verified domain (a domain name, or an email address
// whose domain is used), oldest first, so a host can show "Sign in with
// SSO" before sending the user to /login. With no such verified domain it
// returns an *Error with CodeDomainNotFound; an organization without active
// connections yields an empty list.
func (s *SSO) ListConnectionsByDomain(ctx context.Context, domain string) ([]*Connection, error) {
	name, ok := normalizeDomain(domain)
	if !ok {
		if _, d, isEmail := splitEmail(domain); isEmail {
			name, ok = d, true
		}
	}
	if !ok {
		return nil, &Error{Code: CodeInvalidConnectionSelector, Description: "not a domain name"}
	}
	d, err := s.verifiedDomain(ctx, name)
	if err != nil {
		return nil, err
	}
	conns, err := s.cfg.Store.Connections(ctx, d.OrganizationID)
	if err != nil {
		return nil, &Error{Code: CodeServerError, Description: "listing connections failed", Err: err}
	}
	out := []*Connection{}
	for _, c := range conns {
		if c.Status == ConnectionActive {
			out = append(out, c)
		}
	}
	return out, nil
}

// normalizeDomain lower-cases d, drops one trailing dot and checks that it
// is a plausible DNS name of at least two labels.
func normalizeDomain(d string) (string, bool) {
	d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
	if len(d) < 3 || len(d) > 253 || !strings.Contains(d, ".") {
		return "", false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", false
			}
		}
	}
	return d, true
}

// splitEmail splits an address into its local part and its normalized
// domain.
func splitEmail(e string) (local, domain string, ok bool) {
	e = strings.TrimSpace(e)
	i := strings.LastIndexByte(e, '@')
	if i <= 0 || len(e) > 320 || strings.ContainsAny(e, " \t\r\n<>\"") {
		return "", "", false
	}
	d, ok := normalizeDomain(e[i+1:])
	if !ok {
		return "", "", false
	}
	return e[:i], d, true
}
