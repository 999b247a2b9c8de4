package outbound

import (
	"net/http"
	"testing"
)

// TestNoEnvironmentProxy: no client ever takes a proxy from HTTP_PROXY or
// HTTPS_PROXY: through a proxy, the connection checked would be the
// proxy's, not the partner's. (net/http never proxies loopback requests,
// so this cannot be seen from outside with test servers.)
func TestNoEnvironmentProxy(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://proxy.example.org:3128")
	t.Setenv("HTTPS_PROXY", "http://proxy.example.org:3128")
	for name, c := range map[string]*Client{"public": Public(), "development": New(Config{Private: true})} {
		g, ok := c.HTTP().Transport.(*guard)
		if !ok {
			t.Fatalf("%s: the client's transport is %T, not the policy's", name, c.HTTP().Transport)
		}
		tr, ok := g.next.(*http.Transport)
		if !ok || tr.Proxy != nil {
			t.Errorf("%s: the transport may use a proxy", name)
		}
		if c.HTTP().Jar != nil {
			t.Errorf("%s: the client keeps cookies", name)
		}
	}
}
