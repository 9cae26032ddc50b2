// Package sessionstore will hold gorilla/sessions stores (PostgreSQL, Redis,
// SQLite, memory) for hosts that want server-side sessions. ssokit's
// gorilla/sessions bridge works with them and with any other sessions.Store.
//
// Nothing is implemented here yet: hosts use their own sessions.Store.
package sessionstore
