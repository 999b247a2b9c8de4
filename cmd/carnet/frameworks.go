package main

import (
	"context"
	"encoding/json"
	"fmt"

	"carnet/schema"
)

const frameworksHelp = `carnet frameworks — référentiels de compétences / competency frameworks

Usage :
  carnet frameworks [--data DIR] [--framework-file F …]        liste les référentiels / lists frameworks
  carnet frameworks [--data DIR] [--framework-file F …] ID     compétences et niveaux / competencies and levels
  carnet frameworks --json ID                                   le référentiel en JSON, avec l'énoncé de chaque
                                                                niveau par compétence (comme GET /api/v1/frameworks/ID) /
                                                                the framework as JSON, with each competency's level
                                                                statements (as GET /api/v1/frameworks/ID)

Un réseau peut ajouter son propre référentiel (même format) dans DIR/frameworks/ ou avec
--framework-file. A network can add its own framework (same format) in DIR/frameworks/ or
with --framework-file.
`

func runFrameworks(ctx context.Context, args []string, e env) int {
	fs := newFlags("frameworks", frameworksHelp, e)
	var fwFiles multiFlag
	data := fs.String("data", "", "dossier de données / data dir")
	fs.Var(&fwFiles, "framework-file", "fichier de référentiel supplémentaire / extra framework file (repeatable)")
	asJSON := fs.Bool("json", false, "sortie JSON (avec ID) / JSON output (with ID)")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	fws := schema.NewFrameworks()
	if *data != "" {
		in, err := openInstance(ctx, *data, "", "", fwFiles, e.stderr)
		if err != nil {
			return fail(e, err)
		}
		defer in.Close()
		fws = in.frameworks
	} else {
		for _, f := range fwFiles {
			if _, err := fws.LoadFile(f); err != nil {
				return fail(e, err)
			}
		}
	}
	if fs.NArg() == 0 {
		for _, id := range fws.IDs() {
			f, _ := fws.Get(id)
			fmt.Fprintf(e.stdout, "%-14s %s\n", id, f.Title.In("fr"))
		}
		return exitOK
	}
	f, err := fws.Get(fs.Arg(0))
	if err != nil {
		return fail(e, err)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(f); err != nil {
			return fail(e, err)
		}
		return exitOK
	}
	fmt.Fprintf(e.stdout, "%s — %s\n%s\nLicence : %s %s\n\nNiveaux / levels:\n", f.ID, f.Title.In("fr"), f.Title.In("en"), f.License.ID, f.License.URL)
	for _, l := range f.Levels {
		fmt.Fprintf(e.stdout, "  %-4s %s / %s\n", l.ID, l.Title.In("fr"), l.Title.In("en"))
	}
	for _, a := range f.Areas {
		fmt.Fprintf(e.stdout, "\n%s %s / %s\n", a.Code, a.Title.In("fr"), a.Title.In("en"))
		for _, c := range a.Competences {
			fmt.Fprintf(e.stdout, "  %-7s %s\n          %s\n", c.Code, c.Title.In("fr"), c.Title.In("en"))
		}
	}
	return exitOK
}
