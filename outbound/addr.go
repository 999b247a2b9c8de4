package outbound

import "net/netip"

// IsPublicAddr reports whether a is a public unicast Internet address:
// not loopback, private, link-local, shared (CGNAT), documentation,
// benchmarking, multicast or reserved. IPv6 must be global unicast
// (2000::/3) outside its special-purpose blocks; an IPv6 address that
// embeds an IPv4 one (IPv4-mapped, NAT64 64:ff9b::/96, 6to4 2002::/16) is
// judged by that IPv4 address, so that a NAT64 gateway cannot reach a
// private network.
func IsPublicAddr(a netip.Addr) bool {
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return false
	case a.Is4():
		for _, p := range nonPublic4 {
			if p.Contains(a) {
				return false
			}
		}
		return true
	case nat64.Contains(a):
		b := a.As16()
		return IsPublicAddr(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(a):
		b := a.As16()
		return IsPublicAddr(netip.AddrFrom4([4]byte(b[2:6])))
	case !global6.Contains(a):
		return false
	}
	for _, p := range special6 {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

func prefixes(list ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(list))
	for i, p := range list {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}

// Address blocks that are not the public Internet (IANA special-purpose
// address registries, RFC 6890 and updates).
var (
	nonPublic4 = prefixes("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4")
	global6   = netip.MustParsePrefix("2000::/3")
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	// Teredo, benchmarking, ORCHID, documentation, and the rest of
	// 2001::/23 that IANA reserves for special purposes.
	special6 = prefixes("2001::/23", "2001:db8::/32", "3fff::/20")
)
