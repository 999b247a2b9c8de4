package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"carnet/outbound"
	"carnet/schema"
	"carnet/verifier"
)

const verifyHelp = `carnet verify — vérifier une attestation / verify a credential

Usage :
  carnet verify [--data DIR] [--trust JWKS|DID|URL …] [--json] ENTRÉE|-

ENTRÉE est un fichier, ou - pour l'entrée standard, contenant une attestation JWS (.jwt), une
attestation JSON, un jeton de carte, le texte d'un QR code scanné, ou un code court (avec --data).
INPUT is a file, or - for stdin, holding a credential JWS, a credential JSON, a card token, the
text of a scanned QR code, or a short code (with --data).

Valide signifie : signature correcte ET émetteur reconnu ici (structures de --data, émetteurs
de --trust). Jamais une clé désignée par la carte elle-même.
Valid means: signature correct AND issuer trusted here (structures of --data, issuers of
--trust). Never a key named by the card itself.

--trust : un JWKS ou document DID (fichier ou URL), un did:web, l'URL d'une instance Carnet (ses
structures) ou sa liste de confiance signée (https://…/trust-list.jwt : tout son réseau).
Pour un émetteur non reconnu, son document did:web est lu pour dire « signature correcte,
émetteur non reconnu ici » plutôt que « falsifiée » ; ce n'est jamais valide.
--trust: a JWKS or DID document (file or URL), a did:web, a Carnet instance's URL (its
structures) or its signed trust list (https://…/trust-list.jwt: its whole network). For an
issuer not trusted here, its did:web document is read to say "signature correct, issuer not
trusted here" rather than "forged"; that is never valid.

Adresses lues : sans --data, aussi les adresses locales et privées (la commande tourne sur votre
machine) ; avec --data, la règle de l'instance : seulement des adresses publiques si son adresse
n'est pas locale. Jamais de mandataire (HTTP_PROXY).
Addresses read: without --data, local and private ones too (the command runs on your machine);
with --data, the instance's rule: public addresses only unless its address is local. Never a
proxy (HTTP_PROXY).

Sortie / exit: 0 valide / valid, 1 non valide / not valid, 2 erreur / error.
`

func runVerify(ctx context.Context, args []string, e env) int {
	fs := newFlags("verify", verifyHelp, e)
	var trust, fwFiles multiFlag
	data := fs.String("data", "", "dossier de données : ses structures sont reconnues / data dir: its structures are trusted")
	asJSON := fs.Bool("json", false, "afficher le résultat en JSON / print the result as JSON")
	at := fs.String("at", "", "vérifier la validité à cette date (RFC 3339) au lieu de maintenant / check validity at this time (RFC 3339) instead of now")
	fs.Var(&trust, "trust", "JWKS ou document DID (fichier ou URL), did:web, ou URL d'une instance Carnet ; répétable / JWKS or DID document (file or URL), did:web, or a Carnet instance URL; repeatable")
	fs.Var(&fwFiles, "framework-file", "fichier de référentiel supplémentaire (pour les intitulés) / extra framework file (for titles)")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(e, "donnez une ENTRÉE (fichier ou -)", "give one INPUT (a file or -)")
	}
	now := time.Now
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return usageError(e, "--at attend une date RFC 3339", "--at expects an RFC 3339 time")
		}
		now = func() time.Time { return t }
	}

	input, err := readInput(fs.Arg(0), e.stdin)
	if err != nil {
		return fail(e, err)
	}
	reg := verifier.NewRegistry()
	v := &verifier.Verifier{Trust: reg, Frameworks: schema.NewFrameworks(), Now: now}
	// Run by a person on their own machine, the command may read local
	// partners; with --data, it follows the instance's policy.
	out := outbound.New(outbound.Config{Private: true})
	if *data != "" {
		in, err := openInstance(ctx, *data, "", "", fwFiles, e.stderr)
		if err != nil {
			return fail(e, err)
		}
		defer in.Close()
		if err := in.trustLocal(ctx, reg); err != nil {
			return fail(e, err)
		}
		v.Frameworks = in.frameworks
		v.Lookup = in.lookupShortCode
		srv, err := in.server(ctx, nil)
		if err != nil {
			return fail(e, err)
		}
		out = srv.Outbound
		v.Status = &verifier.StatusLists{Local: srv.LocalStatusList, Now: now, Client: out.HTTP()}
	} else {
		v.Status = &verifier.StatusLists{Now: now, Client: out.HTTP()}
		for _, f := range fwFiles {
			if _, err := v.Frameworks.LoadFile(f); err != nil {
				return fail(e, err)
			}
		}
	}
	f := &verifier.Fetcher{Client: out.HTTP()}
	// To tell "signature correct, issuer not trusted here" from forged.
	v.Resolve = (&verifier.DIDResolver{Now: now, Fetcher: f}).Resolve
	for _, src := range trust {
		issuers, err := f.Load(ctx, src)
		if err != nil {
			return fail(e, err)
		}
		for _, ti := range issuers {
			if err := reg.Add(ti); err != nil {
				return fail(e, err)
			}
		}
	}

	res := v.Verify(ctx, input)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		enc.Encode(res)
	} else {
		printResult(e.stdout, res)
	}
	if res.Valid {
		return exitOK
	}
	return exitInvalid
}

// readInput reads a file or stdin, at most one byte over the verifier's
// limit so that a huge input is reported as too large without being read.
func readInput(name string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if name != "-" {
		fh, err := os.Open(name)
		if err != nil {
			return nil, schema.Errorf(schema.EINVALID, "cannot read %s: %v", "impossible de lire %s : %v", name, err)
		}
		defer fh.Close()
		r = fh
	}
	b, err := io.ReadAll(io.LimitReader(r, verifier.MaxInput+1))
	if err != nil {
		return nil, schema.Errorf(schema.EINVALID, "cannot read %s: %v", "impossible de lire %s : %v", name, err)
	}
	return b, nil
}

func printResult(w io.Writer, r *verifier.Result) {
	if r.Valid {
		fmt.Fprintln(w, "✔ VALIDE / VALID")
	} else {
		fmt.Fprintf(w, "✘ NON VALIDE / NOT VALID (%s)\n  %s\n  %s\n", r.Reason, r.MessageFR, r.Message)
	}
	if r.Issuer != nil {
		trusted := "non reconnu ici / not trusted here"
		if r.Issuer.Trusted {
			trusted = "reconnu / trusted"
		}
		name := r.Issuer.Name
		if name == "" {
			name = "?"
		}
		fmt.Fprintf(w, "Émetteur / issuer : %s (%s) — %s\n", name, r.Issuer.ID, trusted)
	}
	if r.Kind == "" || r.CredentialID == "" {
		return
	}
	kind := map[string]string{"credential": "attestation / credential", "card": "carte / card"}[r.Kind]
	fmt.Fprintf(w, "Type : %s\nIdentifiant / id : %s\n", kind, r.CredentialID)
	fmt.Fprintf(w, "Titulaire / learner : %s\n", r.Learner)
	fmt.Fprintf(w, "Référentiel / framework : %s\n", r.Framework)
	for _, l := range r.Levels {
		title := l.Title.In("fr")
		if en := l.Title.In("en"); en != title && en != "" {
			title += " / " + en
		}
		fmt.Fprintf(w, "  %-6s niveau / level %-3s %s\n", l.Competency, l.Level, strings.TrimSpace(title))
	}
	if r.ValidFrom != nil {
		fmt.Fprintf(w, "Délivrée le / issued : %s\n", r.ValidFrom.Format("2006-01-02 15:04 MST"))
	}
	if r.ValidUntil != nil {
		fmt.Fprintf(w, "Expire le / expires : %s\n", r.ValidUntil.Format("2006-01-02 15:04 MST"))
	}
}
