package imports

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/intake/intake"
)

// specialPurpose are the address blocks a location URL may not reach: the
// IANA special-purpose registries (RFC 6890 and its updates), multicast and
// the blocks that embed an IPv4 address in IPv6 (NAT64, 6to4, Teredo), which
// would otherwise reach a private IPv4 host through a public-looking name.
// Cloud metadata services live in some of them (169.254.169.254,
// 100.100.100.200 in 100.64.0.0/10, fd00:ec2::254).
var specialPurpose = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16",
		"192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
		"::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23",
		"2001:db8::/32", "2002::/16", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// publicAddr reports whether ip is an ordinary public unicast address.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.Zone() != "" {
		return false
	}
	for _, p := range specialPurpose {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// errLocationBlocked is the dialer's refusal: it never carries the address,
// which would tell a caller what a name resolves to inside our network.
var errLocationBlocked = errors.New("location address not allowed")

// guardDial is a net.Dialer Control: it checks the address actually being
// dialled, after DNS resolution, on every connection (redirects included),
// so neither a name that resolves to a private address nor a DNS answer
// that changes between a check and the dial gets through.
func guardDial(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return errLocationBlocked
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !publicAddr(ip) {
		return errLocationBlocked
	}
	return nil
}

// locationClient fetches location URLs. Unless LocationPrivate is set, its
// dialer refuses every special-purpose address (guardDial). It never uses a
// proxy: through one, the dialled address would be the proxy's and the
// check would see nothing of the target. It follows at most 5 redirects.
func (s *Service) locationClient() *http.Client {
	dialer := &net.Dialer{Timeout: 30 * time.Second}
	if !s.LocationPrivate {
		dialer.Control = guardDial
	}
	transport := &http.Transport{DialContext: dialer.DialContext, Proxy: nil, TLSHandshakeTimeout: 30 * time.Second}
	return &http.Client{Timeout: 10 * time.Minute, Transport: transport,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return nil
		}}
}

// fetchFailure says why a location could not be fetched without echoing
// the transport's error, which names resolved addresses.
func fetchFailure(err error) string {
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, errLocationBlocked):
		return "The location points at a private, local or reserved address, which this server does not fetch."
	case errors.As(err, &dnsErr):
		return "The location's host name could not be resolved."
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "The location did not answer in time."
	case strings.Contains(err.Error(), "too many redirects"):
		return "The location redirected more than 5 times."
	}
	return "The file at location could not be fetched: the connection failed."
}

// Fetch downloads a location URL (Copernica's location) into storage.
// Errors: EINVALID (not an http(s) URL, not fetchable), ETOOLARGE, and
// Store's.
func (s *Service) Fetch(ctx context.Context, tenantID int64, raw, format string) (Upload, error) {
	return s.fetchAs(ctx, newKey(tenantID), raw, format)
}

// fetchAs is Fetch into key.
func (s *Service) fetchAs(ctx context.Context, key, raw, format string) (Upload, error) {
	bad := func(msg string) error {
		return intake.Invalid(msg, intake.FieldError{Field: "location", Value: raw, Message: msg})
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Upload{}, bad("location must be an http or https URL.")
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	resp, err := s.locationClient().Do(req)
	if err != nil {
		return Upload{}, bad(fetchFailure(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Upload{}, bad(fmt.Sprintf("The file at location could not be fetched: the server answered %s.", resp.Status))
	}
	if resp.ContentLength > s.maxUpload() {
		return Upload{}, intake.Errorf(intake.ETOOLARGE, "The file at location is larger than the %d bytes allowed.", s.maxUpload())
	}
	return s.saveAs(ctx, key, resp.Body, u.Path[strings.LastIndexByte(u.Path, '/')+1:], format)
}
