package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"carnet/places"
	"carnet/schema"
)

const placesHelp = `carnet places — lieux de médiation numérique / digital-inclusion places

Usage :
  carnet places import --data DIR [--source NOM] [--json] FICHIER|-

Importe un fichier du standard national des lieux de médiation numérique (schéma LaMednum /
ANCT, version ` + places.Version + `) : l'export CSV ou JSON de la cartographie nationale, ou un
extrait départemental. Ces lieux servent à l'orientation ; ils sont marqués comme extérieurs au
réseau, jamais comme émetteurs. Un nouvel import remplace les lieux de même identifiant (« id »
du standard) : pas de doublons. Le fichier est lu en flux ; une ligne mal formée ou invalide est
écartée et signalée avec son numéro, le reste est importé. Des horaires invalides sont ignorés
(le lieu est gardé) ; des coordonnées hors de France sont signalées (le lieu est gardé).
Affiche le nombre de lieux importés et les lignes écartées. Sortie 0 : tout est importé ;
1 : des lignes ont été écartées ; 2 : erreur d'usage ou fichier illisible.

Imports a file of the national standard of digital-inclusion places (the LaMednum / ANCT
schema, version ` + places.Version + `): the national cartography's CSV or JSON export, or a
departmental extract. These places serve orientation; they are marked as outside the network,
never as issuers. A new import replaces the places with the same id (the standard's "id"): no
duplicates. The file is streamed; a malformed or invalid row is left out and reported with its
line number, the rest is imported. Invalid opening hours are dropped (the place is kept);
coordinates outside France are reported (the place is kept). Prints the count of places imported
and the rows left out. Exit 0: all imported; 1: some rows were left out; 2: usage error or
unreadable file.

Options :
  --data DIR      dossier de données / data dir (obligatoire / required)
  --source NOM    nom de la source gardé avec chaque lieu / source name kept with each place
                  (défaut : nom du fichier / default: the file's name)
  --json          le rapport en JSON / the report as JSON
`

func runPlaces(ctx context.Context, args []string, e env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stdout, placesHelp)
		if len(args) == 0 {
			return exitError
		}
		return exitOK
	}
	if args[0] != "import" {
		return usageError(e, fmt.Sprintf("sous-commande inconnue %q (import)", args[0]), fmt.Sprintf("unknown subcommand %q (import)", args[0]))
	}
	fs := newFlags("places import", placesHelp, e)
	data := fs.String("data", envOr("CARNET_DATA", ""), "dossier de données / data dir (obligatoire / required)")
	source := fs.String("source", "", "nom de la source / source name")
	asJSON := fs.Bool("json", false, "rapport en JSON / report as JSON")
	if code, done := parseFlags(fs, args[1:], e); done {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(e, "indiquez un fichier (ou - pour l'entrée standard)", "give one file (or - for standard input)")
	}
	if *data == "" {
		return usageError(e, "--data DIR est obligatoire", "--data DIR is required")
	}
	var r io.Reader = e.stdin
	name := fs.Arg(0)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fail(e, schema.Errorf(schema.EINVALID, "cannot read %s: %v", "impossible de lire %s : %v", name, err))
		}
		defer f.Close()
		r = f
	}
	if *source == "" {
		*source = filepath.Base(name)
		if name == "-" {
			*source = "stdin" // a source name needs a letter (app.ImportPlaces)
		}
	}
	in, err := openInstance(ctx, *data, "", "", nil, e.stderr)
	if err != nil {
		return fail(e, err)
	}
	defer in.Close()
	ops, err := in.app(ctx, nil)
	if err != nil {
		return fail(e, err)
	}
	rep, err := ops.ImportPlaces(ctx, cliActor(), r, *source)
	if err != nil {
		if rep != nil && rep.Imported > 0 {
			fmt.Fprintf(e.stderr, "carnet : import interrompu après %d lieux (déjà enregistrés) / import stopped after %d places (already stored)\n", rep.Imported, rep.Imported)
		}
		return fail(e, err)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		fmt.Fprintf(e.stdout, "%d lieux importés / %d places imported", rep.Imported, rep.Imported)
		if rep.Duplicates > 0 {
			fmt.Fprintf(e.stdout, " (%d doublons d'id dans le fichier, le dernier gardé / %d duplicate ids in the file, the last kept)", rep.Duplicates, rep.Duplicates)
		}
		fmt.Fprintf(e.stdout, "\n%d lignes écartées / %d rows left out\n", rep.Rejected, rep.Rejected)
		for _, p := range rep.Rejects {
			printProblem(e.stdout, "écartée / left out", p)
		}
		if rep.Rejected > len(rep.Rejects) {
			fmt.Fprintf(e.stdout, "… et %d autres / and %d more\n", rep.Rejected-len(rep.Rejects), rep.Rejected-len(rep.Rejects))
		}
		if rep.Warned > 0 {
			fmt.Fprintf(e.stdout, "%d avertissements / %d warnings\n", rep.Warned, rep.Warned)
			for _, p := range rep.Warnings {
				printProblem(e.stdout, "avertissement / warning", p)
			}
		}
	}
	if rep.Rejected > 0 {
		return exitInvalid
	}
	return exitOK
}

func printProblem(w io.Writer, what string, p places.Problem) {
	en, fr := p.Where()
	id := ""
	if p.ID != "" {
		id = fmt.Sprintf(" [%s]", p.ID)
	}
	if p.Line == 0 && p.Item == 0 {
		en, fr = "stored", "enregistrement"
	}
	fmt.Fprintf(w, "  %s / %s%s %s : %s / %s\n", fr, en, id, what, p.ReasonFR, p.Reason)
}
