package webhookkit

import (
	"fmt"
	"net/netip"
	"syscall"

	"github.com/gatehouse-go/gatehouse/internal/netguard"
)

// publicAddress reports whether addr may be dialled as a webhook endpoint:
// the kit's one address policy (internal/netguard), which ssokit applies to
// identity providers too.
func publicAddress(addr netip.Addr) bool { return netguard.Public(addr) }

// refusePrivate is a net.Dialer Control function: it runs after name
// resolution, on the address about to be connected, so a name that
// resolves (or re-resolves, DNS rebinding) to an internal address is
// refused as well as a literal one.
func refusePrivate(network, address string, c syscall.RawConn) error {
	if err := netguard.Control(network, address, c); err != nil {
		return fmt.Errorf("%w: %w", ErrPrivateAddress, err)
	}
	return nil
}
