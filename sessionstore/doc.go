// Package sessionstore provides gorilla/sessions stores whose state lives on
// the server, for hosts that run several instances or need logout to be
// real. The cookie carries only a signed random session id; the session's
// Values live in a [Backend]:
//
//	backend, err := redisstore.New(redisstore.Config{Client: rdb})
//	store, err := sessionstore.New(sessionstore.Config{Backend: backend, KeyPairs: [][]byte{hashKey}})
//	bridge, err := ssokit.NewGorillaSessions(store, "__Host-session")
//
// A [*Store] is a [sessions.Store]: use it with gorilla's API directly
// (store.Get, session.Save) or through ssokit's gorilla bridge, which
// renews the id at login and deletes the session at logout.
//
// # Backends
//
// The Backend interface has three methods, shaped like alexedwards/scs's
// store contract with a context added; the optional [Updater] adds a
// compare-and-replace. Each backend is a sub-package, so a host compiles
// only the driver it uses:
//
//   - memstore: process memory, for one instance and tests.
//   - redisstore: Redis through github.com/redis/go-redis/v9 (SET … PX).
//   - pgstore: PostgreSQL through jackc/pgx/v5 (database/sql), with an
//     embedded migration and a Sweep of expired rows.
//   - sqlitestore: SQLite through modernc.org/sqlite, for one instance
//     whose sessions must survive a restart.
//
// Package storetest is the conformance suite every backend passes; run it
// against your own.
//
// # Security decisions
//
//   - Session ids are 32 bytes from crypto/rand, base64url (43 characters).
//     A client never chooses one: a cookie whose id has no live record
//     yields a new session with an empty ID, and Save then draws a fresh
//     id (no fixation through a planted id).
//   - [Store.Renew] moves a session to a fresh id and deletes the old
//     record; call it at login (ssokit's bridge does the equivalent).
//   - Logout (Save with Options.MaxAge < 0, or [Store.Revoke]) deletes the
//     server record, so a copied cookie replayed later finds nothing. A
//     request that loaded the session before the logout cannot write it
//     back: Save replaces only a live record ([ErrSessionGone]).
//   - Log out on POST (with CSRF protection or at least the SameSite
//     cookie): a cross-site GET navigation carries a Lax cookie, so a GET
//     logout can be triggered by any page.
//   - Cookies are HttpOnly and Secure always (only
//     [Config.InsecureCookieOverHTTP] lifts Secure), SameSite Lax, Path /,
//     Max-Age 12 hours by default. Prefer a "__Host-" cookie name; Save
//     refuses options that break the prefix's rules.
//   - The cookie is signed with securecookie key pairs (rotation: several
//     pairs, the first signs); a tampered, re-keyed or expired cookie gives
//     a new session and an error wrapping [ErrInvalidCookie].
//   - The server record's expiry ends a session, whatever the cookie's
//     Max-Age: the record lives Options.MaxAge seconds from each Save
//     (sliding expiry on every Save; Get alone does not extend it).
//
// Values are encoded with gob by default ([GobSerializer]), as gorilla's
// own stores do, so any type the host registers with gob works;
// [JSONSerializer] is the alternative for string-keyed JSON values.
//
// The Store does not log, and does no I/O in [New]: every backend call
// happens in Get/New, Save, Renew and Revoke, with the request's context.
package sessionstore
