// Command carnet issues and verifies Open Badges 3.0 credentials and card
// tokens for digital-inclusion mediators: see `carnet --help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"carnet/schema"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Exit codes of every command (DESIGN.md § Stable interfaces).
const (
	exitOK      = 0 // success, or a valid credential
	exitInvalid = 1 // the credential is not valid
	exitError   = 2 // usage or system error
)

const usage = `carnet — attestations de compétences numériques / digital-skill credentials

Usage :
  carnet serve   --data DIR --addr HÔTE:PORT --base-url URL
  carnet issue   --data DIR --learner NOM --framework ID --level CODE=N … --out FICHIER.jwt
  carnet verify  [--data DIR] [--trust JWKS|DID|URL …] [--json] ENTRÉE|-
  carnet keys    jwks|did|rotate|create --data DIR [--structure SLUG]
  carnet token create --data DIR [--user ADRESSE] [--name NOM]
  carnet frameworks [--data DIR] [ID]
  carnet places import --data DIR FICHIER.csv|FICHIER.json
  carnet backup  --data DIR --out FICHIER [--force]
  carnet restore --data DOSSIER_VIDE --from FICHIER
  carnet check   --data DIR
  carnet version

Chaque commande affiche son aide avec --help. Each command prints its help with --help.
Codes de sortie / exit codes: 0 succès ou valide / success or valid, 1 invalide / invalid
(check : problème trouvé / problem found), 2 erreur d'usage ou système / usage or system error.
Sauvegarde / backup : carnet backup, puis / then carnet restore ; carnet check dit si un dossier
est sain / says whether a data dir is sound.
`

type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func main() {
	// SIGTERM is how systemd and container runtimes stop a service: serve
	// stops gracefully on it as on Ctrl-C.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], env{os.Stdin, os.Stdout, os.Stderr}))
}

func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitError
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(e.stdout, usage)
		return exitOK
	case "version", "--version":
		fmt.Fprintln(e.stdout, "carnet", version)
		return exitOK
	case "serve":
		return runServe(ctx, rest, e)
	case "issue":
		return runIssue(ctx, rest, e)
	case "verify":
		return runVerify(ctx, rest, e)
	case "keys":
		return runKeys(ctx, rest, e)
	case "frameworks":
		return runFrameworks(ctx, rest, e)
	case "token":
		return runToken(ctx, rest, e)
	case "places":
		return runPlaces(ctx, rest, e)
	case "backup":
		return runBackup(ctx, rest, e)
	case "restore":
		return runRestore(ctx, rest, e)
	case "check":
		return runCheck(ctx, rest, e)
	case "gen-demo": // not in the usage: benchmarks only (gendemo.go)
		return runGenDemo(ctx, rest, e)
	}
	fmt.Fprintf(e.stderr, "carnet : commande inconnue %q / unknown command %q\n\n%s", cmd, cmd, usage)
	return exitError
}

// newFlags returns a flag set that prints help text on -h/--help and
// reports parse errors without exiting.
func newFlags(name, help string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), help)
		fmt.Fprintln(fs.Output(), "\nOptions :")
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args; it returns done=true with the exit code when the
// command must stop (help asked, or a usage error).
func parseFlags(fs *flag.FlagSet, args []string, e env) (code int, done bool) {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(e.stdout)
		fs.Usage()
		return exitOK, true
	} else if err != nil {
		return exitError, true
	}
	return 0, false
}

// fail prints err in French and in English and returns the exit code for it.
func fail(e env, err error) int {
	fr, en := schema.ErrorMessageFR(err), schema.ErrorMessage(err)
	if schema.ErrorCode(err) == schema.EINTERNAL {
		en = err.Error() // the CLI user is the operator: show the cause
		fr = "erreur interne : " + en
	}
	if fr == en {
		fmt.Fprintf(e.stderr, "carnet : %s\n", en)
	} else {
		fmt.Fprintf(e.stderr, "carnet : erreur : %s\ncarnet: error: %s\n", fr, en)
	}
	return exitError
}

// usageError prints a usage error in both languages.
func usageError(e env, fr, en string) int {
	fmt.Fprintf(e.stderr, "carnet : %s\ncarnet: %s\n(--help)\n", fr, en)
	return exitError
}

// multiFlag collects a repeated string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }
