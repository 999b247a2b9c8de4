package report_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"carnet/report"
	"carnet/schema"
	"carnet/sqlite"
)

// The bilan at scale: set CARNET_BENCH_DATA to a data dir made by
//
//	carnet gen-demo --data DIR --structures 100 --learners 200000 --credentials 1000000
//
// and run go test ./report -run '^$' -bench Bilan. Without it, the
// benchmarks are skipped.
func benchStore(b *testing.B) (*sqlite.DB, *sqlite.ReportStore) {
	dir := os.Getenv("CARNET_BENCH_DATA")
	if dir == "" {
		b.Skip("CARNET_BENCH_DATA is not set (a data dir made by carnet gen-demo)")
	}
	db, err := sqlite.Open(filepath.Join(dir, "carnet.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, sqlite.NewReportStore(db)
}

func benchBilan(b *testing.B, slug string) {
	db, st := benchStore(b)
	ctx := context.Background()
	var ids []int64
	if slug != "" {
		s, err := sqlite.NewStructureStore(db).FindStructure(ctx, slug)
		if err != nil {
			b.Fatal(err)
		}
		ids = []int64{s.ID}
	}
	fws := schema.NewFrameworks()
	cat, _ := schema.StarterCatalogue(fws)
	q := report.Query{StructureIDs: ids, From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	cpu0 := cpuTime()
	b.ResetTimer()
	defer func() {
		// The VM is shared: the CPU time of the process says what the
		// bilan costs without the waits for other processes.
		b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	}()
	for i := 0; i < b.N; i++ {
		r, err := report.Build(ctx, st, q, report.Options{Frameworks: fws, Catalogue: cat})
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			b.ReportMetric(float64(r.People.N), "people")
			b.ReportMetric(float64(r.Credentials.Issued.N), "issued")
		}
	}
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBilanStructureYear is the year of the largest structure.
func BenchmarkBilanStructureYear(b *testing.B) { benchBilan(b, "demo-001") }

// BenchmarkBilanSmallStructureYear is the year of a small structure.
func BenchmarkBilanSmallStructureYear(b *testing.B) { benchBilan(b, "demo-100") }

// BenchmarkBilanNetworkYear is the year of the whole network.
func BenchmarkBilanNetworkYear(b *testing.B) { benchBilan(b, "") }

// BenchmarkSearchLearners is the learner search at scale: in a structure
// and in the whole instance, a common name and a text that matches no one
// (the worst case of a scan: every candidate compared), a surname, a
// contact's fragment whose every trigram is common, and short texts.
func BenchmarkSearchLearners(b *testing.B) {
	db, _ := benchStore(b)
	ctx := context.Background()
	s, err := sqlite.NewStructureStore(db).FindStructure(ctx, "demo-001")
	if err != nil {
		b.Fatal(err)
	}
	ls := sqlite.NewLearnerStore(db)
	for _, tc := range []struct {
		name string
		ids  []int64
		q    string
	}{
		{"structure/common", []int64{s.ID}, "eloise dup"},
		{"structure/none", []int64{s.ID}, "zzzz"},
		{"network/common", nil, "Éloïse Dupont"},
		{"network/none", nil, "zzzz"},
		{"network/surname", nil, "dupont"},
		{"network/phone", nil, "06 12 34 5"}, // every trigram common, a few people
		{"network/letter", nil, "e"},
		{"network/short-none", nil, "zq"},
		{"network/accent-none", nil, "Ééé"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cpu0 := cpuTime()
			defer func() { b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op") }()
			for i := 0; i < b.N; i++ {
				if _, err := ls.SearchLearners(ctx, tc.ids, tc.q, 50); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
