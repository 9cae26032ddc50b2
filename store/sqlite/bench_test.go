package sqlite_test

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/scimkit"
	"github.com/gatehouse-go/gatehouse/ssokit"
	"github.com/gatehouse-go/gatehouse/store"
	"github.com/gatehouse-go/gatehouse/store/sqlite"
	"github.com/gatehouse-go/gatehouse/webhookkit"
)

func benchStore(b *testing.B) (*store.Store, *scimkit.Directory) {
	b.Helper()
	ctx := b.Context()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.CreateOrganization(ctx, &ssokit.Organization{ID: "o1"}); err != nil {
		b.Fatal(err)
	}
	d := &scimkit.Directory{OrganizationID: "o1", Name: "bench"}
	if err := s.CreateDirectory(ctx, d); err != nil {
		b.Fatal(err)
	}
	return s, d
}

// BenchmarkCreateUserParallel measures concurrent SCIM-style writes: a user
// and its outbox event in one transaction.
func BenchmarkCreateUserParallel(b *testing.B) {
	s, d := benchStore(b)
	ctx := b.Context()
	var n atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			err := s.Tx(ctx, func(tx *store.Store) error {
				u := &scimkit.DirectoryUser{DirectoryID: d.ID, UserName: fmt.Sprintf("user%d", i)}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				return tx.AppendEvent(ctx, &webhookkit.Event{Type: "organization.directory.user_created", OrganizationID: "o1"})
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkUserByUserNameParallel measures concurrent indexed reads.
func BenchmarkUserByUserNameParallel(b *testing.B) {
	s, d := benchStore(b)
	ctx := b.Context()
	for i := range 1000 {
		if err := s.CreateUser(ctx, &scimkit.DirectoryUser{DirectoryID: d.ID, UserName: fmt.Sprintf("user%d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.UserByUserName(ctx, d.ID, fmt.Sprintf("USER%d", n.Add(1)%1000)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkFlowRoundTrip measures one login's flow record: put, then take.
func BenchmarkFlowRoundTrip(b *testing.B) {
	s, _ := benchStore(b)
	ctx := b.Context()
	exp := time.Now().Add(time.Hour)
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprintf("flow%d", i)
		if err := s.PutFlow(ctx, &ssokit.Flow{ID: id, Kind: "login", Data: []byte("state"), ExpiresAt: exp}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.TakeFlow(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}
