package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"carnet/schema"
)

// BenchmarkCreateLearner is the cost of writing a learner (what learner
// search adds to it: migration 0020's trigrams), on a fresh database,
// with its CPU time (the machine is shared).
func BenchmarkCreateLearner(b *testing.B) {
	ctx := context.Background()
	db, err := Open(filepath.Join(b.TempDir(), "carnet.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	st := &schema.Structure{Slug: "bib", Name: "Bib"}
	if err := NewStructureStore(db).CreateStructure(ctx, st); err != nil {
		b.Fatal(err)
	}
	ls := NewLearnerStore(db)
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	cpu0 := cpu()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := ls.CreateLearner(ctx, &schema.Learner{ID: fmt.Sprint("l", i), StructureID: st.ID, Name: fmt.Sprintf("Éloïse Ndiaye-Bérénice %d", i),
			Contact: fmt.Sprintf("06 %02d %02d %02d %02d", i%100, i/100%100, i/7%100, i/13%100)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpu()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}
