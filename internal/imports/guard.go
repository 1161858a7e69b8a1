package imports

import (
	"net"
	"net/netip"
	"time"
)

// ErrAddressBlocked is the guarded dialer's refusal (see GuardedDialer).
var ErrAddressBlocked = errLocationBlocked

// GuardedDialer returns the dialer location fetches use, for other
// outgoing requests a tenant chooses the target of (webhook deliveries):
// unless allowPrivate (the operator's --location-allow-private, one switch
// for both), it refuses every special-purpose address after DNS
// resolution, on every connection (guardDial). Use it without a proxy.
func GuardedDialer(allowPrivate bool, timeout time.Duration) *net.Dialer {
	d := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		d.Control = guardDial
	}
	return d
}

// PublicAddr reports whether ip is an ordinary public unicast address,
// one the guarded dialer reaches.
func PublicAddr(ip netip.Addr) bool { return publicAddr(ip) }
