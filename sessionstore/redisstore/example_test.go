package redisstore_test

import (
	"log"
	"os"

	"github.com/gatehouse-go/gatehouse/sessionstore"
	"github.com/gatehouse-go/gatehouse/sessionstore/redisstore"
	"github.com/redis/go-redis/v9"
)

// Wiring a Store to Redis. (No output: it needs a Redis server. The
// package's tests run the same code against one.)
func Example() {
	opts, err := redis.ParseURL(os.Getenv("REDIS_URL")) // e.g. redis://localhost:6379/0
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	backend, err := redisstore.New(redisstore.Config{Client: rdb, KeyPrefix: "myapp:session:"})
	if err != nil {
		log.Fatal(err)
	}
	store, err := sessionstore.New(sessionstore.Config{
		Backend:  backend,
		KeyPairs: [][]byte{[]byte(os.Getenv("SESSION_HASH_KEY"))}, // at least 32 bytes
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = store // use it as any sessions.Store, or with ssokit.NewGorillaSessions
}
