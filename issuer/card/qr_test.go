package card

import (
	"strconv"
	"testing"
)

// TestQRCache: a text's symbol is chosen once and reused; the cache keeps
// the last qrCacheSize texts only.
func TestQRCache(t *testing.T) {
	text := func(i int) string { return "https://carnet.example.org/c#" + strconv.Itoa(1_000_000+i) + "0123456789" }
	a, err := encodeQR(text(0))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := encodeQR(text(0)); b != a {
		t.Error("the same text gave another symbol: not cached")
	}
	for i := 1; i <= qrCacheSize; i++ {
		if _, err := encodeQR(text(i)); err != nil {
			t.Fatal(err)
		}
	}
	qrCache.Lock()
	n, kept := len(qrCache.codes), qrCache.codes[text(0)] != nil
	qrCache.Unlock()
	if n > qrCacheSize || kept {
		t.Errorf("%d symbols cached (at most %d), the oldest kept: %v", n, qrCacheSize, kept)
	}
	if c, _ := encodeQR(text(0)); c == a || c.Size() != a.Size() {
		t.Error("an evicted text was not chosen again")
	}
}
