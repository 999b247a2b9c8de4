package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"carnet/keys"
	"carnet/schema"
	"carnet/sqlite"
	"carnet/verifier"
)

const checkHelp = `carnet check — vérifier un dossier de données / check a data dir

Usage :
  carnet check --data DIR [--sample N]

Vérifie l'intégrité de la base (PRAGMA integrity_check et foreign_key_check), que chaque structure
qui a émis des attestations a son fichier de clés, lisible et valide, et qu'un échantillon
d'attestations enregistrées (N au hasard, 100 par défaut, et la dernière de chaque structure) se
vérifie toujours avec les clés de l'instance. Peut tourner pendant que le serveur tourne ; ne crée
ni ne change aucune donnée (une base d'une version antérieure est mise à jour comme au démarrage).
Checks the integrity of the database (PRAGMA integrity_check and foreign_key_check), that every
structure that has issued credentials has its key file, readable and valid, and that a sample of
stored credentials (N at random, 100 by default, and the latest of each structure) still verifies
with the instance's own keys. May run while the server runs; creates and changes no data (a
database of an earlier version is migrated as at start).
Codes de sortie / exit codes: 0 tout va bien / all is well, 1 problème trouvé, dit en clair /
problem found, said in plain words, 2 erreur d'usage / usage error.
`

func runCheck(ctx context.Context, args []string, e env) int {
	fs := newFlags("check", checkHelp, e)
	data := fs.String("data", envOr("CARNET_DATA", ""), "dossier de données / data dir (obligatoire / required)")
	sample := fs.Int("sample", 100, "attestations vérifiées au hasard / credentials verified at random")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(e, fmt.Sprintf("argument inattendu %q", fs.Arg(0)), fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if *data == "" {
		return usageError(e, "--data DIR est obligatoire", "--data DIR is required")
	}
	if *sample < 0 {
		return usageError(e, "--sample : au moins 0", "--sample: at least 0")
	}
	if fi, err := os.Stat(*data); err != nil || !fi.IsDir() {
		return usageError(e, fmt.Sprintf("%s n'est pas un dossier", *data), fmt.Sprintf("%s is not a directory", *data))
	}
	checkSample = *sample
	return checkReport(ctx, *data, e)
}

// checkSample is how many credentials checkReport verifies at random.
var checkSample = 100

// report collects what a check finds, in French and English.
type report struct {
	w        io.Writer
	problems int
}

func (r *report) problem(fr, en string, args ...any) {
	r.problemText(fmt.Sprintf(fr, args...), fmt.Sprintf(en, args...))
}

func (r *report) problemText(fr, en string) {
	r.problems++
	fmt.Fprintf(r.w, "PROBLÈME : %s\nPROBLEM: %s\n", fr, en)
}

func (r *report) ok(fr, en string, args ...any) {
	fmt.Fprintf(r.w, "ok : %s\nok: %s\n", fmt.Sprintf(fr, args...), fmt.Sprintf(en, args...))
}

// checkReport checks the data dir, prints what it finds on stdout and
// returns exitOK when all is well, exitInvalid when something is wrong.
func checkReport(ctx context.Context, dir string, e env) int {
	r := &report{w: e.stdout}
	if err := checkDataDir(ctx, dir, r); err != nil {
		r.problem("la vérification n'a pas pu aller au bout : %v", "the check could not finish: %v", err)
	}
	if r.problems > 0 {
		fmt.Fprintf(e.stdout, "%d problème(s) dans %s.\n%d problem(s) in %s.\n", r.problems, dir, r.problems, dir)
		return exitInvalid
	}
	fmt.Fprintf(e.stdout, "Tout va bien dans %s.\nAll is well in %s.\n", dir, dir)
	return exitOK
}

func checkDataDir(ctx context.Context, dir string, r *report) error {
	dbPath := filepath.Join(dir, "carnet.db")
	if _, err := os.Stat(dbPath); err != nil {
		r.problem("pas de base de données %s", "no database %s", dbPath)
		return nil
	}
	problems, err := sqlite.CheckFile(ctx, dbPath, true)
	if err != nil {
		return err
	}
	for _, p := range problems {
		r.problem("base de données %s : %s", "database %s: %s", dbPath, p)
	}
	if len(problems) > 0 {
		return nil // nothing read from a damaged file can be trusted
	}
	r.ok("base de données intacte (integrity_check, foreign_key_check)", "database intact (integrity_check, foreign_key_check)")

	db, err := sqlite.Open(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	structures, credentials := sqlite.NewStructureStore(db), sqlite.NewCredentialStore(db)
	baseURL, err := db.Setting(ctx, "base_url")
	if err != nil {
		return err
	}
	ks := &keys.FileStore{Dir: filepath.Join(dir, "keys")} // not NewFileStore: a check creates nothing
	list, err := structures.ListStructures(ctx)
	if err != nil {
		return err
	}
	reg := verifier.NewRegistry()
	keyless := map[string]bool{} // reported once, not again for each credential
	var latest []*schema.CredentialRecord
	for _, st := range list {
		n, err := credentials.CountCredentials(ctx, st.Slug)
		if err != nil {
			return err
		}
		ring, err := ks.Ring(st.Slug)
		var missing *keys.MissingError
		switch {
		case errors.As(err, &missing) && n == 0:
			r.ok("structure %q : pas encore de clé, rien émis (une clé sera créée au démarrage)", "structure %q: no key yet, nothing issued (a key is created at start)", st.Slug)
			continue
		case errors.As(err, &missing):
			r.problem("structure %q : %d attestation(s) émise(s), mais son fichier de clés %s est absent ; remettez-le depuis une sauvegarde (carnet keys --help)",
				"structure %q: %d credential(s) issued, but its key file %s is missing; put it back from a backup (carnet keys --help)", st.Slug, n, missing.Path)
			keyless[st.Slug] = true
			continue
		case err != nil:
			r.problem("structure %q : fichier de clés inutilisable : %v", "structure %q: unusable key file: %v", st.Slug, err)
			keyless[st.Slug] = true
			continue
		}
		did, err := keys.DIDWeb(baseURL, st.Slug)
		if err != nil {
			return err
		}
		if err := reg.Add(verifier.LocalIssuer(did, st.Name, ring)); err != nil {
			return err
		}
		r.ok("structure %q : %d clé(s), %d attestation(s) émise(s)", "structure %q: %d key(s), %d credential(s) issued", st.Slug, len(ring.Keys), n)
		if c, err := credentials.LatestSigned(ctx, st.ID); err == nil {
			latest = append(latest, c)
		} else if schema.ErrorCode(err) != schema.ENOTFOUND {
			return err
		}
	}

	sample, err := credentials.SampleCredentials(ctx, checkSample)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	v := &verifier.Verifier{Trust: reg}
	checked, failed, lost := 0, 0, 0
	for _, c := range append(latest, sample...) {
		if seen[c.ID] || keyless[c.Structure] {
			continue
		}
		seen[c.ID] = true
		checked++
		res := v.Verify(ctx, []byte(c.JWT))
		if res.SignatureVerified && res.CredentialID == c.ID &&
			(res.Valid || res.Reason == verifier.ReasonExpired || res.Reason == verifier.ReasonNotYetValid) {
			continue
		}
		if reset := keysResetAt(ctx, db, c.Structure); res.Reason == verifier.ReasonUnknownKey && !reset.IsZero() && c.IssuedAt.Before(reset) {
			lost++ // known: issued before carnet keys create --force
			continue
		}
		failed++
		en, fr := verifier.ReasonText(res.Reason)
		if res.Valid {
			en, fr = "it is another credential than the one stored", "c'est une autre attestation que celle enregistrée"
		}
		r.problemText(fmt.Sprintf("l'attestation %s (structure %q) ne se vérifie plus avec les clés de l'instance : %s", c.ID, c.Structure, fr),
			fmt.Sprintf("credential %s (structure %q) no longer verifies with the instance's keys: %s", c.ID, c.Structure, en))
	}
	if lost > 0 {
		r.ok("%d attestation(s) émise(s) avant une nouvelle clé (carnet keys create --force) ne se vérifient plus, comme prévu",
			"%d credential(s) issued before a new key (carnet keys create --force) no longer verify, as expected", lost)
	}
	if failed == 0 {
		r.ok("%d attestation(s) vérifiée(s) avec les clés de l'instance", "%d credential(s) verified with the instance's keys", checked)
	}
	return nil
}
