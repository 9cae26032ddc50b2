package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/testenv"
	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/redisstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/storetest"
	"github.com/redis/go-redis/v9"
)

// newClient returns a client of the test Redis and a key prefix of the
// test's own; the test's keys are deleted when it ends.
func newClient(t *testing.T) (*redis.Client, string) {
	t.Helper()
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatalf("parse %s: %v", testenv.EnvRedis, err)
	}
	rdb := redis.NewClient(opts)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	prefix := "gatehouse-test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		defer rdb.Close()
		// t.Context is cancelled before Cleanup runs.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("cleaning up %s*: %v", prefix, err)
		}
	})
	return rdb, prefix
}

func TestBackend(t *testing.T) {
	storetest.TestBackend(t, func(t *testing.T) sessionstore.Backend {
		rdb, prefix := newClient(t)
		b, err := redisstore.New(redisstore.Config{Client: rdb, KeyPrefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
}

// TestKeyAndTTL: a record is one key under the prefix, with a PX expiry
// that matches the record's expiry.
func TestKeyAndTTL(t *testing.T) {
	ctx := t.Context()
	rdb, prefix := newClient(t)
	b, err := redisstore.New(redisstore.Config{Client: rdb, KeyPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	id := strings.Repeat("x", 43)
	if err := b.Commit(ctx, id, []byte("data"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if b.Key(id) != prefix+id {
		t.Fatalf("Key = %q", b.Key(id))
	}
	got, err := rdb.Get(ctx, prefix+id).Result()
	if err != nil || got != "data" {
		t.Fatalf("GET %s = %q, %v", prefix+id, got, err)
	}
	ttl, err := rdb.PTTL(ctx, prefix+id).Result()
	if err != nil || ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("PTTL = %v, %v; want just under an hour", ttl, err)
	}
}

func TestNew(t *testing.T) {
	if _, err := redisstore.New(redisstore.Config{}); err == nil || !strings.Contains(err.Error(), "Config.Client") {
		t.Fatalf("New without a client = %v", err)
	}
	// New does no I/O: a client of an address where nothing listens is fine.
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	b, err := redisstore.New(redisstore.Config{Client: rdb})
	if err != nil {
		t.Fatal(err)
	}
	if b.Key("id") != redisstore.DefaultKeyPrefix+"id" {
		t.Fatalf("default Key = %q", b.Key("id"))
	}
}

func BenchmarkBackend(b *testing.B) {
	opts, err := redis.ParseURL(testenv.RedisURL(b))
	if err != nil {
		b.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	prefix := "gatehouse-bench:" + rand.Text() + ":"
	backend, err := redisstore.New(redisstore.Config{Client: rdb, KeyPrefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchmarkBackend(b, backend)
	// The records expire in an hour; delete them now.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		rdb.Del(ctx, iter.Val())
	}
}
