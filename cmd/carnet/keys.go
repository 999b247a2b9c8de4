package main

import (
	"context"
	"encoding/json"
	"fmt"

	"carnet/keys"
	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
)

const keysHelp = `carnet keys — clés de signature des structures / signing keys of the structures

Usage :
  carnet keys jwks   --data DIR [--structure SLUG]   affiche le JWKS public / prints the public JWKS
  carnet keys did    --data DIR [--structure SLUG]   affiche le document did:web / prints the did:web document
  carnet keys rotate --data DIR --structure SLUG     nouvelle clé de signature ; les anciennes
                                                     vérifient toujours / new signing key; the
                                                     previous ones keep verifying

Sans --structure, jwks liste les clés de toutes les structures (comme /.well-known/jwks.json).
Without --structure, jwks lists the keys of every structure (as /.well-known/jwks.json does).
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
			// The audit entry is written first, in the transaction: when
			// it cannot be, no key is added. A server running on the same
			// data dir signs and verifies with the new key at once.
			var k *keys.Key
			err := in.db.InTx(ctx, func(ctx context.Context) error {
				if err := in.record(ctx, st.ID, schema.AuditKeysRotated, st.Slug, ""); err != nil {
					return err
				}
				k, err = in.keys.Rotate(st.Slug)
				return err
			})
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
