package app_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"carnet/issuer/card"
)

// benchCSV is a file of n learners assessed on six competencies.
func benchCSV(n int) []byte {
	var b strings.Builder
	b.WriteString("nom;contact;notes;1.1;1.2;2.1;3.1;4.2;5.1\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Participant·e %d Éloïse;;;%d;%d;%d;%d;%d;%d\n", i+1, i%8+1, (i+1)%8+1, (i+2)%8+1, (i+3)%8+1, (i+4)%8+1, (i+5)%8+1)
	}
	return []byte(b.String())
}

// benchBatch issues an n-row file and prints its cards, as a workshop's
// "issue all" then "print" does.
func benchBatch(b *testing.B, n int) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		ops := newBatchApp(b, b.TempDir())
		med := batchMediator(b, ops)
		b.StartTimer()
		bt, err := ops.CreateBatchCSV(ctx, med, "", "digcomp-2.2", "fr", benchCSV(n), "")
		if err != nil {
			b.Fatal(err)
		}
		if err := ops.RunBatch(ctx, bt.ID, nil); err != nil {
			b.Fatal(err)
		}
		if err := ops.BatchSheets(ctx, med, bt.ID, card.LayoutCard, "fr", io.Discard); err != nil {
			b.Fatal(err)
		}
		if _, rows, _ := ops.Batch(ctx, med, bt.ID); len(rows) != n || !rows[n-1].OK() {
			b.Fatalf("%d rows, last %+v", len(rows), rows[n-1])
		}
	}
}

// BenchmarkBatchWorkshop30: 30 participants × 6 competencies → 30 signed
// credentials and one PDF of their 30 cards (goal ≤ 2 s).
func BenchmarkBatchWorkshop30(b *testing.B) { benchBatch(b, 30) }

// BenchmarkBatchCSV1000: a 1,000-row file issued, with its cards PDF
// (goal ≤ 30 s).
func BenchmarkBatchCSV1000(b *testing.B) { benchBatch(b, 1000) }
