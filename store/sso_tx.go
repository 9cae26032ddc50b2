package store

import (
	"context"

	"github.com/gatehouse-go/gatehouse/ssokit"
)

// InTx runs fn in one transaction ([Store.Tx]) with the transaction's
// Store; it implements [ssokit.TxStore], which the SAML ACS uses to burn
// the assertion id, consume the flow and store the one-time code in one
// commit. fn's error rolls back and is returned as is.
func (s *Store) InTx(ctx context.Context, fn func(tx ssokit.Store) error) error {
	return s.Tx(ctx, func(tx *Store) error { return fn(tx) })
}

var _ ssokit.TxStore = (*Store)(nil)
