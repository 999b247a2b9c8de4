package app

import "testing"

func TestIsLoopbackURL(t *testing.T) {
	for base, want := range map[string]bool{
		"http://localhost:8080": true, "http://127.0.0.1:8080": true, "http://[::1]:8080": true, "http://app.localhost": true,
		"http://127.1.2.3": true, "": true, "https://carnet.example.org": false, "http://192.168.1.20:8080": false,
	} {
		if got := IsLoopbackURL(base); got != want {
			t.Errorf("IsLoopbackURL(%q) = %v, want %v", base, got, want)
		}
	}
}
