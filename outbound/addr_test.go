package outbound_test

import (
	"net/netip"
	"testing"

	"carnet/outbound"
)

// TestIsPublicAddr: only public unicast addresses are public, IPv6 forms
// that embed an IPv4 address (mapped, NAT64, 6to4) judged by that address.
func TestIsPublicAddr(t *testing.T) {
	for addr, public := range map[string]bool{
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "100.64.0.1": false, "0.0.0.0": false, "::": false, "fc00::1": false, "fe80::1": false,
		"::ffff:127.0.0.1": false, "224.0.0.1": false,
		"64:ff9b::a00:1": false, "64:ff9b::7f00:1": false, "64:ff9b:1::1": false, "2002:a00:1::1": false, "2002:7f00:1::": false,
		"fec0::1": false, "::127.0.0.1": false, "0.1.2.3": false, "198.18.0.1": false, "192.0.0.1": false, "240.0.0.1": false,
		"255.255.255.255": false, "2001::1": false, "2001:db8::1": false, "192.0.2.1": false, "ff02::1": false,
		"8.8.8.8": true, "193.51.24.1": true, "2001:4860:4860::8888": true, "::ffff:8.8.8.8": true,
		"64:ff9b::808:808": true, "2002:808:808::1": true, "2a01:e0a::1": true,
	} {
		if got := outbound.IsPublicAddr(netip.MustParseAddr(addr)); got != public {
			t.Errorf("IsPublicAddr(%s) = %v, want %v", addr, got, public)
		}
	}
}
