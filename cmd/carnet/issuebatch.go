package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"carnet/app/batch"
	"carnet/issuer/card"
	"carnet/schema"

	"golang.org/x/term"
)

// issueBatch is the flags of `carnet issue --csv`.
type issueBatch struct{ csv, cards, certificates *string }

func issueBatchFlags(fs *flag.FlagSet) issueBatch {
	return issueBatch{
		csv:          fs.String("csv", "", "fichier CSV : une attestation par ligne (nom;contact;notes;codes…) / CSV file: one credential per row (nom;contact;notes;codes…)"),
		cards:        fs.String("cards", "", "avec --csv : PDF de toutes les cartes, quatre par page A4 à découper / with --csv: PDF of every card, four to an A4 page to cut (FILE.pdf)"),
		certificates: fs.String("certificates", "", "avec --csv : PDF de toutes les attestations A4 / with --csv: PDF of every A4 certificate (FILE.pdf)"),
	}
}

func (b issueBatch) set() bool { return *b.csv != "" || *b.cards != "" || *b.certificates != "" }

// singleIssueFlags are the flags of a single issuance, which --csv does
// not take.
var singleIssueFlags = []string{"learner", "subject", "level", "evidence", "evidence-url", "method", "mediator", "valid-until", "out", "card", "card-layout", "json"}

// runIssueBatch issues a CSV file's rows (app.CreateBatchCSV, then
// app.RunBatch here, in the foreground), prints one line per refused row
// and a summary, and writes the group PDFs. Exit 0 when every row was
// issued, 1 when a row (or the whole file) was not, 2 on a usage or
// system error.
func runIssueBatch(ctx context.Context, fs *flag.FlagSet, e env, b issueBatch, data, structure, framework, baseURL, lang string, fwFiles []string) int {
	var single []string
	fs.Visit(func(f *flag.Flag) {
		for _, n := range singleIssueFlags {
			if f.Name == n {
				single = append(single, "--"+n)
			}
		}
	})
	switch {
	case fs.NArg() > 0:
		return usageError(e, fmt.Sprintf("argument inattendu %q", fs.Arg(0)), fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	case *b.csv == "":
		return usageError(e, "--cards et --certificates vont avec --csv FICHIER", "--cards and --certificates go with --csv FILE")
	case len(single) > 0:
		return usageError(e, "--csv ne se combine pas avec "+strings.Join(single, ", "), "--csv does not go with "+strings.Join(single, ", "))
	case data == "":
		return usageError(e, "--data DIR est obligatoire", "--data DIR is required")
	case framework == "":
		return usageError(e, "--framework ID est obligatoire", "--framework ID is required")
	case lang != "fr" && lang != "en":
		return usageError(e, "--lang vaut fr ou en", "--lang must be fr or en")
	}
	file, err := readBatchFile(*b.csv)
	if err != nil {
		fail(e, err)
		return exitInvalid
	}
	in, err := openInstance(ctx, data, baseURL, "", fwFiles, e.stderr)
	if err != nil {
		return fail(e, err)
	}
	defer in.Close()
	st, err := in.structure(ctx, structure)
	if err != nil {
		return fail(e, err)
	}
	ops, err := in.app(ctx, nil)
	if err != nil {
		return fail(e, err)
	}
	a := cliActor()
	bt, err := ops.CreateBatchCSV(ctx, a, st.Slug, framework, lang, file, "")
	if schema.ErrorCode(err) == schema.EINVALID { // the file is refused whole: nothing issued
		fail(e, err)
		return exitInvalid
	} else if err != nil {
		return fail(e, err)
	}
	bar := newProgressBar(e.stderr)
	bar.show(bt.Done, bt.Total)
	err = ops.RunBatch(ctx, bt.ID, bar.show)
	bar.end()
	if err != nil {
		return fail(e, err)
	}
	bt, rows, err := ops.Batch(ctx, a, bt.ID)
	if err != nil {
		return fail(e, err)
	}
	issued := 0
	for _, r := range rows {
		if r.OK() {
			issued++
			continue
		}
		if r.ErrMessageFR == r.ErrMessage {
			fmt.Fprintf(e.stdout, "ligne / line %d : %s\n", r.Row, r.ErrMessage)
		} else {
			fmt.Fprintf(e.stdout, "ligne %d : %s / line %d: %s\n", r.Row, r.ErrMessageFR, r.Row, r.ErrMessage)
		}
	}
	refused := len(rows) - issued
	fmt.Fprintf(e.stdout, "%d attestation(s) délivrée(s) sur %d ligne(s), %d refusée(s), par %s / %d of %d row(s) issued, %d refused, by %s\n",
		issued, len(rows), refused, st.Name, issued, len(rows), refused, st.Name)
	for _, out := range []struct{ path, layout string }{{*b.cards, card.LayoutCard}, {*b.certificates, card.LayoutA4}} {
		if out.path == "" || issued == 0 {
			continue
		}
		if err := writeSheets(out.path, func(w io.Writer) error { return ops.BatchSheets(ctx, a, bt.ID, out.layout, batchCardLang(lang), w) }); err != nil {
			return fail(e, err)
		}
		fmt.Fprintf(e.stderr, "PDF écrit / PDF written: %s\n", out.path)
	}
	if refused > 0 {
		return exitInvalid
	}
	return exitOK
}

// readBatchFile reads a CSV file, refusing one over batch.MaxBytes before
// reading it.
func readBatchFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, schema.Errorf(schema.EINVALID, "cannot read %s: %v", "impossible de lire %s : %v", path, err)
	}
	if fi.Size() > batch.MaxBytes {
		return nil, schema.Errorf(schema.EINVALID, "the file is too large: %d MB at most", "le fichier est trop grand : %d Mo au plus", batch.MaxBytes>>20)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, schema.Errorf(schema.EINVALID, "cannot read %s: %v", "impossible de lire %s : %v", path, err)
	}
	return b, nil
}

// writeSheets writes a PDF through a temporary file renamed at the end:
// a failure leaves no half-written PDF.
func writeSheets(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(dirOf(path), ".carnet-*.pdf")
	if err != nil {
		return schema.Errorf(schema.EINVALID, "cannot write %s: %v", "impossible d'écrire %s : %v", path, err)
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return schema.Errorf(schema.EINVALID, "cannot write %s: %v", "impossible d'écrire %s : %v", path, err)
	}
	if err := os.Chmod(f.Name(), 0o600); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return schema.Errorf(schema.EINVALID, "cannot write %s: %v", "impossible d'écrire %s : %v", path, err)
	}
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[:i+1]
	}
	return "."
}

// progressBar draws the batch's progress on a terminal; on anything else
// (a file, a pipe) it draws nothing.
type progressBar struct {
	w    io.Writer
	on   bool
	last int
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	return &progressBar{w: w, on: ok && term.IsTerminal(int(f.Fd())), last: -1}
}

func (p *progressBar) show(done, total int) {
	if !p.on || total == 0 {
		return
	}
	const width = 30
	n := done * width / total
	if n == p.last && done != total {
		return
	}
	p.last = n
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d", strings.Repeat("#", n), strings.Repeat("-", width-n), done, total)
}

func (p *progressBar) end() {
	if p.on {
		fmt.Fprintln(p.w)
	}
}

// batchCardLang is the card language of a batch's sheets: the structure's
// (""), or English then French with --lang en, as before.
func batchCardLang(lang string) string {
	if lang == "en" {
		return "en"
	}
	return ""
}
