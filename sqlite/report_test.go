package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carnet/schema"
)

// TestLearnerSearchFolded: search compares names and contacts folded
// (accents and cases alike), never across the two, skips erased learners,
// and reads the index learners_search (learners_recent for the whole
// instance) instead of every row.
func TestLearnerSearchFolded(t *testing.T) {
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
	ls := NewLearnerStore(db)
	for _, l := range []*schema.Learner{
		{ID: "a", Name: "Éloïse Dupont", Contact: "06 12 34 56 78"},
		{ID: "b", Name: "ELOISE MARTIN", Contact: "eloise@example.org"},
		{ID: "c", Name: "Benoît Œuvray", Contact: ""},
		{ID: "d", Name: "Éloïse Effacée"},
	} {
		l.StructureID = st.ID
		if err := ls.CreateLearner(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	if err := ls.EraseLearner(ctx, "d", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := ls.UpdateLearner(ctx, &schema.Learner{ID: "c", Name: "Benoît Œuvray", Contact: "benoit@exemple.fr"}); err != nil {
		t.Fatal(err)
	}
	ids := func(list []*schema.Learner) string {
		var out []string
		for _, l := range list {
			out = append(out, l.ID)
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct{ q, want string }{
		{"eloise", "b,a"}, {"ÉLOÏSE DUP", "a"}, {"oeuvray", "c"}, {"benoit@", "c"}, {"06 12", "a"},
		{"dupont 06", ""}, // not across name and contact
		{"effacee", ""}, {"", "c,b,a"}, {"%", ""}, {"_", ""},
	} {
		for _, scope := range [][]int64{{st.ID}, nil} {
			got, err := ls.SearchLearners(ctx, scope, tc.q, 10)
			if err != nil {
				t.Fatal(err)
			}
			if ids(got) != tc.want {
				t.Errorf("search %q in %v: %s, want %s", tc.q, scope, ids(got), tc.want)
			}
		}
	}
	for _, tc := range []struct{ where, index string }{
		{"l.structure_id IN (?)", "learners_search"},
		{"1", "learners_recent"},
	} {
		rows, err := db.db.Query(`EXPLAIN QUERY PLAN SELECT l.id FROM learners l WHERE l.erased_at = '' AND instr(l.folded, ?) > 0 AND `+tc.where+`
			ORDER BY l.created_at DESC, l.rowid DESC LIMIT 50`, "x", st.ID)
		if err != nil && tc.where == "1" {
			rows, err = db.db.Query(`EXPLAIN QUERY PLAN SELECT l.id FROM learners l WHERE l.erased_at = '' AND instr(l.folded, ?) > 0
				ORDER BY l.created_at DESC, l.rowid DESC LIMIT 50`, "x")
		}
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
		if p := strings.Join(plan, "; "); !strings.Contains(p, "INDEX "+tc.index) || strings.Contains(p, "TEMP B-TREE FOR ORDER BY") {
			t.Errorf("search in %s: plan %q, want the index %s, in order (ties of created_at may be sorted)", tc.where, p, tc.index)
		}
	}
}

// TestReportMigrationBackfill: migration 0012 fills credential_levels and
// the folded names from the rows written before it.
func TestReportMigrationBackfill(t *testing.T) {
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
	if err := NewLearnerStore(db).CreateLearner(ctx, &schema.Learner{ID: "a", StructureID: st.ID, Name: "Éloïse", Contact: "Zoé"}); err != nil {
		t.Fatal(err)
	}
	c := &schema.CredentialRecord{ID: "urn:uuid:1", Structure: "bib", LearnerID: "a", SubjectID: "urn:uuid:a", Framework: "digcomp-2.2",
		Results: []schema.LevelResult{{Competency: "1.1", Level: "3"}, {Competency: "2.1", Level: "1"}}, IssuedAt: time.Now(),
		JWT: "x", CardToken: "y", ShortCode: "S1", StatusList: 1, StatusIndex: 1}
	if err := NewCredentialStore(db).CreateCredential(ctx, c); err != nil {
		t.Fatal(err)
	}
	// As before the migration: no levels, no folded names.
	if _, err := db.db.Exec(`DELETE FROM credential_levels; UPDATE learners SET folded = ''`); err != nil {
		t.Fatal(err)
	}
	sql, err := migrationFS.ReadFile("migrations/0012_reports.sql")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, stmt := range strings.Split(string(sql), ";\n") {
		stmt = strings.TrimSpace(stmt)
		for strings.HasPrefix(stmt, "--") { // leading comment lines
			_, stmt, _ = strings.Cut(stmt, "\n")
			stmt = strings.TrimSpace(stmt)
		}
		if strings.HasPrefix(stmt, "INSERT OR IGNORE INTO credential_levels") || strings.HasPrefix(stmt, "UPDATE learners SET folded") {
			if _, err := db.db.Exec(stmt); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if n != 2 {
		t.Fatalf("found %d backfill statements, want 2", n)
	}
	var levels, folded string
	db.db.QueryRow(`SELECT group_concat(competency || '=' || level || '@' || learner, ' ') FROM (SELECT * FROM credential_levels ORDER BY competency)`).Scan(&levels)
	db.db.QueryRow(`SELECT folded FROM learners WHERE id = 'a'`).Scan(&folded)
	if levels != "1.1=3@a 2.1=1@a" || folded != "eloise\nzoe" {
		t.Errorf("after backfill: levels %q, folded %q", levels, folded)
	}
	// Revoking follows into the levels.
	if _, err := NewCredentialStore(db).SetCredentialStatus(ctx, c.ID, schema.StatusChange{Action: schema.AuditRevoke, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var revoked int
	db.db.QueryRow(`SELECT SUM(revoked) FROM credential_levels`).Scan(&revoked)
	if revoked != 2 {
		t.Errorf("revoked levels: %d, want 2", revoked)
	}
}
