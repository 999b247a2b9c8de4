package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestServeTrustedProxies: `carnet serve` ignores X-Forwarded-For unless
// --trusted-proxies names the peer; the short-code limiter shows which
// address the server believes.
func TestServeTrustedProxies(t *testing.T) {
	guess := func(base, xff string, i int) int {
		req, _ := http.NewRequest("POST", base+"/api/v1/verify", strings.NewReader(fmt.Sprintf(`{"input": "ZZZZ-ZZZZ-%02d"}`, i)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", xff)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for _, tc := range []struct {
		name    string
		args    []string
		another int // answer to a 31st guess with another forwarded address
	}{
		{"default", nil, http.StatusTooManyRequests},
		{"trusted peer", []string{"--trusted-proxies", "10.0.0.0/8,127.0.0.1"}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, _ := startServe(t, t.TempDir(), tc.args...)
			for i := 0; i < 30; i++ {
				if code := guess(base, "198.51.100.7", i); code != http.StatusOK {
					t.Fatalf("guess %d: %d", i, code)
				}
			}
			if code := guess(base, "198.51.100.7", 30); code != http.StatusTooManyRequests {
				t.Errorf("31st guess, same forwarded address: %d", code)
			}
			if code := guess(base, "198.51.100.8", 31); code != tc.another {
				t.Errorf("31st guess, another forwarded address: %d, want %d", code, tc.another)
			}
		})
	}
}
