package ssokit

import "context"

// TxStore is a [Store] that can group several calls in one transaction.
// It is optional: the kit finds it by a type assertion on Config.Store
// (the store package's *store.Store implements it). With it, the SAML ACS
// burns the assertion id, consumes the flow, reads the organization's
// domains and stores the one-time code in one transaction (one commit
// instead of three); without it, it makes the same calls one by one. The
// outcome, including every refusal, is the same either way.
type TxStore interface {
	Store
	// InTx calls fn with a Store whose calls all belong to one
	// transaction: committed when fn returns nil, rolled back when it
	// returns an error (which InTx returns) or panics. Calling InTx again
	// on the Store fn receives joins the same transaction.
	InTx(ctx context.Context, fn func(tx Store) error) error
}
