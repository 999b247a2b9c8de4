package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"carnet/app/batch"
	"carnet/issuer"
	"carnet/schema"
)

// batchRuns are the batches running in this process.
type batchRuns struct {
	running sync.Map                        // their ids
	wg      sync.WaitGroup                  // those run in the background
	ctx     atomic.Pointer[context.Context] // bounds those run in the background (ResumeBatches)
}

// BatchInput is a list of learners to issue in one go.
type BatchInput struct {
	Structure string // slug; "" the actor's first structure
	Framework string
	Lang      string // of the credentials' texts: "fr" (default) or "en"
	Rows      []BatchRowInput
	// Source is the file, or the request's body, the rows come from: its
	// hash and a row's number make the row's key, issued once.
	Source []byte
	// IdemKey is the request's Idempotency-Key: the same key and Source
	// answer the same batch.
	IdemKey string
	// Pending stores the batch checked but not to run until
	// StartPendingBatch (a page's preview).
	Pending bool
}

// BatchRowInput is a learner's row: an existing learner (LearnerID), or a
// new one (Name, Contact, Notes), and their levels by competency code
// (a number or a string; "" is not assessed).
type BatchRowInput struct {
	Row       int    `json:"-"`
	LearnerID string `json:"learner_id"`
	Name      string `json:"name"`
	Contact   string `json:"contact"`
	Notes     string `json:"notes"`
	// Consent: the learner agreed that their contact and notes be kept
	// (without it a row with a contact or notes is refused).
	Consent bool           `json:"consent"`
	Levels  map[string]any `json:"levels"`
	// Extra counts cells typed beyond the header's columns (CSV).
	Extra int `json:"-"`
	// Key, when not empty, identifies the row instead of the Source's
	// hash and the row's number: a workshop's participant with the same
	// levels is issued once, however the rest of the grid changed.
	Key string `json:"-"`
}

// maxIdemKey bounds an Idempotency-Key.
const maxIdemKey = 255

// CreateBatchCSV reads a CSV file (package batch) and creates its batch.
func (s *App) CreateBatchCSV(ctx context.Context, a *Actor, structure, framework, lang string, data []byte, idemKey string) (*schema.Batch, error) {
	return s.createBatchCSV(ctx, a, structure, framework, lang, data, idemKey, false)
}

// PreviewBatchCSV is CreateBatchCSV for a page: the batch is checked and
// stored pending, its rows' errors shown, and nothing is issued until
// StartPendingBatch.
func (s *App) PreviewBatchCSV(ctx context.Context, a *Actor, structure, framework, lang string, data []byte) (*schema.Batch, error) {
	return s.createBatchCSV(ctx, a, structure, framework, lang, data, "", true)
}

// StartPendingBatch confirms a pending batch: it runs (StartBatch) from
// now on, and again after a restart until done.
func (s *App) StartPendingBatch(ctx context.Context, a *Actor, id string) (*schema.Batch, error) {
	b, _, err := s.Batch(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if b.Status != schema.BatchPending {
		return b, nil
	}
	if err := s.Batches.EndBatch(ctx, b.ID, schema.BatchRunning, "", ""); err != nil {
		return nil, err
	}
	b.Status = schema.BatchRunning
	return b, nil
}

func (s *App) createBatchCSV(ctx context.Context, a *Actor, structure, framework, lang string, data []byte, idemKey string, pending bool) (*schema.Batch, error) {
	fw, err := s.Frameworks.Get(framework)
	if err != nil {
		return nil, err
	}
	if _, err := s.StructureFor(ctx, a, structure, schema.RoleMediator); err != nil {
		return nil, err
	}
	_, rows, err := batch.Parse(data, fw)
	if err != nil {
		return nil, err
	}
	in := BatchInput{Structure: structure, Framework: framework, Lang: lang, Source: data, IdemKey: idemKey, Pending: pending}
	for _, r := range rows {
		lv := map[string]any{}
		for k, v := range r.Levels {
			lv[k] = v
		}
		in.Rows = append(in.Rows, BatchRowInput{Row: r.Line, Name: r.Name, Contact: r.Contact, Notes: r.Notes, Consent: r.Consent, Levels: lv, Extra: r.Extra})
	}
	return s.CreateBatch(ctx, a, in)
}

// CreateBatch checks a batch and stores it: each row is checked as a
// single issuance would check it (the learner, the levels), and a row
// refused is kept with its error while the others go. The batch's rows
// are issued by RunBatch (StartBatch in the background). The same
// IdemKey with the same Source returns the batch stored first; with
// another Source, it is refused.
func (s *App) CreateBatch(ctx context.Context, a *Actor, in BatchInput) (*schema.Batch, error) {
	if s.Batches == nil {
		return nil, schema.Errorf(schema.EUNAVAILABLE, "batches are not available on this instance", "les lots ne sont pas disponibles sur cette instance")
	}
	st, err := s.StructureFor(ctx, a, in.Structure, schema.RoleMediator)
	if err != nil {
		return nil, err
	}
	fw, err := s.Frameworks.Get(in.Framework)
	if err != nil {
		return nil, err
	}
	switch in.Lang {
	case "":
		in.Lang = "fr"
	case "fr", "en":
	default:
		return nil, schema.Errorf(schema.EINVALID, "unknown language %q: fr or en", "langue %q inconnue : fr ou en", in.Lang)
	}
	if len(in.IdemKey) > maxIdemKey || strings.ContainsFunc(in.IdemKey, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return nil, schema.Errorf(schema.EINVALID, "the Idempotency-Key must be 1 to %d visible ASCII characters",
			"l'Idempotency-Key doit compter de 1 à %d caractères ASCII visibles", maxIdemKey)
	}
	if len(in.Rows) == 0 {
		return nil, schema.Errorf(schema.EINVALID, "the batch has no row", "le lot ne contient aucune ligne")
	}
	if len(in.Rows) > batch.MaxRows {
		return nil, schema.Errorf(schema.EINVALID, "a batch has %d rows at most; split it", "un lot compte %d lignes au plus ; découpez-le", batch.MaxRows)
	}
	sum := sha256.Sum256(in.Source)
	bodyHash := hex.EncodeToString(sum[:])
	id, err := issuer.RandomUUID(rand.Reader)
	if err != nil {
		return nil, err
	}
	b := &schema.Batch{ID: strings.TrimPrefix(id, "urn:uuid:"), StructureID: st.ID, Framework: fw.ID, Lang: in.Lang,
		Status: schema.BatchRunning, Total: len(in.Rows), ActorID: a.User.ID, TokenID: a.Token, ActorCLI: a.CLI, IP: a.IP,
		IdemKey: in.IdemKey, BodyHash: bodyHash, CreatedAt: s.now().UTC()}
	rows := make([]*schema.BatchRow, 0, len(in.Rows))
	seen := map[string]int{}
	for i, ri := range in.Rows {
		if ri.Row == 0 {
			ri.Row = i + 1
		}
		key := sha256.Sum256([]byte(bodyHash + ":" + itoa(ri.Row)))
		if ri.Key != "" {
			key = sha256.Sum256([]byte("key:" + ri.Key))
		}
		r := &schema.BatchRow{Row: ri.Row, Key: hex.EncodeToString(key[:])}
		if err := s.checkBatchRow(ctx, a, st, fw, ri, r, seen); err != nil {
			r.Done, r.ErrCode, r.ErrMessage, r.ErrMessageFR = true, schema.ErrorCode(err), schema.ErrorMessage(err), schema.ErrorMessageFR(err)
			if r.ErrCode == schema.EINTERNAL {
				return nil, err
			}
			b.Done++
		}
		rows = append(rows, r)
	}
	if b.Done == b.Total {
		b.Status = schema.BatchDone
	} else if in.Pending {
		b.Status = schema.BatchPending
	}
	stored, created, err := s.Batches.CreateBatch(ctx, b, rows)
	if err != nil {
		return nil, err
	}
	if !created && stored.BodyHash != bodyHash {
		return nil, schema.Errorf(schema.ECONFLICT, "this Idempotency-Key was used for another body", "cette Idempotency-Key a servi pour un autre contenu")
	}
	return stored, nil
}

// checkBatchRow checks a row as a single issuance would, and fills r.
// seen holds the rows' people so far (name and contact, or learner id):
// a person twice in a batch is a duplicate row.
func (s *App) checkBatchRow(ctx context.Context, a *Actor, st *schema.Structure, fw *schema.Framework, in BatchRowInput, r *schema.BatchRow, seen map[string]int) error {
	if in.Extra > 0 {
		return schema.Errorf(schema.EINVALID, "this row has more cells than the header has columns", "cette ligne a plus de cellules que l'en-tête n'a de colonnes")
	}
	var who string
	if id := strings.TrimSpace(in.LearnerID); id != "" {
		l, err := s.Learner(ctx, a, id)
		if err != nil {
			return err
		}
		if l.StructureID != st.ID {
			return schema.Errorf(schema.EINVALID, "this learner belongs to another structure", "cette personne relève d'une autre structure")
		}
		if l.Erased() {
			return schema.Errorf(schema.ECONFLICT, "this learner's data was erased", "les données de cette personne ont été effacées")
		}
		r.LearnerID, r.Name, who = l.ID, l.Name, "id:"+l.ID
	} else {
		li := LearnerInput{Name: in.Name, Contact: in.Contact, Notes: in.Notes, Consent: in.Consent}
		// As typed, for the report of refused rows (cut to the longest name).
		if r.Name = strings.TrimSpace(in.Name); len([]rune(r.Name)) > schema.MaxNameLength {
			r.Name = string([]rune(r.Name)[:schema.MaxNameLength])
		}
		if strings.TrimSpace(li.Name) == "" {
			return schema.Errorf(schema.EINVALID, "the name is empty", "le nom est vide")
		}
		if err := li.clean(); err != nil {
			return err
		}
		if !li.Consent && (li.Contact != "" || li.Notes != "") {
			return ErrNoConsent
		}
		r.Name, r.Contact, r.Notes = li.Name, li.Contact, li.Notes
		who = "name:" + strings.ToLower(li.Name) + "\x00" + strings.ToLower(li.Contact)
	}
	if first, ok := seen[who]; ok {
		return schema.Errorf(schema.EINVALID, "duplicate row: the same person as row %d", "ligne en double : la même personne qu'à la ligne %d", first)
	}
	seen[who] = r.Row
	codes := make([]string, 0, len(in.Levels))
	for code := range in.Levels {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		var level string
		switch v := in.Levels[code].(type) {
		case string:
			level = strings.TrimSpace(v)
		case float64:
			if v != float64(int(v)) {
				return schema.Errorf(schema.EINVALID, "level of %s: %v is not a level", "niveau de %s : %v n'est pas un niveau", code, v)
			}
			level = itoa(int(v))
		case nil:
		default:
			return schema.Errorf(schema.EINVALID, "level of %s must be a number or a string", "le niveau de %s doit être un nombre ou un texte", code)
		}
		if level == "" {
			continue // not assessed
		}
		if _, _, err := fw.Competency(code); err != nil {
			return schema.Errorf(schema.EINVALID, "unknown competency %q: not in %s", "compétence « %s » inconnue : absente de %s", code, fw.ID)
		}
		if _, _, err := fw.Level(level); err != nil {
			return schema.Errorf(schema.EINVALID, "level %q of %s is out of range (%s)", "le niveau « %s » de %s est hors de l'échelle (%s)",
				level, code, levelRange(fw))
		}
		r.Levels = append(r.Levels, schema.LevelResult{Competency: code, Level: level})
	}
	if len(r.Levels) == 0 {
		return schema.Errorf(schema.EINVALID, "no level: choose a level for at least one competency", "aucun niveau : choisissez un niveau pour au moins une compétence")
	}
	return nil
}

// levelRange names a framework's levels: "1–8", or "A1, A2, …".
func levelRange(fw *schema.Framework) string {
	ids := make([]string, len(fw.Levels))
	for i, l := range fw.Levels {
		ids[i] = l.ID
	}
	if len(ids) > 2 && ids[0] == "1" && ids[len(ids)-1] == itoa(len(ids)) {
		return ids[0] + "–" + ids[len(ids)-1]
	}
	return strings.Join(ids, ", ")
}

// Batch returns a batch the actor may see, and its rows.
func (s *App) Batch(ctx context.Context, a *Actor, id string) (*schema.Batch, []*schema.BatchRow, error) {
	b, err := s.BatchProgress(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.Batches.BatchRows(ctx, b.ID)
	if err != nil {
		return nil, nil, err
	}
	return b, rows, nil
}

// BatchProgress returns a batch the actor may see, without its rows: its
// status and how many rows are done, which a page polls while it runs.
func (s *App) BatchProgress(ctx context.Context, a *Actor, id string) (*schema.Batch, error) {
	if s.Batches == nil {
		return nil, ErrNoAccess
	}
	b, err := s.Batches.FindBatch(ctx, strings.TrimSpace(id))
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return nil, ErrNoAccess
	} else if err != nil {
		return nil, err
	}
	if !a.Can(b.StructureID, schema.RoleMediator) {
		return nil, ErrNoAccess
	}
	return b, nil
}

// batchActor is who started a batch, as they are now (a removed
// membership stops their batch's rows).
func (s *App) batchActor(ctx context.Context, b *schema.Batch) (*Actor, error) {
	if b.ActorID == 0 {
		if b.ActorCLI == "" {
			return nil, ErrForbidden
		}
		return CLIActor(b.ActorCLI), nil
	}
	u, err := s.Users.FindUser(ctx, b.ActorID)
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		return nil, ErrForbidden
	} else if err != nil {
		return nil, err
	}
	return &Actor{User: u, Token: b.TokenID, CLI: b.ActorCLI, IP: b.IP}, nil
}

// batchChunk is how many pending rows RunBatch reads at a time.
const batchChunk = 100

// RunBatch issues a batch's rows not done yet, in order, each as a single
// issuance (App.Issue: same checks, status entry, audit event), with its
// row marked done in the same transaction: a row is issued once, even if
// the process stops between two rows (the next run picks up where this
// one stopped). progress, when not nil, is told after each row. A row
// refused keeps its error and the others go; a failure of the instance
// itself (its database) ends the batch as failed.
func (s *App) RunBatch(ctx context.Context, id string, progress func(done, total int)) error {
	if _, loaded := s.batches.running.LoadOrStore(id, true); loaded {
		return nil // running already in this process
	}
	defer s.batches.running.Delete(id)
	b, err := s.Batches.FindBatch(ctx, id)
	if err != nil {
		return err
	}
	if b.Status != schema.BatchRunning {
		return nil
	}
	fail := func(err error) error {
		if s.Log != nil {
			s.Log.Error("batch failed", "batch", id, "err", err)
		}
		if eerr := s.Batches.EndBatch(context.WithoutCancel(ctx), id, schema.BatchFailed, schema.ErrorMessage(err), schema.ErrorMessageFR(err)); eerr != nil {
			return eerr
		}
		return err
	}
	a, err := s.batchActor(ctx, b)
	if err != nil {
		return fail(err)
	}
	st, err := s.structureByID(ctx, b.StructureID)
	if err != nil {
		return fail(err)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err // stopped: the rows left are picked up at the next start
		}
		rows, err := s.Batches.PendingBatchRows(ctx, id, batchChunk)
		if err != nil {
			return fail(err)
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := s.issueBatchRow(ctx, a, st, b, r); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return fail(err)
			}
			b.Done++
			if progress != nil {
				progress(b.Done, b.Total)
			}
		}
	}
	return s.Batches.EndBatch(ctx, id, schema.BatchDone, "", "")
}

// issueBatchRow issues one row, or records why it is refused. Its error
// is the instance's own (the batch stops), not the row's.
func (s *App) issueBatchRow(ctx context.Context, a *Actor, st *schema.Structure, b *schema.Batch, r *schema.BatchRow) error {
	err := s.InTx(ctx, func(ctx context.Context) error {
		// Issued already under this row's key (the same file uploaded
		// again): the row answers that credential.
		if id, err := s.Batches.IssuedForKey(ctx, st.ID, r.Key); err != nil {
			return err
		} else if id != "" {
			r.CredentialID = id
			return s.Batches.FinishBatchRow(ctx, r, false)
		}
		var l *schema.Learner
		if r.LearnerID != "" {
			var err error
			if l, err = s.Learner(ctx, a, r.LearnerID); err != nil {
				return err
			}
		} else {
			var err error
			if l, err = s.newLearner(ctx, a, LearnerInput{Structure: st.Slug, Name: r.Name, Contact: r.Contact, Notes: r.Notes,
				// a row keeps a contact or notes only when its consent was given (checked above)
				Consent: r.Contact != "" || r.Notes != ""}); err != nil {
				return err
			}
			if err := s.Learners.CreateLearner(ctx, l); err != nil {
				return err
			}
			if err := s.Record(ctx, a, l.StructureID, schema.AuditLearnerCreated, l.ID, "", ""); err != nil {
				return err
			}
		}
		if l.Erased() {
			return schema.Errorf(schema.ECONFLICT, "this learner's data was erased", "les données de cette personne ont été effacées")
		}
		levels := map[string]any{}
		for _, lv := range r.Levels {
			levels[lv.Competency] = lv.Level
		}
		as, err := s.Assessment(l, a, AssessmentInput{LearnerID: l.ID, Framework: b.Framework, Levels: levels, Lang: b.Lang})
		if err != nil {
			return err
		}
		is, err := s.Issue(ctx, a, st, as, b.Lang)
		if err != nil {
			return err
		}
		r.LearnerID, r.CredentialID = l.ID, is.Record.ID
		return s.Batches.FinishBatchRow(ctx, r, true)
	})
	switch schema.ErrorCode(err) {
	case "":
		return nil
	case schema.EINTERNAL, schema.EUNAVAILABLE:
		return err
	}
	// The row is refused (nothing of it committed): its error is its result.
	r.LearnerID, r.CredentialID = "", ""
	r.ErrCode, r.ErrMessage, r.ErrMessageFR = schema.ErrorCode(err), schema.ErrorMessage(err), schema.ErrorMessageFR(err)
	if ferr := s.Batches.FinishBatchRow(ctx, r, false); ferr != nil && schema.ErrorCode(ferr) != schema.ECONFLICT {
		return ferr
	}
	return nil
}

// StartBatch runs a batch in the background (RunBatch), with the context
// of ResumeBatches (the server's life) when it was called.
func (s *App) StartBatch(id string) {
	ctx := context.Background()
	if c := s.batches.ctx.Load(); c != nil {
		ctx = *c
	}
	s.batches.wg.Go(func() {
		if err := s.RunBatch(ctx, id, nil); err != nil && ctx.Err() == nil && s.Log != nil {
			s.Log.Error("batch", "batch", id, "err", err)
		}
	})
}

// WaitBatches waits for the batches run in the background to return:
// once the context of ResumeBatches ends, each stops after its current
// row (a row's issuance and its mark commit together, or neither), and
// the next start picks up the rest.
func (s *App) WaitBatches() { s.batches.wg.Wait() }

// ResumeBatches starts, in the background, the batches a previous run
// left running; ctx (the server's life) bounds them and the batches
// started later.
func (s *App) ResumeBatches(ctx context.Context) error {
	s.batches.ctx.Store(&ctx)
	if s.Batches == nil {
		return nil
	}
	list, err := s.Batches.RunningBatches(ctx)
	if err != nil {
		return err
	}
	for _, b := range list {
		s.StartBatch(b.ID)
	}
	return nil
}

// WaitBatch waits until a batch is no longer running, or ctx ends.
func (s *App) WaitBatch(ctx context.Context, id string) (*schema.Batch, error) {
	for {
		b, err := s.Batches.FindBatch(ctx, id)
		if err != nil || b.Status != schema.BatchRunning {
			return b, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// structureByID returns the structure with this id.
func (s *App) structureByID(ctx context.Context, id int64) (*schema.Structure, error) {
	list, err := s.Structures.ListStructures(ctx)
	if err != nil {
		return nil, err
	}
	for _, st := range list {
		if st.ID == id {
			return st, nil
		}
	}
	return nil, ErrNoAccess
}
