package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"carnet/report"
)

// ReportStore implements report.Store: it counts the bilan's figures from
// the credentials, their levels (table credential_levels) and the
// summaries of the learners' histories (level_histories,
// person_histories), all three brought up to date before each bilan, the
// attached credentials, the verification tallies, and the workshops with
// their batch rows. Migrations 0012, 0018 and 0020 have the tables and
// indexes each query relies on.
type ReportStore struct{ db *DB }

// NewReportStore returns the report store of db.
func NewReportStore(db *DB) *ReportStore { return &ReportStore{db: db} }

// scope is the WHERE conditions of a query on structures and framework.
type scope struct {
	where string
	args  []any
}

func (sc *scope) add(cond string, args ...any) {
	sc.where += " AND " + cond
	sc.args = append(sc.args, args...)
}

// of returns the conditions of q on a table alias: its structures (col
// structure_id) and framework (col framework, when fw).
func of(q report.Query, alias string, fw bool) *scope {
	sc := &scope{where: "1"}
	if q.StructureIDs != nil {
		ph := make([]string, len(q.StructureIDs))
		for i, id := range q.StructureIDs {
			ph[i] = "?"
			sc.args = append(sc.args, id)
		}
		sc.where += " AND " + alias + ".structure_id IN (" + strings.Join(ph, ",") + ")"
	}
	if fw && q.Framework != "" {
		sc.add(alias+".framework = ?", q.Framework)
	}
	return sc
}

func (sc *scope) with(cond string, args ...any) *scope {
	out := &scope{where: sc.where, args: append([]any{}, sc.args...)}
	out.add(cond, args...)
	return out
}

// Headline implements report.Store.
func (s *ReportStore) Headline(ctx context.Context, q report.Query) (*report.Headline, error) {
	if err := s.syncLevels(ctx); err != nil {
		return nil, err
	}
	var h report.Headline
	err := s.read(ctx, func(tx *sql.Tx) error { return headline(ctx, tx, q, &h) })
	if err != nil {
		return nil, fmt.Errorf("sqlite: report: %w", err)
	}
	return &h, nil
}

// read runs fn in one read transaction, so every figure of a bilan is
// counted on the same state.
func (s *ReportStore) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

func headline(ctx context.Context, tx *sql.Tx, q report.Query, h *report.Headline) error {
	if err := people(ctx, tx, q, h, nil); err != nil {
		return err
	}
	if err := counts(ctx, tx, q, h); err != nil {
		return err
	}
	ws, err := workshopFigures(ctx, tx, q, [2]time.Time{q.From, q.To})
	if err != nil {
		return err
	}
	h.Workshops = ws[0].total
	return nil
}

// people counts the people of q's period (learners with a credential in
// it: every credential has level rows), those whose first credential here
// (in this framework) is in the period, and those with a credential of
// another issuer attached. With prev, the same figures of the period
// [prevFrom, q.From) just before, in the same pass. It reads the learners'
// paths (person_histories: first and latest time per structure, learner
// and framework); only for a path that goes on after an end (q.To, or
// q.From for the previous period) does it read the learner's level rows
// for the latest time before that end. A learner's first time is the same
// up to either end when it is before it.
func people(ctx context.Context, tx *sql.Tx, q report.Query, h, prev *report.Headline) error {
	from, to := formatTime(q.From), formatTime(q.To)
	pfrom := from // without prev, the previous period's sums are of nobody
	if prev != nil {
		pf, _ := report.PreviousPeriod(q.From, q.To)
		pfrom = formatTime(pf)
	}
	paths := of(q, "p", true)
	fw, fwArgs := "", []any{}
	if q.Framework != "" {
		fw, fwArgs = " AND h.framework = ?", []any{q.Framework}
	}
	latest := func(end string) (string, []any) {
		return `(SELECT MAX(h.issued_at) FROM credential_levels h WHERE h.structure_id = g.s AND h.learner = g.lrn` + fw + ` AND h.issued_at < ?)`,
			append(append([]any{}, fwArgs...), end)
	}
	lastTo, lastToArgs := latest(to)
	lastFrom, lastFromArgs := latest(from)
	args := append([]any{to}, lastToArgs...)
	args = append(append(args, from, from), lastFromArgs...)
	args = append(append(args, paths.args...), pfrom, to, from, pfrom)
	args = append(args, from, from, from, from, pfrom, pfrom, pfrom, pfrom)
	// Multi-structure: for the network, the few learners with a foreign
	// credential attached, listed once; for structures, looked up.
	multi := `g.lrn IN (SELECT i.learner_id FROM imports i WHERE ` + foreign + `)`
	if q.StructureIDs != nil {
		multi = `EXISTS (SELECT 1 FROM imports i WHERE i.learner_id = g.lrn AND ` + foreign + `)`
	}
	var n [6]sql.NullInt64
	// Materialized, so that each lookup and EXISTS runs once per learner
	// (flattened, the sums would repeat them).
	err := tx.QueryRowContext(ctx, `WITH g AS MATERIALIZED (SELECT g.lrn, g.first,
				CASE WHEN g.upto < ? THEN g.upto ELSE `+lastTo+` END AS last,
				CASE WHEN g.first >= ? THEN NULL WHEN g.upto < ? THEN g.upto ELSE `+lastFrom+` END AS plast
			FROM (SELECT p.structure_id AS s, p.learner AS lrn, MIN(p.first_at) AS first, MAX(p.last_at) AS upto
				FROM person_histories p WHERE `+paths.where+`
				GROUP BY p.structure_id, p.learner HAVING upto >= ? AND first < ?) g),
		m AS MATERIALIZED (SELECT g.*, `+multi+` AS multi
			FROM g WHERE g.last >= ? OR g.plast >= ?)
		SELECT SUM(g.last >= ?), SUM(g.last >= ? AND g.first < ?), SUM(g.last >= ? AND g.multi),
			SUM(g.plast >= ?), SUM(g.plast >= ? AND g.first < ?), SUM(g.plast >= ? AND g.multi) FROM m g`, args...).Scan(&n[0], &n[1], &n[2], &n[3], &n[4], &n[5])
	if err != nil {
		return fmt.Errorf("people: %w", err)
	}
	h.People, h.New, h.MultiStructure = int(n[0].Int64), int(n[0].Int64-n[1].Int64), int(n[2].Int64)
	if prev != nil {
		prev.People, prev.New, prev.MultiStructure = int(n[3].Int64), int(n[3].Int64-n[4].Int64), int(n[5].Int64)
	}
	return nil
}

// counts counts the credentials issued, revoked and suspended in q's
// period, and those attached.
func counts(ctx context.Context, tx *sql.Tx, q report.Query, h *report.Headline) error {
	from, to := formatTime(q.From), formatTime(q.To)
	period := of(q, "c", true).with("c.issued_at >= ? AND c.issued_at < ?", from, to)
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM credentials c INDEXED BY credentials_issued WHERE `+period.where, period.args...).Scan(&h.Issued); err != nil {
		return fmt.Errorf("issued: %w", err)
	}
	for _, x := range []struct {
		col string
		n   *int
	}{{"revoked_at", &h.Revoked}, {"suspended_at", &h.Suspended}} {
		// The partial index holds the few withdrawn credentials: without
		// it, the planner would read every credential of the structures.
		sc := of(q, "c", true).with("c."+x.col+" != '' AND c."+x.col+" >= ? AND c."+x.col+" < ?", from, to)
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM credentials c INDEXED BY credentials_`+strings.TrimSuffix(x.col, "_at")+` WHERE `+sc.where,
			sc.args...).Scan(x.n); err != nil {
			return fmt.Errorf("%s: %w", x.col, err)
		}
	}
	att := of(q, "i", true).with("i.attached_at >= ? AND i.attached_at < ?", from, to)
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM imports i WHERE `+att.where+` AND `+foreign, att.args...).Scan(&h.Attached); err != nil {
		return fmt.Errorf("attached: %w", err)
	}
	return nil
}

// The period queries name their index: without statistics (no ANALYZE),
// SQLite prefers an equality on structure_id (credentials_structure) and
// then reads every row of the structure, each with its JWS, where the
// period's entries of credentials_issued hold all it needs.

// foreign says an attached credential (alias i) was not issued by the
// learner's own structure: its id is not one of that structure's.
const foreign = `NOT EXISTS (SELECT 1 FROM credentials o WHERE o.id = i.credential_id AND o.structure_id = i.structure_id)`

// Figures implements report.Store.
func (s *ReportStore) Figures(ctx context.Context, q report.Query) (*report.Figures, error) {
	if err := s.syncLevels(ctx); err != nil {
		return nil, err
	}
	f := &report.Figures{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		// The previous period's key figures come from the same pass.
		f.Previous = &report.Headline{}
		if err := people(ctx, tx, q, &f.Headline, f.Previous); err != nil {
			return err
		}
		if err := counts(ctx, tx, q, &f.Headline); err != nil {
			return err
		}
		pq := q
		pq.From, pq.To = report.PreviousPeriod(q.From, q.To)
		if err := counts(ctx, tx, pq, f.Previous); err != nil {
			return fmt.Errorf("previous: %w", err)
		}
		ws, err := workshopFigures(ctx, tx, q, [2]time.Time{q.From, q.To}, [2]time.Time{pq.From, pq.To})
		if err != nil {
			return err
		}
		f.Workshops, f.WorkshopsByStructure, f.WorkshopsByPartner = ws[0].total, ws[0].byStructure, ws[0].byPartner
		f.Previous.Workshops = ws[1].total
		if err := levels(ctx, tx, q, f); err != nil {
			return fmt.Errorf("levels: %w", err)
		}
		return more(ctx, tx, q, f)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: report: %w", err)
	}
	return f, nil
}

// timeWidth is the width of a stored time (formatTime): the level follows
// it in the strings MIN and MAX compare, so that they pick the level of
// the first and latest assessments in one pass.
const timeWidth = len("2006-01-02T15:04:05.000000000Z")

// daysSQL is the whole days from a history's first assessment (mn) to
// its latest (mx), by their dates.
const daysSQL = `CAST(julianday(substr(mx, 1, 10)) - julianday(substr(mn, 1, 10)) AS INTEGER)`

// levels reads the learners assessed in the period per competency, their
// latest level, and their first level and its distance in days when they
// were assessed at least twice: from level_histories for the histories
// that end before the period does (mx < to: every history, for a period
// that reaches the present), and from the level rows up to the period's
// end for the others (a past period). detail forces the level rows for
// every history (the reference the tests compare with).
func levels(ctx context.Context, tx *sql.Tx, q report.Query, f *report.Figures) error {
	return levelsFrom(ctx, tx, q, f, false)
}

func levelsFrom(ctx context.Context, tx *sql.Tx, q report.Query, f *report.Figures, detail bool) error {
	from, to := formatTime(q.From), formatTime(q.To)
	w := fmt.Sprint(timeWidth + 1)
	var src string
	var args []any
	if detail {
		sc := of(q, "h", true).with("h.issued_at < ? AND h.revoked = 0", to)
		src = `SELECT framework, competency, mn, mx, n, ` + daysSQL + ` AS days FROM (
			SELECT h.framework AS framework, h.competency AS competency, MIN(h.issued_at || h.level) AS mn, MAX(h.issued_at || h.level) AS mx, COUNT(*) AS n
			FROM credential_levels h WHERE ` + sc.where + `
			GROUP BY h.structure_id, h.learner, h.framework, h.competency HAVING mx >= ?)`
		args = append(sc.args, from)
	} else {
		// A stored mx (issued_at || level) is below to exactly when its
		// time is, the times being of one width. The network's periods
		// read the histories by their end; a structure's, by its key.
		index := ""
		if q.StructureIDs == nil {
			index = " INDEXED BY level_histories_end"
		}
		whole := of(q, "s", true).with("s.mx >= ? AND s.mx < ?", from, to)
		cut := of(q, "s", true).with("s.mx >= ? AND h.issued_at < ? AND h.revoked = 0", to, to)
		src = `SELECT s.framework AS framework, s.competency AS competency, s.mn AS mn, s.mx AS mx, s.n AS n, s.days AS days
			FROM level_histories s` + index + ` WHERE ` + whole.where + `
			UNION ALL
			SELECT framework, competency, mn, mx, n, ` + daysSQL + ` FROM (
			SELECT s.framework AS framework, s.competency AS competency, MIN(h.issued_at || h.level) AS mn, MAX(h.issued_at || h.level) AS mx, COUNT(*) AS n
			FROM level_histories s` + index + ` JOIN credential_levels h ON h.structure_id = s.structure_id AND h.learner = s.learner
				AND h.framework = s.framework AND h.competency = s.competency
			WHERE ` + cut.where + `
			GROUP BY s.structure_id, s.learner, s.framework, s.competency HAVING MAX(h.issued_at || h.level) >= ?)` // not mx: s.mx
		args = append(append(whole.args, cut.args...), from)
	}
	rows, err := tx.QueryContext(ctx, `SELECT framework, competency, substr(mn, `+w+`), substr(mx, `+w+`), days, n >= 2, COUNT(*)
		FROM (`+src+`)
		GROUP BY 1, 2, 3, 4, 5, 6`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	assessed := map[[2]string]int{}
	latest := map[[3]string]int{}
	for rows.Next() {
		var h report.History
		var twice bool
		if err := rows.Scan(&h.Framework, &h.Competency, &h.First, &h.Last, &h.Days, &twice, &h.N); err != nil {
			return err
		}
		assessed[[2]string{h.Framework, h.Competency}] += h.N
		latest[[3]string{h.Framework, h.Competency, h.Last}] += h.N
		if twice {
			f.Histories = append(f.Histories, h)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for k, n := range assessed {
		f.Assessed = append(f.Assessed, report.CompetencyCount{Framework: k[0], Competency: k[1], N: n})
	}
	for k, n := range latest {
		f.Levels = append(f.Levels, report.LevelCount{Framework: k[0], Competency: k[1], Level: k[2], N: n})
	}
	return nil
}

// more reads the partners, the verifications and the months.
func more(ctx context.Context, tx *sql.Tx, q report.Query, f *report.Figures) error {
	from, to := formatTime(q.From), formatTime(q.To)
	att := of(q, "i", true).with("i.attached_at >= ? AND i.attached_at < ?", from, to)
	rows, err := tx.QueryContext(ctx, `SELECT i.issuer_id, MAX(i.issuer_name), COUNT(*) FROM imports i WHERE `+att.where+` AND `+foreign+`
		GROUP BY i.issuer_id ORDER BY 3 DESC, 2`, att.args...)
	if err != nil {
		return fmt.Errorf("partners: %w", err)
	}
	for rows.Next() {
		var p report.PartnerCount
		if err := rows.Scan(&p.Issuer, &p.Name, &p.N); err != nil {
			rows.Close()
			return err
		}
		f.Partners = append(f.Partners, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	ver := of(q, "v", false).with("v.day >= ? AND v.day < ?", q.From.Format(time.DateOnly), q.To.Format(time.DateOnly))
	rows, err = tx.QueryContext(ctx, `SELECT v.day, SUM(v.n) FROM verification_counts v WHERE `+ver.where+` GROUP BY v.day ORDER BY v.day`, ver.args...)
	if err != nil {
		return fmt.Errorf("verifications: %w", err)
	}
	for rows.Next() {
		var d report.DayCount
		if err := rows.Scan(&d.Day, &d.N); err != nil {
			rows.Close()
			return err
		}
		f.Verifications = append(f.Verifications, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	period := of(q, "c", true).with("c.issued_at >= ? AND c.issued_at < ?", from, to)
	rows, err = tx.QueryContext(ctx, `SELECT substr(c.issued_at, 1, 7), COUNT(DISTINCT COALESCE(c.learner_id, c.subject_id)), COUNT(*)
		FROM credentials c INDEXED BY credentials_issued WHERE `+period.where+` GROUP BY 1 ORDER BY 1`, period.args...)
	if err != nil {
		return fmt.Errorf("months: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m report.MonthCount
		if err := rows.Scan(&m.Month, &m.People, &m.Issued); err != nil {
			return err
		}
		f.Monthly = append(f.Monthly, m)
	}
	return rows.Err()
}

// syncLevels adds to credential_levels the levels of the credentials
// stored since it last ran (rowid above the setting
// credential_levels_upto), in one write transaction: issuance writes no
// level row, so that reporting costs it nothing.
func (s *ReportStore) syncLevels(ctx context.Context) error {
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		var upto, last int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'credential_levels_upto'), 0),
			COALESCE((SELECT MAX(rowid) FROM credentials), 0)`).Scan(&upto, &last); err != nil {
			return fmt.Errorf("sqlite: credential levels: %w", err)
		}
		if last <= upto {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO credential_levels (credential_id, competency, structure_id, learner, framework, level, issued_at, revoked)
			SELECT c.id, json_extract(r.value, '$.competency'), c.structure_id, COALESCE(c.learner_id, c.subject_id),
				c.framework, json_extract(r.value, '$.level'), c.issued_at, c.revoked_at != ''
			FROM credentials c, json_each(c.results) r WHERE c.rowid > ? AND c.rowid <= ? AND json_valid(c.results)`, upto, last); err != nil {
			return fmt.Errorf("sqlite: credential levels: %w", err)
		}
		// The histories these rows belong to, summed up again (a revoked
		// row adds nothing: a history with none other has no summary).
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO level_histories (structure_id, learner, framework, competency, mn, mx, n, days)
			SELECT *, `+daysSQL+` FROM (
			SELECT h.structure_id, h.learner, h.framework, h.competency, MIN(h.issued_at || h.level) AS mn, MAX(h.issued_at || h.level) AS mx, COUNT(*)
			FROM (SELECT DISTINCT c.structure_id AS s, COALESCE(c.learner_id, c.subject_id) AS l, c.framework AS fw, json_extract(r.value, '$.competency') AS comp
				FROM credentials c, json_each(c.results) r WHERE c.rowid > ? AND c.rowid <= ? AND json_valid(c.results)) k
			CROSS JOIN credential_levels h ON h.structure_id = k.s AND h.learner = k.l AND h.framework = k.fw AND h.competency = k.comp
			WHERE h.revoked = 0
			GROUP BY h.structure_id, h.learner, h.framework, h.competency)`, upto, last); err != nil {
			return fmt.Errorf("sqlite: level histories: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO person_histories (structure_id, learner, framework, first_at, last_at)
			SELECT c.structure_id, COALESCE(c.learner_id, c.subject_id), c.framework, MIN(c.issued_at), MAX(c.issued_at)
			FROM credentials c WHERE c.rowid > ? AND c.rowid <= ? AND json_valid(c.results) AND COALESCE(c.learner_id, c.subject_id) IS NOT NULL
				AND EXISTS (SELECT 1 FROM json_each(c.results) r -- as the level rows added
					WHERE json_extract(r.value, '$.competency') IS NOT NULL AND json_extract(r.value, '$.level') IS NOT NULL)
			GROUP BY 1, 2, 3
			ON CONFLICT (structure_id, learner, framework) DO UPDATE SET first_at = MIN(first_at, excluded.first_at), last_at = MAX(last_at, excluded.last_at)`,
			upto, last); err != nil {
			return fmt.Errorf("sqlite: person histories: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO settings (key, value) VALUES ('credential_levels_upto', ?)`, fmt.Sprint(last)); err != nil {
			return fmt.Errorf("sqlite: credential levels: %w", err)
		}
		return nil
	})
}

// Sync brings the bilan's level rows up to date; Figures does it first.
func (s *ReportStore) Sync(ctx context.Context) error { return s.syncLevels(ctx) }

// AddVerifications adds tallies of verifications: per structure id, per
// day (YYYY-MM-DD), how many.
func (s *ReportStore) AddVerifications(ctx context.Context, tally map[int64]map[string]int) error {
	if len(tally) == 0 {
		return nil
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		for id, days := range tally {
			for day, n := range days {
				if _, err := tx.ExecContext(ctx, `INSERT INTO verification_counts (day, structure_id, n) VALUES (?, ?, ?)
					ON CONFLICT (structure_id, day) DO UPDATE SET n = n + excluded.n`, day, id, n); err != nil {
					return fmt.Errorf("sqlite: add verifications: %w", err)
				}
			}
		}
		return nil
	})
}
