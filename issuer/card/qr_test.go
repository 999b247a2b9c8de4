package card

import (
	"math/rand/v2"
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

// qrBenchText is a six-competency card's QR text: the address, then 830
// digits (a token is as good as random digits).
func qrBenchText() string {
	r := rand.New(rand.NewPCG(6, 830))
	b := []byte("https://carnet.example.org/c#")
	for range 830 {
		b = append(b, byte('0'+r.IntN(10)))
	}
	return string(b)
}

// BenchmarkChooseQR is the symbol choice of a new QR text (encodeQR
// without its cache): the candidates, their look-alikes, gozxing's read.
func BenchmarkChooseQR(b *testing.B) {
	text := qrBenchText()
	for b.Loop() {
		if _, err := chooseQR(text); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFakeFinders counts the look-alikes of one candidate symbol.
func BenchmarkFakeFinders(b *testing.B) {
	q, err := chooseQR(qrBenchText())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		fakeFinders(q)
	}
}
