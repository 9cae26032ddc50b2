// Package redisstore is a [sessionstore.Backend] on Redis, through
// github.com/redis/go-redis/v9, for applications that run several
// instances.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	backend, err := redisstore.New(redisstore.Config{Client: rdb})
//
// Each session is one string key, [Config.KeyPrefix] followed by the
// session id, written with SET … PX so that Redis itself drops it at
// expiry (the TTL is computed from [Config.Now]; Redis counts it on its own
// clock from the moment of the write). Find is a GET, Delete a DEL, and
// [Backend.Update] a SET … XX, which replaces only a key that still
// exists. There is nothing to sweep.
//
// New does no I/O: the client connects on first use. The host owns the
// client (and closes it); any redis.UniversalClient works, including a
// cluster or failover client.
package redisstore
