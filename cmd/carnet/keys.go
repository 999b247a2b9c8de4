package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"carnet/keys"
	"carnet/schema"
	"carnet/sqlite"

	"github.com/go-jose/go-jose/v4"
)

const keysHelp = `carnet keys — clés de signature des structures / signing keys of the structures

Usage :
  carnet keys jwks   --data DIR [--structure SLUG]   affiche le JWKS public / prints the public JWKS
  carnet keys did    --data DIR [--structure SLUG]   affiche le document did:web / prints the did:web document
  carnet keys rotate --data DIR --structure SLUG     nouvelle clé de signature ; les anciennes
                                                     vérifient toujours / new signing key; the
                                                     previous ones keep verifying

  carnet keys create --data DIR --structure SLUG [--force]
                                                     clé d'une structure qui n'en a pas / key of
                                                     a structure that has none

Sans --structure, jwks liste les clés de toutes les structures (comme /.well-known/jwks.json).
Without --structure, jwks lists the keys of every structure (as /.well-known/jwks.json does).

Les clés privées sont dans DIR/keys/SLUG.json (mode 0600) ; carnet backup les sauvegarde.
The private keys are in DIR/keys/SLUG.json (mode 0600); carnet backup backs them up.

Fichier de clés perdu ou abîmé : Carnet ne démarre pas tant qu'une structure qui a émis n'a pas sa
clé, car une nouvelle clé rendrait invérifiables toutes ses attestations. Restaurez la dernière
sauvegarde dans un nouveau dossier (carnet restore --data /tmp/restauration --from SAUVEGARDE),
copiez /tmp/restauration/keys/SLUG.json dans DIR/keys/ (mode 0600) et redémarrez. Sans sauvegarde,
les attestations déjà émises par cette structure ne se vérifieront plus nulle part :
carnet keys create --force lui donne une nouvelle clé, et il faut les émettre à nouveau.
Lost or damaged key file: Carnet does not start while a structure that has issued lacks its key,
because a new key would make every one of its credentials unverifiable. Restore the last backup
into a new directory (carnet restore --data /tmp/restored --from BACKUP), copy
/tmp/restored/keys/SLUG.json into DIR/keys/ (mode 0600) and start again. Without a backup, the
credentials that structure issued will verify nowhere any more: carnet keys create --force gives it
a new key, and they must be issued again.

Clé divulguée : qui la détient peut signer des attestations qui se vérifient comme les vôtres, et
révoquer n'y change rien (un faux porte l'entrée de statut de son choix). Faites tourner la clé tout
de suite (carnet keys rotate) : les nouvelles attestations sont signées par la nouvelle. L'ancienne
vérifie tant qu'elle est dans le fichier : réémettez les attestations qu'elle a signées, puis, après
une sauvegarde, retirez-la de DIR/keys/SLUG.json ; tout ce qu'elle a signé, vrai ou faux, se vérifie
alors « clé inconnue ». Prévenez vos partenaires : ils gardent vos clés jusqu'à leur rafraîchissement.
Leaked key: whoever holds it can sign credentials that verify as yours, and revoking does not help
(a forgery carries the status entry of its choice). Rotate at once (carnet keys rotate): new
credentials are signed with the new key. The old one verifies as long as it is in the file: issue
again the credentials it signed, then, after a backup, remove it from DIR/keys/SLUG.json; all it
signed, genuine or forged, then verifies as "unknown key". Tell your partners: they keep your keys
until their next refresh.
`

func runKeys(ctx context.Context, args []string, e env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stdout, keysHelp)
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	sub := args[0]
	if sub == "create" {
		return runKeysCreate(ctx, args[1:], e)
	}
	if sub != "jwks" && sub != "did" && sub != "rotate" {
		return usageError(e, fmt.Sprintf("sous-commande inconnue %q", sub), fmt.Sprintf("unknown subcommand %q", sub))
	}
	fs := newFlags("keys "+sub, keysHelp, e)
	data := fs.String("data", "", "dossier de données / data dir (obligatoire / required)")
	slug := fs.String("structure", "", "structure (slug)")
	if code, done := parseFlags(fs, args[1:], e); done {
		return code
	}
	if *data == "" {
		return usageError(e, "--data DIR est obligatoire", "--data DIR is required")
	}
	if sub == "rotate" && *slug == "" {
		return usageError(e, "--structure SLUG est obligatoire pour rotate", "--structure SLUG is required for rotate")
	}
	in, err := openInstance(ctx, *data, "", "", nil, e.stderr)
	if err != nil {
		return fail(e, err)
	}
	defer in.Close()

	var structures []*schema.Structure
	if *slug != "" || sub == "did" {
		st, err := in.structure(ctx, *slug)
		if err != nil {
			return fail(e, err)
		}
		structures = append(structures, st)
	} else if structures, err = in.structures.ListStructures(ctx); err != nil {
		return fail(e, err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, st := range structures {
		did, err := keys.DIDWeb(in.baseURL, st.Slug)
		if err != nil {
			return fail(e, err)
		}
		switch sub {
		case "rotate":
			// As from a page: the audit entry is written first, in the
			// transaction; when it cannot be, no key is added. A server
			// running on the same data dir signs and verifies with the new
			// key at once.
			ops, err := in.app(ctx, nil)
			if err != nil {
				return fail(e, err)
			}
			_, k, err := ops.RotateKeys(ctx, cliActor(), st.Slug)
			if err != nil {
				return fail(e, err)
			}
			fmt.Fprintln(e.stdout, k.KID(did))
			fmt.Fprintln(e.stderr, "Nouvelle clé de signature ; les précédentes restent publiées. / New signing key; the previous ones stay published.")
			return exitOK
		case "did":
			ring, err := in.keys.Ring(st.Slug)
			if err != nil {
				return fail(e, err)
			}
			return printJSON(e, ring.DIDDocument(did, st.Name))
		default:
			ring, err := in.keys.Ring(st.Slug)
			if err != nil {
				return fail(e, err)
			}
			set.Keys = append(set.Keys, ring.JWKS(did).Keys...)
		}
	}
	return printJSON(e, set)
}

func printJSON(e env, v any) int {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fail(e, err)
	}
	fmt.Fprintln(e.stdout, string(b))
	return exitOK
}

// runKeysCreate gives a key to a structure that has none. For a structure
// that has issued (its key file lost without a backup) it needs --force:
// what it issued will never verify again.
func runKeysCreate(ctx context.Context, args []string, e env) int {
	fs := newFlags("keys create", keysHelp, e)
	data := fs.String("data", "", "dossier de données / data dir (obligatoire / required)")
	slug := fs.String("structure", "", "structure (slug, obligatoire / required)")
	force := fs.Bool("force", false, "même si la structure a émis : ses attestations ne se vérifieront plus / even if the structure has issued: its credentials will no longer verify")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if *data == "" || *slug == "" {
		return usageError(e, "--data DIR et --structure SLUG sont obligatoires", "--data DIR and --structure SLUG are required")
	}
	dbPath := filepath.Join(*data, "carnet.db")
	if _, err := os.Stat(dbPath); err != nil {
		return usageError(e, fmt.Sprintf("%s n'est pas un dossier de données Carnet", *data), fmt.Sprintf("%s is not a Carnet data dir", *data))
	}
	if err := checkDatabaseFile(ctx, dbPath); err != nil {
		return fail(e, err)
	}
	db, err := sqlite.Open(dbPath)
	if err != nil {
		return fail(e, err)
	}
	defer db.Close()
	if _, err := sqlite.NewStructureStore(db).FindStructure(ctx, *slug); err != nil {
		return fail(e, err)
	}
	n, err := sqlite.NewCredentialStore(db).CountCredentials(ctx, *slug)
	if err != nil {
		return fail(e, err)
	}
	if n > 0 && !*force {
		return fail(e, schema.Errorf(schema.ECONFLICT,
			"structure %q has issued %d credential(s): with a new key they will never verify again. Put its key file back from a backup instead; if there is none, --force",
			"la structure %q a émis %d attestation(s) : avec une nouvelle clé, elles ne se vérifieront plus jamais. Remettez plutôt son fichier de clés depuis une sauvegarde ; s'il n'y en a pas, --force", *slug, n))
	}
	ks, err := keys.NewFileStore(filepath.Join(*data, "keys"))
	if err != nil {
		return fail(e, err)
	}
	ring, err := ks.Create(*slug)
	if err != nil {
		return fail(e, err)
	}
	if n > 0 {
		// The start-up check then knows that what this structure signed
		// before now is lost, not a sign of a replaced key file.
		if err := db.SetSetting(ctx, keysResetSetting(*slug), time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
			return fail(e, err)
		}
		fmt.Fprintf(e.stderr, "Les %d attestation(s) émises avant ne se vérifieront plus ; émettez-les à nouveau.\n"+
			"The %d credential(s) issued before will no longer verify; issue them again.\n", n, n)
	}
	fmt.Fprintln(e.stdout, ring.Signer().Thumbprint)
	fmt.Fprintf(e.stderr, "Clé créée : %s\nKey created: %s\n", ks.Path(*slug), ks.Path(*slug))
	return exitOK
}
