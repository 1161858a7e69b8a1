package imports

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/intake/intake"
)

func TestPublicAddr(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr   string
		public bool
	}{
		{"8.8.8.8", true}, {"1.1.1.1", true}, {"2a00:1450:4001:80b::200e", true}, {"100.63.255.255", true}, {"100.128.0.1", true},
		{"127.0.0.1", false}, {"127.8.9.10", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"172.31.255.255", false},
		{"192.168.1.1", false}, {"169.254.169.254", false}, {"0.0.0.0", false}, {"0.1.2.3", false},
		{"100.64.0.1", false}, {"100.100.100.200", false}, {"100.127.255.255", false}, // carrier-grade NAT, Alibaba metadata
		{"192.0.0.170", false}, {"192.0.2.1", false}, {"198.18.0.1", false}, {"198.51.100.7", false}, {"203.0.113.9", false},
		{"224.0.0.1", false}, {"239.255.255.250", false}, {"240.0.0.1", false}, {"255.255.255.255", false},
		{"::", false}, {"::1", false}, {"::ffff:127.0.0.1", false}, {"::ffff:10.0.0.1", false}, {"::ffff:8.8.8.8", true},
		{"64:ff9b::a00:1", false}, {"2002:a00:1::1", false}, {"2001:0:4136:e378::1", false}, {"2001:db8::1", false},
		{"fc00::1", false}, {"fd00:ec2::254", false}, {"fe80::1", false}, {"ff02::1", false},
	} {
		if got := publicAddr(netip.MustParseAddr(tc.addr)); got != tc.public {
			t.Errorf("publicAddr(%s) = %v, want %v", tc.addr, got, tc.public)
		}
	}
	if publicAddr(netip.MustParseAddr("fe80::1%eth0")) {
		t.Error("a zoned address is public")
	}
}

// TestFetchRefusals fetches only loopback addresses: the refusals must not
// say what a name resolved to, and a proxy in the environment is never used.
func TestFetchRefusals(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("email\na@x.nl\n")) }))
	defer target.Close()
	var proxied atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		proxied.Add(1)
		w.Write([]byte("email\nproxied@x.nl\n"))
	}))
	defer proxy.Close()
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)

	svc := New(nil, nil, "NL", 0) // both fetches fail before storing anything
	_, port, _ := strings.Cut(strings.TrimPrefix(target.URL, "http://"), ":")
	_, err := svc.Fetch(context.Background(), 1, "http://localhost:"+port+"/export.csv", "")
	msg := intake.ErrorMessage(err)
	if intake.ErrorCode(err) != intake.EINVALID || !strings.Contains(msg, "private, local or reserved") ||
		strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "::1") {
		t.Fatalf("loopback by name: %v", err)
	}

	// Allowed to reach loopback, the client must still dial the target
	// itself: 127.0.0.2:1 refuses, and the proxy must see nothing.
	svc.LocationPrivate = true
	if _, err := svc.Fetch(context.Background(), 1, "http://127.0.0.2:1/export.csv", ""); err == nil ||
		strings.Contains(intake.ErrorMessage(err), "127.0.0.2") {
		t.Fatalf("through no proxy: %v", err)
	}
	if n := proxied.Load(); n != 0 {
		t.Fatalf("the proxy was used %d times", n)
	}
}
