package sessionstore

import "errors"

// ErrInvalidCookie is wrapped by the error that [Store.Get] and [Store.New]
// return when the request carries a session cookie that does not decode:
// a bad signature (tampering, or a key that was rotated out), an expired
// securecookie timestamp, or a malformed id. The session returned beside
// it is a new, empty one. The securecookie error is wrapped too, so
// securecookie.Error's IsDecode reports true for it.
var ErrInvalidCookie = errors.New("sessionstore: invalid session cookie")

// ErrSessionGone is what [Store.Save] returns for a session that was loaded
// from the backend but is no longer there: it was revoked (a logout in
// another request, [Store.Revoke], an id renewal at login in another tab)
// or expired since. Save then writes nothing back, sets no cookie (the
// browser may already hold a newer one) and clears the session's ID, so the
// revocation stands. Treat it like a signed-out request.
var ErrSessionGone = errors.New("sessionstore: session revoked or expired")
