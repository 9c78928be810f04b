package http

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

// X-Forwarded-For is believed exactly when the peer is inside a configured
// prefix: IPv4 and IPv6 ranges, single addresses, and an IPv4 range written
// as IPv4-mapped IPv6; an unmasked prefix (10.1.2.3/8) means its network.
func TestIPExtractorTrustsExactlyTheConfiguredPrefixes(t *testing.T) {
	t.Parallel()
	extract := ipExtractor([]netip.Prefix{
		netip.MustParsePrefix("10.1.2.3/8"),
		netip.MustParsePrefix("192.0.2.7/32"),
		netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("::ffff:172.16.0.0/108"),
	})
	for _, tc := range []struct {
		peer string
		want string
	}{
		{"10.200.0.1", "203.0.113.9"},
		{"192.0.2.7", "203.0.113.9"},
		{"[2001:db8::1]", "203.0.113.9"},
		{"172.16.5.5", "203.0.113.9"},
		{"192.0.2.8", "192.0.2.8"},
		{"11.0.0.1", "11.0.0.1"},
		{"127.0.0.1", "127.0.0.1"}, // loopback is not trusted unless configured
		{"[2001:db9::1]", "2001:db9::1"},
		{"172.32.0.1", "172.32.0.1"},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = tc.peer + ":4321"
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		if got := extract(req); got != tc.want {
			t.Errorf("peer %s: client %s, want %s", tc.peer, got, tc.want)
		}
	}
	direct := ipExtractor(nil)
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "10.0.0.1:1"
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	if got := direct(req); got != "10.0.0.1" {
		t.Errorf("no trusted proxies: client %s, want the peer", got)
	}
}
