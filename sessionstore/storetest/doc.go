// Package storetest checks a [sessionstore.Backend] against its contract.
// Run it from the backend's own tests:
//
//	func TestBackend(t *testing.T) {
//		storetest.TestBackend(t, func(t *testing.T) sessionstore.Backend { return newMyBackend(t) })
//	}
//
// Every backend of this module runs it; so should a host's own backend.
package storetest
