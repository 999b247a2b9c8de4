package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"carnet/schema"
)

func benchCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCreateCredential measures the storage of an issued credential
// (six levels) on its own: what the bilan's trigger and indexes add to
// issuance shows here, without the signatures around it. cpu-µs/op is the
// process's CPU time, less sensitive to a shared machine than ns/op.
func BenchmarkCreateCredential(b *testing.B) {
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
	if err := NewLearnerStore(db).CreateLearner(ctx, &schema.Learner{ID: "l", StructureID: st.ID, Name: "Éloïse"}); err != nil {
		b.Fatal(err)
	}
	if drop := os.Getenv("BENCH_DROP"); drop != "" {
		if _, err := db.db.Exec(drop); err != nil {
			b.Fatal(err)
		}
	}
	cs := NewCredentialStore(db)
	jwt := string(make([]byte, 10000))
	results := []schema.LevelResult{{Competency: "1.1", Level: "3"}, {Competency: "1.2", Level: "2"}, {Competency: "2.1", Level: "4"}, {Competency: "3.1", Level: "2"}, {Competency: "4.2", Level: "2"}, {Competency: "5.1", Level: "1"}}
	cpu := benchCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := &schema.CredentialRecord{ID: fmt.Sprintf("urn:uuid:%d", i), Structure: "bib", LearnerID: "l", SubjectID: "urn:uuid:l",
			Framework: "digcomp-2.2", Results: results, IssuedAt: time.Now(), JWT: jwt, CardToken: "card", ShortCode: fmt.Sprintf("S%d", i),
			StatusList: 1, StatusIndex: i}
		if err := cs.CreateCredential(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((benchCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
}
