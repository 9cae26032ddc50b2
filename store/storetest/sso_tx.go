package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
)

// testInTx checks Store.InTx, the ssokit.TxStore the SAML ACS uses: the
// replay record, the flow taken and the code stored through the
// transaction's Store are committed together when fn returns nil, and all
// undone when it returns an error (which InTx returns unchanged).
func testInTx(t *testing.T, s *store.Store, clk *Clock) {
	ctx := ctxOf(t)
	var ts ssokit.TxStore = s
	exp := clk.Now().Add(time.Hour)
	for _, id := range []string{"login-1", "login-2"} {
		must(t, s.PutFlow(ctx, &ssokit.Flow{ID: id, Kind: "login", Data: []byte(`{}`), ExpiresAt: exp}))
	}
	acs := func(tx ssokit.Store, n string) error {
		if err := tx.Remember(ctx, "assertion-"+n, exp); err != nil {
			return err
		}
		if _, err := tx.TakeFlow(ctx, "login-"+n); err != nil {
			return err
		}
		return tx.PutFlow(ctx, &ssokit.Flow{ID: "code-" + n, Kind: "code", Data: []byte(`{}`), ExpiresAt: exp})
	}

	errBoom := errors.New("boom")
	err := ts.InTx(ctx, func(tx ssokit.Store) error {
		if err := acs(tx, "1"); err != nil {
			t.Fatal(err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("InTx returned %v, want fn's error", err)
	}
	_, err = s.TakeFlow(ctx, "code-1")
	wantNotFound(t, "code of a rolled-back transaction", err)

	// Rolled back: the same calls succeed again, and now commit.
	must(t, ts.InTx(ctx, func(tx ssokit.Store) error { return acs(tx, "1") }))
	wantConflict(t, "committed replay record", s.Remember(ctx, "assertion-1", exp))
	_, err = s.TakeFlow(ctx, "login-1")
	wantNotFound(t, "committed flow take", err)
	if _, err := s.TakeFlow(ctx, "code-1"); err != nil {
		t.Fatalf("committed code: %v", err)
	}

	// A refusal inside fn surfaces as the store's error, and InTx on the
	// transaction's Store joins it.
	err = ts.InTx(ctx, func(tx ssokit.Store) error {
		return tx.(ssokit.TxStore).InTx(ctx, func(inner ssokit.Store) error { return acs(inner, "1") })
	})
	wantConflict(t, "replayed assertion in a transaction", err)
	if _, err := s.TakeFlow(ctx, "login-2"); err != nil {
		t.Fatalf("untouched flow: %v", err)
	}
}
