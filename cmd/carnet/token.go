package main

import (
	"context"
	"fmt"

	"carnet/schema"
)

const tokenHelp = `carnet token — jetons de l'API / API tokens

Usage :
  carnet token create --data DIR [--user ADRESSE] [--name NOM]

Affiche un jeton d'API (Authorization: Bearer …) qui agit avec les droits du compte choisi
(par défaut : le premier administrateur). Le jeton n'est affiché qu'une fois ; seule son
empreinte est conservée. Il se supprime depuis la page « Mon compte ».
Prints an API token (Authorization: Bearer …) acting with the rights of the chosen account
(default: the first administrator). The token is shown once; only its hash is stored. Delete it
from the "My account" page.
`

func runToken(ctx context.Context, args []string, e env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stdout, tokenHelp)
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	if args[0] != "create" {
		return usageError(e, fmt.Sprintf("sous-commande inconnue %q (create)", args[0]), fmt.Sprintf("unknown subcommand %q (create)", args[0]))
	}
	fs := newFlags("token create", tokenHelp, e)
	data := fs.String("data", envOr("CARNET_DATA", ""), "dossier de données / data dir (obligatoire / required)")
	user := fs.String("user", "", "adresse du compte (défaut : premier administrateur) / account address (default: first administrator)")
	name := fs.String("name", "carnet token create", "nom du jeton / token name")
	if code, done := parseFlags(fs, args[1:], e); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(e, fmt.Sprintf("argument inattendu %q", fs.Arg(0)), fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if *data == "" {
		return usageError(e, "--data DIR est obligatoire", "--data DIR is required")
	}
	in, err := openInstance(ctx, *data, "", "", nil, e.stderr)
	if err != nil {
		return fail(e, err)
	}
	defer in.Close()
	var u *schema.User
	if *user == "" {
		u, err = in.firstAdmin(ctx)
	} else {
		u, err = in.users.FindUserByEmail(ctx, *user)
	}
	if err != nil {
		return fail(e, err)
	}
	ops, err := in.app(ctx, nil)
	if err != nil {
		return fail(e, err)
	}
	// As from the account page: the token and its audit entry commit
	// together, or neither.
	secret, _, err := ops.CreateToken(ctx, cliActorAs(u), *name)
	if err != nil {
		return fail(e, err)
	}
	fmt.Fprintln(e.stdout, secret)
	return exitOK
}
