package sqlite

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carnet/schema"
)

// TestLearnerSearchGrams: the search through the trigrams (migration
// 0020) answers what comparing every learner's folded text answers —
// the same learners in the same order, n at most — for texts of every
// length, whole instance or one structure, after learners are created,
// renamed, erased and deleted, on both sides of the short texts'
// threshold; and the trigram rows and counts follow the learners.
func TestLearnerSearchGrams(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sts []*schema.Structure
	for i := 0; i < 2; i++ {
		st := &schema.Structure{Slug: fmt.Sprintf("bib-%d", i), Name: "Bib"}
		if err := NewStructureStore(db).CreateStructure(ctx, st); err != nil {
			t.Fatal(err)
		}
		sts = append(sts, st)
	}
	ls := NewLearnerStore(db)
	rng := rand.New(rand.NewSource(20))
	first := []string{"Éloïse", "Léa", "Zoë", "Benoît", "Œdipe", "Aïcha", "Jean-Marc", "Ana", "Eve", "Ömer"}
	last := []string{"Dupont", "Martin", "N'Diaye", "Lefèvre", "Straße", "Garçon", "Dupond", "Ba", "Ølsen", "Ee"}
	name := func() string { return first[rng.Intn(len(first))] + " " + last[rng.Intn(len(last))] }
	contact := func() string {
		if rng.Intn(3) == 0 {
			return ""
		}
		return fmt.Sprintf("06 %02d %02d", rng.Intn(30), rng.Intn(30))
	}
	var ids []string
	for i := 0; i < 400; i++ {
		id := fmt.Sprint("l", i)
		if err := ls.CreateLearner(ctx, &schema.Learner{ID: id, StructureID: sts[rng.Intn(2)].ID, Name: name(), Contact: contact()}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	// The same time for a few (ties: by rowid).
	db.db.Exec(`UPDATE learners SET created_at = '2026-01-01T00:00:00.000000000Z' WHERE rowid % 17 = 0`)
	for _, id := range ids[:60] {
		if err := ls.UpdateLearner(ctx, &schema.Learner{ID: id, Name: name(), Contact: contact()}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids[60:90] {
		if err := ls.EraseLearner(ctx, id, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids[90:100] {
		if err := ls.DeleteLearner(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	// The trigram rows are those of the learners as they are now.
	var stale, wrong int
	db.db.QueryRow(`SELECT COUNT(*) FROM learner_grams g WHERE NOT EXISTS (SELECT 1 FROM learners l WHERE l.rowid = g.learner
		AND l.created_at = g.created_at AND instr(l.folded || char(10, 10), g.gram) > 0)`).Scan(&stale)
	db.db.QueryRow(`SELECT COUNT(*) FROM learner_gram_counts c WHERE c.n != (SELECT COUNT(*) FROM learner_grams g WHERE g.gram = c.gram)`).Scan(&wrong)
	if stale != 0 || wrong != 0 {
		t.Errorf("%d trigram rows of no learner, %d wrong counts", stale, wrong)
	}

	reference := func(scope []int64, fq string, n int) string {
		q := `SELECT id FROM learners l WHERE erased_at = '' AND instr(folded, ?) > 0`
		args := []any{fq}
		if scope != nil {
			q += ` AND structure_id = ?`
			args = append(args, scope[0])
		}
		rows, err := db.db.Query(q+` ORDER BY created_at DESC, rowid DESC LIMIT ?`, append(args, n)...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id string
			rows.Scan(&id)
			out = append(out, id)
		}
		return strings.Join(out, ",")
	}
	var texts []string
	var folded []string
	rows, _ := db.db.Query(`SELECT folded FROM learners WHERE folded != ''`)
	for rows.Next() {
		var f string
		rows.Scan(&f)
		folded = append(folded, f)
	}
	rows.Close()
	for i := 0; i < 300; i++ {
		r := []rune(folded[rng.Intn(len(folded))])
		at, size := rng.Intn(len(r)), 1+rng.Intn(8)
		texts = append(texts, string(r[at:min(len(r), at+size)]))
	}
	texts = append(texts, "", "e", "é", "ee", "zq", "q", "06 1", "dupon", "dupont martin", "strasse", "oedipe", "n'diaye", "ba\n06", "xyz", "Ö", "06 29 29")
	found, short := 0, 0
	for _, threshold := range []int{5000, 3} { // 3: short texts read by the ordered scan
		shortGramRows = threshold
		for _, text := range texts {
			if strings.Contains(text, "\n") {
				continue // a search text holds no line break: Fold makes it a space
			}
			for _, scope := range [][]int64{nil, {sts[1].ID}} {
				for _, n := range []int{5, 50} {
					got, err := ls.SearchLearners(ctx, scope, text, n)
					if err != nil {
						t.Fatal(err)
					}
					var g []string
					for _, l := range got {
						g = append(g, l.ID)
					}
					want := reference(scope, schema.Fold(text), n)
					if strings.Join(g, ",") != want {
						t.Errorf("search %q in %v, %d at most (threshold %d): %v, want %s", text, scope, n, threshold, g, want)
					}
					if want != "" {
						found++
						if len([]rune(text)) < 3 {
							short++
						}
					}
				}
			}
		}
	}
	shortGramRows = 5000
	// No structure: no one, whatever the way.
	for _, text := range []string{"", "e", "zq", "dupont", "06 1"} {
		if got, err := ls.SearchLearners(ctx, []int64{}, text, 50); err != nil || len(got) != 0 {
			t.Errorf("search %q in no structure: %v, %v", text, got, err)
		}
	}
	// The trigram's learners are read in the order of the results, from
	// the key of learner_grams, with no sort.
	for _, scope := range []string{"", " AND l.structure_id IN (?)"} {
		args := []any{"abc", "bcd", "abcd"}
		if scope != "" {
			args = append(args, sts[0].ID)
		}
		rows, err := db.db.Query(`EXPLAIN QUERY PLAN `+gramQuery(1, scope), append(args, 50)...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			rows.Scan(&id, &parent, &unused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, "SEARCH g USING PRIMARY KEY (gram=?)") || strings.Contains(p, "TEMP B-TREE") ||
			!strings.Contains(p, "SEARCH l USING INTEGER PRIMARY KEY (rowid=?)") {
			t.Errorf("plan %q: want the trigram's rows in order, then each learner by rowid", p)
		}
	}
	if found < 500 || short < 50 {
		t.Errorf("%d searches found someone, %d of them short: the test compares too little", found, short)
	}
}

// TestMigration0020Backfill: migration 0020 fills the learners' trigrams
// and counts, and the batch rows' credential time and learner, from the
// rows written before it; a batch row finished since has them too.
func TestMigration0020Backfill(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := &schema.Structure{Slug: "bib", Name: "Bib"}
	if err := NewStructureStore(db).CreateStructure(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := NewLearnerStore(db).CreateLearner(ctx, &schema.Learner{ID: "a", StructureID: st.ID, Name: "Zoé", Contact: "06"}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	creds := NewCredentialStore(db)
	for i, learner := range []string{"a", ""} {
		c := &schema.CredentialRecord{ID: fmt.Sprint("urn:uuid:", i), Structure: "bib", LearnerID: learner, SubjectID: "did:example:" + fmt.Sprint(i),
			Framework: "digcomp-2.2", Results: []schema.LevelResult{{Competency: "1.1", Level: "3"}}, IssuedAt: at.Add(time.Duration(i) * time.Hour),
			JWT: "x", CardToken: "y", ShortCode: fmt.Sprint("S", i), StatusList: 1, StatusIndex: i + 1}
		if err := creds.CreateCredential(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	bs := NewBatchStore(db)
	rows := []*schema.BatchRow{{Row: 1, Key: "k1"}, {Row: 2, Key: "k2"}, {Row: 3, Key: "k3"}}
	if _, _, err := bs.CreateBatch(ctx, &schema.Batch{ID: "b", StructureID: st.ID, Framework: "digcomp-2.2", Status: schema.BatchDone}, rows); err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"urn:uuid:0", "urn:uuid:1", ""} {
		rows[i].CredentialID = id
		if err := bs.FinishBatchRow(ctx, rows[i], id != ""); err != nil {
			t.Fatal(err)
		}
	}
	state := func() string {
		var out []string
		r, _ := db.db.Query(`SELECT row, cred_issued_at, cred_learner FROM batch_rows ORDER BY row`)
		for r.Next() {
			var n int
			var a, l string
			r.Scan(&n, &a, &l)
			out = append(out, fmt.Sprint(n, " ", a, " ", l))
		}
		r.Close()
		var grams, counts string
		db.db.QueryRow(`SELECT group_concat(replace(gram, char(10), '|'), ',') FROM (SELECT gram FROM learner_grams ORDER BY gram)`).Scan(&grams)
		db.db.QueryRow(`SELECT group_concat(replace(gram, char(10), '|') || '=' || n, ',') FROM (SELECT * FROM learner_gram_counts WHERE n > 0 ORDER BY gram)`).Scan(&counts)
		return strings.Join(out, "; ") + " / " + grams + " / " + counts
	}
	want := "1 2026-03-01T10:00:00.000000000Z a; 2 2026-03-01T11:00:00.000000000Z did:example:1; 3   / |06,06|,6||,e|0,oe|,zoe / |06=1,06|=1,6||=1,e|0=1,oe|=1,zoe=1"
	if got := state(); got != want {
		t.Errorf("written:\n got %s\nwant %s", got, want)
	}
	// As before the migration.
	if _, err := db.db.Exec(`UPDATE batch_rows SET cred_issued_at = '', cred_learner = ''; DELETE FROM learner_grams; DELETE FROM learner_gram_counts`); err != nil {
		t.Fatal(err)
	}
	text, err := migrationFS.ReadFile("migrations/0020_learner_grams.sql")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, stmt := range strings.Split(string(text), ";\n") {
		stmt = strings.TrimSpace(stmt)
		for strings.HasPrefix(stmt, "--") {
			_, stmt, _ = strings.Cut(stmt, "\n")
			stmt = strings.TrimSpace(stmt)
		}
		if strings.Contains(stmt, "NEW.") { // a trigger's body
			continue
		}
		if strings.HasPrefix(stmt, "INSERT OR IGNORE INTO learner_grams") || strings.HasPrefix(stmt, "INSERT INTO learner_gram_counts (gram, n) SELECT") ||
			strings.HasPrefix(stmt, "UPDATE batch_rows SET") {
			if strings.HasPrefix(stmt, "INSERT INTO learner_gram_counts") {
				// The migration counts before it creates the trigger that
				// counted the rows just inserted here.
				db.db.Exec(`DELETE FROM learner_gram_counts`)
			}
			if _, err := db.db.Exec(stmt); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if n != 3 {
		t.Fatalf("found %d backfill statements, want 3", n)
	}
	if got := state(); got != want {
		t.Errorf("after backfill:\n got %s\nwant %s", got, want)
	}
}
