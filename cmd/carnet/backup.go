package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"carnet/schema"
	"carnet/sqlite"
)

const backupHelp = `carnet backup — sauvegarder un dossier de données / back up a data dir

Usage :
  carnet backup --data DIR --out FICHIER [--force]

Écrit dans FICHIER (tar.gz) une copie cohérente de la base, prise en un instant, même pendant que
le serveur tourne et émet (VACUUM INTO), les fichiers de clés (DIR/keys) et les référentiels ajoutés
(DIR/frameworks), avec un manifeste (version, date, empreinte SHA-256 de chaque fichier).
Le fichier contient les clés privées de signature : quiconque le lit peut signer au nom de vos
structures. Il est créé en mode 0600 ; gardez-le chiffré et hors du serveur.
FICHIER n'est jamais écrasé sans --force ; il est écrit à côté puis renommé (jamais à moitié écrit).
Writes to FILE (tar.gz) a consistent copy of the database, taken at one instant, even while the
server runs and issues (VACUUM INTO), the key files (DIR/keys) and the added frameworks
(DIR/frameworks), with a manifest (version, date, SHA-256 digest of each file).
The file holds the private signing keys: whoever reads it can sign in your structures' name. It is
created with mode 0600; keep it encrypted and off the server.
FILE is never overwritten without --force; it is written beside and renamed (never half written).
Remise en place / restore: carnet restore --data DOSSIER_VIDE --from FICHIER.
`

const restoreHelp = `carnet restore — restaurer une sauvegarde / restore a backup

Usage :
  carnet restore --data DOSSIER_VIDE --from FICHIER

Remet une sauvegarde de carnet backup dans un dossier vide ou inexistant (jamais par-dessus des
données), après avoir vérifié le manifeste et l'empreinte de chaque fichier ; refuse les chemins
hors du dossier, les liens, les fichiers plus grands que le manifeste ne dit et une base de plus
de 64 Gio (bombe d'archive). Puis vérifie le
dossier comme carnet check. Pour ne récupérer qu'un fichier de clés perdu : restaurez dans un
nouveau dossier, puis copiez-en keys/SLUG.json.
Puts a backup made by carnet backup into an empty or non-existent directory (never over data),
after checking the manifest and each file's digest; refuses paths outside the directory, links,
files larger than the manifest says and a database over 64 GiB (archive bomb). Then checks the directory as carnet check does. To get
back only a lost key file: restore into a new directory, then copy keys/SLUG.json from it.
Codes de sortie / exit codes: 0 restauré et vérifié / restored and checked, 1 restauré mais la
vérification trouve un problème / restored but the check finds a problem, 2 rien restauré / nothing
restored (usage error, bad archive).
`

// The backup archive: manifest.json first, then the files it lists.
const (
	backupFormat  = "carnet-backup"
	backupVersion = 1
	manifestName  = "manifest.json"
	maxManifest   = 1 << 20
	maxSmallFile  = 16 << 20 // a key file, a framework
	maxDatabase   = 64 << 30 // bounds what a forged manifest can make restore write
	maxMembers    = 10000
)

type backupManifest struct {
	Format  string       `json:"format"`
	Version int          `json:"version"`
	Carnet  string       `json:"carnet"`
	Created time.Time    `json:"created"`
	Files   []backupFile `json:"files"`
}

type backupFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// backupNameRE is every name an archive may hold: nothing else is ever
// written by restore.
var backupNameRE = regexp.MustCompile(`^(carnet\.db|keys/[a-z0-9][a-z0-9-]*\.json|frameworks/[A-Za-z0-9][A-Za-z0-9._-]*\.json)$`)

func runBackup(ctx context.Context, args []string, e env) int {
	fs := newFlags("backup", backupHelp, e)
	data := fs.String("data", envOr("CARNET_DATA", ""), "dossier de données / data dir (obligatoire / required)")
	out := fs.String("out", "", "fichier de sauvegarde à écrire / backup file to write (obligatoire / required)")
	force := fs.Bool("force", false, "remplacer FICHIER s'il existe / replace FILE if it exists")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(e, fmt.Sprintf("argument inattendu %q", fs.Arg(0)), fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if *data == "" || *out == "" {
		return usageError(e, "--data DIR et --out FICHIER sont obligatoires", "--data DIR and --out FILE are required")
	}
	if _, err := os.Stat(filepath.Join(*data, "carnet.db")); err != nil {
		return usageError(e, fmt.Sprintf("%s n'est pas un dossier de données Carnet (pas de carnet.db)", *data),
			fmt.Sprintf("%s is not a Carnet data dir (no carnet.db)", *data))
	}
	if _, err := os.Lstat(*out); err == nil && !*force {
		return usageError(e, fmt.Sprintf("%s existe déjà (--force pour le remplacer)", *out), fmt.Sprintf("%s already exists (--force to replace it)", *out))
	}
	m, err := backup(ctx, *data, *out, *force)
	if err != nil {
		return fail(e, err)
	}
	var size int64
	for _, f := range m.Files {
		size += f.Size
	}
	fmt.Fprintf(e.stderr, "Sauvegarde écrite : %s (%d fichiers, %d octets avant compression ; contient les clés privées)\n"+
		"Backup written: %s (%d files, %d bytes before compression; holds the private keys)\n", *out, len(m.Files), size, *out, len(m.Files), size)
	return exitOK
}

// backup writes the archive of dir to out. The database is copied first,
// then the keys: key files only ever gain keys, so every credential of the
// copied database was signed by a key the copied files hold.
func backup(ctx context.Context, dir, out string, force bool) (*backupManifest, error) {
	stage, err := os.MkdirTemp(filepath.Dir(out), ".carnet-backup-")
	if err != nil {
		return nil, schema.Errorf(schema.EINVALID, "cannot write beside %s: %v", "impossible d'écrire à côté de %s : %v", out, err)
	}
	defer os.RemoveAll(stage)
	dbCopy := filepath.Join(stage, "carnet.db")
	db, err := sqlite.Open(filepath.Join(dir, "carnet.db"))
	if err != nil {
		return nil, err
	}
	err = db.BackupTo(ctx, dbCopy)
	db.Close()
	if err != nil {
		return nil, err
	}
	if problems, err := sqlite.CheckFile(ctx, dbCopy, false); err != nil {
		return nil, err
	} else if len(problems) > 0 {
		return nil, errDamagedDatabase(filepath.Join(dir, "carnet.db"), problems)
	}

	type member struct {
		name, path string
	}
	members := []member{{"carnet.db", dbCopy}}
	for _, sub := range []string{"keys", "frameworks"} {
		paths, err := filepath.Glob(filepath.Join(dir, sub, "*.json"))
		if err != nil {
			return nil, err
		}
		sort.Strings(paths)
		for _, p := range paths {
			name := sub + "/" + filepath.Base(p)
			if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() || !backupNameRE.MatchString(name) {
				continue // a temporary or foreign file
			}
			members = append(members, member{name, p})
		}
	}
	m := &backupManifest{Format: backupFormat, Version: backupVersion, Carnet: version, Created: time.Now().UTC().Truncate(time.Second)}
	contents := map[string][]byte{} // the small files, read once: what is digested is what is written
	for _, mb := range members {
		f := backupFile{Name: mb.name}
		if mb.name == "carnet.db" {
			if f.Size, f.SHA256, err = digestFile(mb.path); err != nil {
				return nil, err
			}
		} else {
			b, err := os.ReadFile(mb.path)
			if err != nil {
				return nil, err
			}
			contents[mb.name] = b
			sum := sha256.Sum256(b)
			f.Size, f.SHA256 = int64(len(b)), hex.EncodeToString(sum[:])
		}
		m.Files = append(m.Files, f)
	}

	tmp, err := os.CreateTemp(filepath.Dir(out), ".carnet-backup-*.tmp")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := writeArchive(tmp, m, func(name string, w io.Writer) error {
		if b, ok := contents[name]; ok {
			_, err := w.Write(b)
			return err
		}
		f, err := os.Open(dbCopy)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	}); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if force {
		err = os.Rename(tmp.Name(), out)
	} else {
		err = os.Link(tmp.Name(), out) // never replaces a file that appeared meanwhile
	}
	if errors.Is(err, os.ErrExist) {
		return nil, schema.Errorf(schema.ECONFLICT, "%s already exists (--force to replace it)", "%s existe déjà (--force pour le remplacer)", out)
	} else if err != nil {
		return nil, err
	}
	syncDir(filepath.Dir(out))
	return m, nil
}

func writeArchive(w io.Writer, m *backupManifest, body func(name string, w io.Writer) error) error {
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	hdr := func(name string, size int64) *tar.Header {
		return &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o600, ModTime: m.Created, Format: tar.FormatPAX}
	}
	if err := tw.WriteHeader(hdr(manifestName, int64(len(mj)))); err != nil {
		return err
	}
	if _, err := tw.Write(mj); err != nil {
		return err
	}
	for _, f := range m.Files {
		if err := tw.WriteHeader(hdr(f.Name, f.Size)); err != nil {
			return err
		}
		if err := body(f.Name, tw); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

func digestFile(p string) (int64, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return n, hex.EncodeToString(h.Sum(nil)), err
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func runRestore(ctx context.Context, args []string, e env) int {
	fs := newFlags("restore", restoreHelp, e)
	data := fs.String("data", "", "dossier vide ou inexistant / empty or non-existent dir (obligatoire / required)")
	from := fs.String("from", "", "fichier de sauvegarde / backup file (obligatoire / required)")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(e, fmt.Sprintf("argument inattendu %q", fs.Arg(0)), fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if *data == "" || *from == "" {
		return usageError(e, "--data DOSSIER_VIDE et --from FICHIER sont obligatoires", "--data EMPTY_DIR and --from FILE are required")
	}
	m, err := restore(*data, *from)
	if err != nil {
		return fail(e, err)
	}
	fmt.Fprintf(e.stdout, "Sauvegarde du %s restaurée dans %s (%d fichiers, empreintes vérifiées).\nBackup of %s restored into %s (%d files, digests checked).\n",
		m.Created.Format(time.RFC3339), *data, len(m.Files), m.Created.Format(time.RFC3339), *data, len(m.Files))
	return checkReport(ctx, *data, e)
}

func errBadArchive(from, en, fr string) error {
	return &schema.Error{Code: schema.EINVALID,
		Message:   fmt.Sprintf("%s is not a usable Carnet backup: %s; nothing was restored", from, en),
		MessageFR: fmt.Sprintf("%s n'est pas une sauvegarde Carnet utilisable : %s ; rien n'a été restauré", from, fr)}
}

// restore extracts the archive from into dir, which must be empty or not
// exist. Files go to a staging directory inside dir and move in place only
// once every digest matched; on any failure dir is left as it was.
func restore(dir, from string) (m *backupManifest, err error) {
	created := false
	if fi, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, schema.Errorf(schema.EINVALID, "cannot create %s: %v", "impossible de créer %s : %v", dir, err)
		}
		created = true
	} else if err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, schema.Errorf(schema.EINVALID, "%s is not a directory", "%s n'est pas un dossier", dir)
	} else if entries, err := os.ReadDir(dir); err != nil {
		return nil, err
	} else if len(entries) > 0 {
		return nil, schema.Errorf(schema.EINVALID, "%s is not empty: restore only into an empty or new directory, never over data",
			"%s n'est pas vide : restaurez seulement dans un dossier vide ou nouveau, jamais par-dessus des données", dir)
	}
	stage, err := os.MkdirTemp(dir, ".restore-")
	if err != nil {
		return nil, err
	}
	defer func() {
		os.RemoveAll(stage)
		if err != nil && created {
			os.Remove(dir)
		}
	}()
	f, err := os.Open(from)
	if err != nil {
		return nil, schema.Errorf(schema.EINVALID, "cannot read %s: %v", "impossible de lire %s : %v", from, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, errBadArchive(from, "not gzip", "pas au format gzip")
	}
	tr := tar.NewReader(zr)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != manifestName || hdr.Typeflag != tar.TypeReg || hdr.Size > maxManifest {
		return nil, errBadArchive(from, "no manifest first", "pas de manifeste en tête")
	}
	mj, err := io.ReadAll(io.LimitReader(tr, maxManifest))
	if err != nil {
		return nil, errBadArchive(from, "unreadable manifest", "manifeste illisible")
	}
	m = &backupManifest{}
	if err := json.Unmarshal(mj, m); err != nil || m.Format != backupFormat {
		return nil, errBadArchive(from, "unreadable manifest", "manifeste illisible")
	}
	if m.Version != backupVersion {
		return nil, errBadArchive(from, fmt.Sprintf("format version %d, this carnet reads %d", m.Version, backupVersion),
			fmt.Sprintf("version de format %d, ce carnet lit la %d", m.Version, backupVersion))
	}
	want := map[string]backupFile{}
	for _, bf := range m.Files {
		limit := int64(maxSmallFile)
		if bf.Name == "carnet.db" {
			limit = maxDatabase
		}
		if !backupNameRE.MatchString(bf.Name) || path.Clean(bf.Name) != bf.Name || bf.Size < 0 || bf.Size > limit || len(bf.SHA256) != 64 {
			return nil, errBadArchive(from, fmt.Sprintf("manifest lists %q", bf.Name), fmt.Sprintf("le manifeste liste %q", bf.Name))
		}
		if _, dup := want[bf.Name]; dup {
			return nil, errBadArchive(from, fmt.Sprintf("%q listed twice", bf.Name), fmt.Sprintf("%q listé deux fois", bf.Name))
		}
		want[bf.Name] = bf
	}
	if _, ok := want["carnet.db"]; !ok || len(want) > maxMembers {
		return nil, errBadArchive(from, "no database in the manifest", "pas de base dans le manifeste")
	}
	done := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, errBadArchive(from, "truncated or damaged archive", "archive tronquée ou abîmée")
		}
		bf, ok := want[hdr.Name]
		if !ok || done[hdr.Name] {
			return nil, errBadArchive(from, fmt.Sprintf("unexpected member %q", hdr.Name), fmt.Sprintf("membre inattendu %q", hdr.Name))
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, errBadArchive(from, fmt.Sprintf("%q is not a regular file (link?)", hdr.Name), fmt.Sprintf("%q n'est pas un fichier ordinaire (lien ?)", hdr.Name))
		}
		if hdr.Size != bf.Size {
			return nil, errBadArchive(from, fmt.Sprintf("%q is %d bytes, the manifest says %d", hdr.Name, hdr.Size, bf.Size),
				fmt.Sprintf("%q fait %d octets, le manifeste dit %d", hdr.Name, hdr.Size, bf.Size))
		}
		if err := extract(stage, bf, tr); err != nil {
			if schema.ErrorCode(err) == schema.EINVALID {
				return nil, errBadArchive(from, err.Error(), schema.ErrorMessageFR(err))
			}
			return nil, err
		}
		done[hdr.Name] = true
	}
	for name := range want {
		if !done[name] {
			return nil, errBadArchive(from, fmt.Sprintf("%q is missing", name), fmt.Sprintf("%q manque", name))
		}
	}
	entries, err := os.ReadDir(stage)
	if err != nil {
		return nil, err
	}
	for _, en := range entries {
		if err := os.Rename(filepath.Join(stage, en.Name()), filepath.Join(dir, en.Name())); err != nil {
			return nil, err
		}
	}
	syncDir(dir)
	return m, nil
}

// extract writes one member into stage, reading exactly its size, and
// checks its digest.
func extract(stage string, bf backupFile, r io.Reader) error {
	p := filepath.Join(stage, filepath.FromSlash(bf.Name))
	if !strings.HasPrefix(p, stage+string(filepath.Separator)) {
		return schema.Errorf(schema.EINVALID, "path %q outside the directory", "chemin %q hors du dossier", bf.Name)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, bf.Size))
	if err == nil && n != bf.Size {
		err = schema.Errorf(schema.EINVALID, "%q is truncated", "%q est tronqué", bf.Name)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if hex.EncodeToString(h.Sum(nil)) != bf.SHA256 {
		return schema.Errorf(schema.EINVALID, "the digest of %q does not match the manifest", "l'empreinte de %q ne correspond pas au manifeste", bf.Name)
	}
	return nil
}
