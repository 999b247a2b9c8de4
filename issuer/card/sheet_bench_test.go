package card_test

import (
	"fmt"
	"io"
	"runtime"
	"testing"

	"carnet/issuer/card"
)

// BenchmarkRenderSheets prints a group of n cards (layout card, four to an
// A4 page) or n certificates (layout a4), each card yielded afresh as
// app.BatchSheets reads it from storage. Besides time and allocations it
// reports peak-live-MB: the most live heap seen while the PDF was drawn
// and written (sampled after a collection, out of the timer, every 50
// cards and every 256 KB written), which is what must stay flat as n
// grows.
func BenchmarkRenderSheets(b *testing.B) {
	proto := make([]*card.Card, 8) // distinct QR codes, like a real group
	for i := range proto {
		proto[i] = newCard(b, fmt.Sprintf("Participant·e %d Éloïse", i+1), six())
	}
	for _, layout := range []string{card.LayoutCard, card.LayoutA4} {
		for _, n := range []int{100, 1000} {
			b.Run(fmt.Sprintf("%s/%d", layout, n), func(b *testing.B) {
				var peak uint64
				sample := func() {
					b.StopTimer()
					runtime.GC()
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					peak = max(peak, m.HeapAlloc)
					b.StartTimer()
				}
				var size int64
				for b.Loop() {
					runtime.GC()
					cards := func(yield func(*card.Card) error) error {
						for i := range n {
							c := *proto[i%len(proto)]
							c.LearnerName = fmt.Sprintf("Participant·e %d Éloïse", i+1)
							if i%50 == 0 {
								sample()
							}
							if err := yield(&c); err != nil {
								return err
							}
						}
						return nil
					}
					w := &sampledWriter{sample: sample}
					if err := card.RenderSheets(w, layout, "fr", cards); err != nil {
						b.Fatal(err)
					}
					sample()
					size = w.n
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-live-MB")
				b.ReportMetric(float64(size)/(1<<20), "pdf-MB")
			})
		}
	}
}

// sampledWriter counts what it is given, samples the heap every 256 KB.
type sampledWriter struct {
	n, last int64
	sample  func()
}

func (w *sampledWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	if w.n-w.last >= 256<<10 {
		w.last = w.n
		w.sample()
	}
	return io.Discard.Write(p) // nothing kept
}
