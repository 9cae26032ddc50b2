package scimkit

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

const (
	slogWarn  = slog.LevelWarn
	slogError = slog.LevelError
	slogDebug = slog.LevelDebug
)

func attrErr(err error) slog.Attr { return slog.String("err", err.Error()) }

// contentType is the media type of every response body (RFC 7644 §3.1).
const contentType = "application/scim+json; charset=utf-8"

// request is one authenticated SCIM request.
type request struct {
	w   http.ResponseWriter
	r   *http.Request
	ctx context.Context
	dir *Directory
}

// Handler returns the SCIM endpoints, relative to where the host mounts
// them:
//
//	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", srv.Handler()))
//
// It serves /Users and /Groups (GET, POST, and GET, PUT, PATCH, DELETE by
// id; POST /.search), /ServiceProviderConfig, /ResourceTypes and /Schemas
// (with their ids). Every request needs a directory's bearer token, and
// sees only that directory. Resource type names are matched
// case-insensitively and a trailing slash is ignored.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	dir, err := s.Authenticate(r)
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	req := &request{w: w, r: r, ctx: r.Context(), dir: dir}
	if err := s.route(req); err != nil {
		s.fail(w, r, dir, err)
	}
}

// route dispatches on the path, which is relative to the mount point.
func (s *Server) route(q *request) error {
	path := strings.Trim(q.r.URL.Path, "/")
	first, rest, _ := strings.Cut(path, "/")
	method := q.r.Method
	switch strings.ToLower(first) {
	case "users", "groups":
		isUser := strings.EqualFold(first, "users")
		switch {
		case rest == "":
			switch method {
			case http.MethodGet, http.MethodHead:
				return s.list(q, isUser, nil)
			case http.MethodPost:
				if isUser {
					return s.createUser(q)
				}
				return s.createGroup(q)
			}
		case strings.EqualFold(rest, ".search"):
			if method == http.MethodPost {
				return s.search(q, isUser)
			}
		case !strings.Contains(rest, "/"):
			switch method {
			case http.MethodGet, http.MethodHead:
				return s.get(q, isUser, rest)
			case http.MethodPut:
				if isUser {
					return s.replaceUser(q, rest)
				}
				return s.replaceGroup(q, rest)
			case http.MethodPatch:
				if isUser {
					return s.patchUser(q, rest)
				}
				return s.patchGroup(q, rest)
			case http.MethodDelete:
				if isUser {
					return s.deleteUser(q, rest)
				}
				return s.deleteGroup(q, rest)
			}
		default:
			return notFoundError("endpoint")
		}
		return methodNotAllowed()
	case "serviceproviderconfig", "serviceproviderconfigs", "serviceconfiguration":
		// "/serviceConfiguration" is the path Microsoft's reference server
		// and its test collection use; serving it too harms nobody.
		if rest != "" {
			return notFoundError("endpoint")
		}
		if method != http.MethodGet && method != http.MethodHead {
			return methodNotAllowed()
		}
		return s.serviceProviderConfig(q)
	case "resourcetypes":
		if method != http.MethodGet && method != http.MethodHead {
			return methodNotAllowed()
		}
		return s.resourceTypes(q, rest)
	case "schemas":
		if method != http.MethodGet && method != http.MethodHead {
			return methodNotAllowed()
		}
		return s.schemas(q, rest)
	case "bulk", "me":
		return newError(http.StatusNotImplemented, "", "/"+first+" is not supported", nil)
	}
	return notFoundError("endpoint")
}

func methodNotAllowed() *Error {
	return newError(http.StatusMethodNotAllowed, "", "method not allowed", nil)
}

// writeJSON writes v with status and the SCIM media type.
func (s *Server) writeJSON(q *request, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.writeRaw(q, status, b)
}

func (s *Server) writeRaw(q *request, status int, b []byte) error {
	h := q.w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	q.w.WriteHeader(status)
	if q.r.Method != http.MethodHead {
		_, _ = q.w.Write(b)
	}
	return nil
}

// fail writes the SCIM error response for err and reports it.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, dir *Directory, err error) {
	se := asError(err)
	ctx := r.Context()
	if s.cfg.OnError != nil {
		s.cfg.OnError(ctx, se)
	}
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", se.Status)}
	if dir != nil {
		attrs = append(attrs, slog.String("directory_id", dir.ID))
	}
	attrs = append(attrs, attrErr(se))
	level := slogDebug
	if se.Status >= 500 {
		level = slogError
	}
	if s.cfg.OnError == nil || se.Status >= 500 {
		s.logger.LogAttrs(ctx, level, "scim_request_failed", attrs...)
	}
	body, _ := json.Marshal(errorBody{
		Schemas: []string{ErrorSchemaURN}, Status: itoa(se.Status), ScimType: se.ScimType, Detail: se.Detail,
	})
	h := w.Header()
	if se.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="scim"`)
	}
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(se.Status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func strAttr(k, v string) slog.Attr { return slog.String(k, v) }

func quote(s string) string { return strconv.Quote(s) }
