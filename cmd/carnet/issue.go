package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"carnet/issuer/card"
	"carnet/schema"
)

const issueHelp = `carnet issue — évaluer et délivrer une attestation signée / assess and issue a signed credential

Usage :
  carnet issue --data DIR [--structure SLUG] --learner NOM --framework ID --level CODE=N [--level CODE=N …]
               [--evidence TEXTE] --out FICHIER.jwt [--card FICHIER.pdf [--card-layout card|a4]]
  carnet issue --data DIR [--structure SLUG] --framework ID --csv FICHIER.csv
               [--cards FICHIER.pdf] [--certificates FICHIER.pdf]

Avec --csv, délivre une attestation par ligne du fichier (en-tête nom;contact;notes;codes…,
UTF-8 ou Windows-1252, « ; » ou « , ») comme chaque délivrance seule ; affiche une ligne par
ligne refusée et un bilan ; code de sortie 0 si toutes les lignes sont délivrées, 1 sinon
(2 : erreur d'usage ou du système).
With --csv, issues one credential per row of the file (header nom;contact;notes;codes…, UTF-8
or Windows-1252, ";" or ","), each as a single issuance; prints one line per refused row and a
summary; exit code 0 if every row was issued, 1 otherwise (2: usage or system error).

Fonctionne sur DIR sans serveur (un dossier vide est initialisé comme par 'serve') ; affiche
l'identifiant de l'attestation. Works on DIR without a running server (an empty DIR is
initialised as 'serve' would); prints the credential id.

Exemple / example:
  carnet issue --data ./data --learner "Éloïse Ndiaye" --framework digcomp-2.2 \
    --level 1.1=3 --level 4.2=2 --evidence "Atelier recherche d'emploi" --out eloise.jwt
`

// levelFlag collects --level CODE=N.
type levelFlag []schema.LevelResult

func (l *levelFlag) String() string { return fmt.Sprint(*l) }
func (l *levelFlag) Set(s string) error {
	code, level, ok := strings.Cut(s, "=")
	code, level = strings.TrimSpace(code), strings.TrimSpace(level)
	if !ok || code == "" || level == "" {
		return fmt.Errorf("attendu CODE=NIVEAU, par ex. 1.1=3 / expected CODE=LEVEL, e.g. 1.1=3 (got %q)", s)
	}
	*l = append(*l, schema.LevelResult{Competency: code, Level: level})
	return nil
}

func runIssue(ctx context.Context, args []string, e env) int {
	fs := newFlags("issue", issueHelp, e)
	var (
		levels     levelFlag
		evidence   multiFlag
		evidURLs   multiFlag
		fwFiles    multiFlag
		data       = fs.String("data", "", "dossier de données / data dir (obligatoire / required)")
		structure  = fs.String("structure", "", "structure émettrice (par défaut la première) / issuing structure (default: the first)")
		learner    = fs.String("learner", "", "nom affiché de l'apprenant·e / learner's display name (obligatoire / required)")
		subject    = fs.String("subject", "", "identifiant pseudonyme urn:uuid de l'apprenant·e (sinon nouveau) / learner's pseudonymous urn:uuid (default: new)")
		framework  = fs.String("framework", "", "référentiel : digcomp-2.2, crcn, cefr-fr… / framework id (obligatoire / required)")
		method     = fs.String("method", "", "méthode d'évaluation / assessment method")
		mediator   = fs.String("mediator", "", "nom du médiateur ou de la médiatrice / mediator's name")
		validUntil = fs.String("valid-until", "", "date d'expiration AAAA-MM-JJ (aucune par défaut) / expiry date YYYY-MM-DD (default: none)")
		out        = fs.String("out", "", "fichier .jwt à écrire, - pour la sortie standard / .jwt file to write, - for stdout (obligatoire / required)")
		cardOut    = fs.String("card", "", "carte PDF à imprimer avec le QR code / printable PDF card with the QR code (FILE.pdf)")
		cardLayout = fs.String("card-layout", "card", "card : format carte bancaire recto-verso sur A4 ; a4 : attestation A4 / card: credit-card front and back on A4; a4: A4 certificate")
		baseURL    = fs.String("base-url", "", "URL publique de l'instance (mémorisée) / public URL of the instance (stored)")
		lang       = fs.String("lang", "fr", "langue des textes de l'attestation : fr ou en / language of the credential's texts: fr or en")
		cardLang   = fs.String("card-lang", "", "langue de la carte : fr, fr+en, en+fr (par défaut celle de la structure ; en avec --lang en) / card language: fr, fr+en, en+fr (default: the structure's; en with --lang en)")
		asJSON     = fs.Bool("json", false, "afficher id, code court, texte du QR et jeton de carte en JSON / print id, short code, QR text and card token as JSON")
		batchFlags = issueBatchFlags(fs)
	)
	fs.Var(&levels, "level", "CODE=NIVEAU, répétable / CODE=LEVEL, repeatable (ex. 1.1=3, REC.L=B1)")
	fs.Var(&evidence, "evidence", "preuve (texte), répétable / evidence (text), repeatable")
	fs.Var(&evidURLs, "evidence-url", "lien de preuve http(s), répétable / evidence link, repeatable")
	fs.Var(&fwFiles, "framework-file", "fichier de référentiel supplémentaire / extra framework file (repeatable)")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if batchFlags.set() { // carnet issue --csv (issuebatch.go)
		return runIssueBatch(ctx, fs, e, batchFlags, *data, *structure, *framework, *baseURL, *lang, fwFiles)
	}
	switch {
	case fs.NArg() > 0:
		return usageError(e, fmt.Sprintf("argument inattendu %q", fs.Arg(0)), fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	case *data == "":
		return usageError(e, "--data DIR est obligatoire", "--data DIR is required")
	case *learner == "":
		return usageError(e, "--learner NOM est obligatoire", "--learner NAME is required")
	case *framework == "":
		return usageError(e, "--framework ID est obligatoire", "--framework ID is required")
	case len(levels) == 0:
		return usageError(e, "au moins un --level CODE=N est obligatoire", "at least one --level CODE=N is required")
	case *out == "":
		return usageError(e, "--out FICHIER.jwt est obligatoire", "--out FILE.jwt is required")
	case *lang != "fr" && *lang != "en":
		return usageError(e, "--lang vaut fr ou en", "--lang must be fr or en")
	}
	a := schema.Assessment{
		LearnerName: *learner, SubjectID: *subject, Framework: *framework, Results: levels,
		Method: *method, Mediator: *mediator,
	}
	if *validUntil != "" {
		t, err := time.Parse("2006-01-02", *validUntil)
		if err != nil {
			return usageError(e, "--valid-until attend une date AAAA-MM-JJ", "--valid-until expects a date YYYY-MM-DD")
		}
		a.ValidUntil = t.Add(24*time.Hour - time.Second) // valid through that whole day (UTC)
	}
	for _, t := range evidence {
		a.Evidence = append(a.Evidence, schema.EvidenceItem{Narrative: t})
	}
	for _, u := range evidURLs {
		a.Evidence = append(a.Evidence, schema.EvidenceItem{URL: u})
	}

	in, err := openInstance(ctx, *data, *baseURL, "", fwFiles, e.stderr)
	if err != nil {
		return fail(e, err)
	}
	defer in.Close()
	st, err := in.structure(ctx, *structure)
	if err != nil {
		return fail(e, err)
	}
	ops, err := in.app(ctx, nil)
	if err != nil {
		return fail(e, err)
	}
	// As the pages and the API issue: the credential and its audit entry
	// commit together, or neither.
	is, err := ops.Issue(ctx, cliActor(), st, a, *lang)
	if err != nil {
		return fail(e, err)
	}
	if *out == "-" {
		fmt.Fprintln(e.stdout, is.JWT)
	} else if err := os.WriteFile(*out, []byte(is.JWT+"\n"), 0o600); err != nil {
		return fail(e, schema.Errorf(schema.EINVALID, "cannot write %s: %v", "impossible d'écrire %s : %v", *out, err))
	}
	if *cardOut != "" {
		list, err := in.resources.ListResources(ctx)
		if err != nil {
			return fail(e, err)
		}
		cl := *cardLang
		if cl == "" && *lang == "en" { // as before --card-lang: English, then French
			cl = "en"
		}
		cd, err := card.FromRecord(is.Record, st, in.frameworks, schema.CatalogueOf(list), in.baseURL, cl)
		if err != nil {
			return fail(e, err)
		}
		cd.Layout = *cardLayout
		if cd.Layout == card.LayoutA4 {
			// The two nearest places per competency, as the pages print them.
			if err := ops.CertificatePlaces(ctx, cliActor(), st, is.Record.Framework, cd); err != nil {
				return fail(e, err)
			}
		}
		if logo, _, err := in.structures.Logo(ctx, st.Slug); err == nil {
			cd.Logo = logo
		}
		pdf, err := card.RenderBytes(cd)
		if err != nil {
			return fail(e, err)
		}
		if err := os.WriteFile(*cardOut, pdf, 0o600); err != nil {
			return fail(e, schema.Errorf(schema.EINVALID, "cannot write %s: %v", "impossible d'écrire %s : %v", *cardOut, err))
		}
	}
	switch {
	case *asJSON:
		b, _ := json.MarshalIndent(map[string]string{
			"id": is.Record.ID, "short_code": is.Record.ShortCode, "qr_text": is.QRText,
			"card_token": is.CardToken, "issuer": is.Credential.Issuer.ID, "subject": is.Record.SubjectID,
		}, "", "  ")
		if *out == "-" {
			e.stderr.Write(append(b, '\n'))
		} else {
			e.stdout.Write(append(b, '\n'))
		}
	case *out == "-":
		fmt.Fprintln(e.stderr, is.Record.ID)
	default:
		fmt.Fprintln(e.stdout, is.Record.ID)
	}
	fmt.Fprintf(e.stderr, "Attestation délivrée par / credential issued by %s (%s)\nCode court / short code : %s\n",
		st.Name, is.Credential.Issuer.ID, is.Record.ShortCode)
	return exitOK
}
