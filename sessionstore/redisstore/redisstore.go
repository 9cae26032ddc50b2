package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/redis/go-redis/v9"
)

// DefaultKeyPrefix is the default of [Config.KeyPrefix].
const DefaultKeyPrefix = "gatehouse:session:"

// Config configures a [Backend]. Client is required.
type Config struct {
	// Client is the Redis client. Required. The Backend does not close
	// it.
	Client redis.UniversalClient
	// KeyPrefix is put before each session id to make its key.
	// Default: [DefaultKeyPrefix].
	KeyPrefix string
	// Now returns the current time; the TTL of a record is its expiry
	// minus Now. Default: time.Now.
	Now func() time.Time
}

// Backend keeps session records in Redis. It is safe for concurrent use.
type Backend struct {
	rdb    redis.UniversalClient
	prefix string
	now    func() time.Time
}

var (
	_ sessionstore.Backend = (*Backend)(nil)
	_ sessionstore.Updater = (*Backend)(nil)
)

// New validates cfg and returns a Backend. It does no I/O.
func New(cfg Config) (*Backend, error) {
	if cfg.Client == nil {
		return nil, errors.New("redisstore: Config.Client is nil")
	}
	b := &Backend{rdb: cfg.Client, prefix: cfg.KeyPrefix, now: cfg.Now}
	if b.prefix == "" {
		b.prefix = DefaultKeyPrefix
	}
	if b.now == nil {
		b.now = time.Now
	}
	return b, nil
}

// Key returns the Redis key of session id.
func (b *Backend) Key(id string) string { return b.prefix + id }

// ttl returns the time to live of a record expiring at expiry, in whole
// milliseconds (PX), or 0 when it is already expired.
func (b *Backend) ttl(expiry time.Time) time.Duration {
	d := expiry.Sub(b.now()).Truncate(time.Millisecond)
	if d < time.Millisecond {
		return 0
	}
	return d
}

// Find implements [sessionstore.Backend] with GET.
func (b *Backend) Find(ctx context.Context, id string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("redisstore: find: %w", err)
	}
	data, err := b.rdb.Get(ctx, b.Key(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redisstore: find: %w", err)
	}
	return data, true, nil
}

// Commit implements [sessionstore.Backend] with SET … PX, or DEL when
// expiry has passed.
func (b *Backend) Commit(ctx context.Context, id string, data []byte, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: commit: %w", err)
	}
	ttl := b.ttl(expiry)
	var err error
	if ttl == 0 {
		err = b.rdb.Del(ctx, b.Key(id)).Err()
	} else {
		err = b.rdb.SetArgs(ctx, b.Key(id), data, redis.SetArgs{TTL: ttl}).Err()
	}
	if err != nil {
		return fmt.Errorf("redisstore: commit: %w", err)
	}
	return nil
}

// Update implements [sessionstore.Updater] with SET … XX PX, or DEL when
// expiry has passed.
func (b *Backend) Update(ctx context.Context, id string, data []byte, expiry time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("redisstore: update: %w", err)
	}
	ttl := b.ttl(expiry)
	if ttl == 0 {
		n, err := b.rdb.Del(ctx, b.Key(id)).Result()
		if err != nil {
			return false, fmt.Errorf("redisstore: update: %w", err)
		}
		return n > 0, nil
	}
	err := b.rdb.SetArgs(ctx, b.Key(id), data, redis.SetArgs{Mode: "XX", TTL: ttl}).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("redisstore: update: %w", err)
	}
	return true, nil
}

// Delete implements [sessionstore.Backend] with DEL.
func (b *Backend) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	if err := b.rdb.Del(ctx, b.Key(id)).Err(); err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	return nil
}
