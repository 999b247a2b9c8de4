package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"carnet/sqlite"
)

// issueAPI creates a learner and issues them a credential by API, without
// failing the test (it runs in goroutines).
func issueAPI(base, tok, name string) (issued, error) {
	call := func(path string, body, out any) error {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		rb, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("%s: %d %s", path, res.StatusCode, rb)
		}
		return json.Unmarshal(rb, out)
	}
	var l struct{ ID string }
	if err := call("/api/v1/learners", map[string]any{"name": name}, &l); err != nil {
		return issued{}, err
	}
	var c issued
	err := call("/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2",
		"levels": map[string]any{"1.1": 3, "4.2": 2}, "evidence": "Atelier"}, &c)
	return c, err
}

// TestBackupRestoreUnderConcurrentIssuance backs up a live data dir with
// `carnet backup` while `carnet serve` issues credentials from several
// clients, restores it into a new dir and checks that every credential
// acknowledged (201) before the backup started is in the copy and
// verifies with the copy's keys.
func TestBackupRestoreUnderConcurrentIssuance(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a server")
	}
	n := newNode(t, "A")
	tok := n.token()
	var (
		mu    sync.Mutex
		acked []issued
		errs  []error
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(acked) }
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				c, err := issueAPI(n.base, tok, fmt.Sprintf("Personne %d-%d", w, i))
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					acked = append(acked, c)
				}
				mu.Unlock()
			}
		}(w)
	}
	waitFor := func(k int) {
		deadline := time.Now().Add(60 * time.Second)
		for count() < k {
			if time.Now().After(deadline) {
				close(stop)
				t.Fatalf("only %d credentials issued: %v", count(), errs)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor(30)
	mu.Lock()
	before := append([]issued(nil), acked...) // every 201 received before the backup starts
	mu.Unlock()
	out := filepath.Join(t.TempDir(), "carnet.backup")
	code, msg := cli(t, "backup", "--data", n.data, "--out", out)
	if code != 0 {
		close(stop)
		t.Fatalf("backup: %d %s", code, msg)
	}
	waitFor(len(before) + 10) // issuance went on during and after the backup
	close(stop)
	wg.Wait()
	if len(errs) > 0 {
		t.Errorf("issuance errors: %v", errs)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi.Mode(), err)
	}
	if code, msg := cli(t, "backup", "--data", n.data, "--out", out); code != exitError || !strings.Contains(msg, "--force") {
		t.Errorf("backup over an existing file: %d %s", code, msg)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	code, msg = cli(t, "restore", "--data", restored, "--from", out)
	if code != 0 || !strings.Contains(msg, "All is well") {
		t.Fatalf("restore: %d %s", code, msg)
	}
	if code, msg := cli(t, "check", "--data", restored); code != 0 {
		t.Fatalf("check of the restored dir: %d %s", code, msg)
	}
	db, err := sqlite.Open(filepath.Join(restored, "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	creds := sqlite.NewCredentialStore(db)
	for _, c := range before {
		rec, err := creds.FindCredential(context.Background(), c.ID)
		if err != nil || rec.JWT != c.JWT {
			t.Errorf("acknowledged credential %s not in the restored copy: %v", c.ID, err)
		}
	}
	total, _ := creds.CountCredentials(context.Background(), "")
	db.Close()
	t.Logf("%d credentials acknowledged before the backup, %d in the copy, %d acknowledged in all", len(before), total, count())
	for _, c := range before {
		code, out, _ := carnet(t, c.JWT, "verify", "--data", restored, "--json", "-")
		if code != exitOK || !strings.Contains(out, `"valid": true`) {
			t.Errorf("credential %s in the restored copy: %d %s", c.ID, code, out)
		}
	}

	// Never over data.
	if code, msg := cli(t, "restore", "--data", restored, "--from", out); code != exitError || !strings.Contains(msg, "not empty") {
		t.Errorf("restore over data: %d %s", code, msg)
	}

	// check says what is wrong: a lost key file, a damaged database.
	keyless := filepath.Join(t.TempDir(), "keyless")
	if code, msg := cli(t, "restore", "--data", keyless, "--from", out); code != 0 {
		t.Fatal(msg)
	}
	os.Remove(filepath.Join(keyless, "keys", "main.json"))
	if code, msg := cli(t, "check", "--data", keyless); code != exitInvalid || !strings.Contains(msg, "key file") || !strings.Contains(msg, "fichier de clés") {
		t.Errorf("check without the key file: %d %s", code, msg)
	}
	damaged := filepath.Join(t.TempDir(), "damaged")
	if code, msg := cli(t, "restore", "--data", damaged, "--from", out); code != 0 {
		t.Fatal(msg)
	}
	damageFile(t, filepath.Join(damaged, "carnet.db"))
	if code, msg := cli(t, "check", "--data", damaged); code != exitInvalid || !strings.Contains(msg, "PROBLEM: database") {
		t.Errorf("check of a damaged database: %d %s", code, msg)
	}
	if code, msg := cli(t, "check"); code != exitError {
		t.Errorf("check without --data: %d %s", code, msg)
	}
}

// archive is a hand-made backup archive.
type archive struct {
	manifest *backupManifest
	members  []archiveMember
}

type archiveMember struct {
	hdr  tar.Header
	body []byte
}

// goodArchive returns a well-formed archive of a fake data dir.
func goodArchive() *archive {
	a := &archive{manifest: &backupManifest{Format: backupFormat, Version: backupVersion, Created: time.Now().UTC()}}
	a.add("carnet.db", []byte("not really a database"))
	a.add("keys/main.json", []byte(`{"keys": []}`))
	return a
}

func (a *archive) add(name string, body []byte) {
	sum := sha256.Sum256(body)
	a.manifest.Files = append(a.manifest.Files, backupFile{Name: name, Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:])})
	a.members = append(a.members, archiveMember{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(body)), Mode: 0o600}, body: body})
}

func (a *archive) write(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	mj, _ := json.Marshal(a.manifest)
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: manifestName, Size: int64(len(mj)), Mode: 0o600})
	tw.Write(mj)
	for _, m := range a.members {
		h := m.hdr
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write(m.body)
		}
	}
	tw.Close()
	zw.Close()
	p := filepath.Join(t.TempDir(), "x.backup")
	os.WriteFile(p, buf.Bytes(), 0o600)
	return p
}

// TestRestoreRefusesHostileArchives: restore writes only what the
// manifest lists, under the target dir, as regular files of the declared
// size and digest, and leaves the target as it was when it refuses.
func TestRestoreRefusesHostileArchives(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(a *archive)
		want   string
	}{
		{"path traversal in the manifest", func(a *archive) { a.add("../evil.json", []byte("x")) }, "manifest lists"},
		{"absolute path", func(a *archive) { a.add("/tmp/evil.json", []byte("x")) }, "manifest lists"},
		{"traversal in a key name", func(a *archive) { a.add("keys/../../evil.json", []byte("x")) }, "manifest lists"},
		{"member not in the manifest", func(a *archive) {
			a.members = append(a.members, archiveMember{hdr: tar.Header{Typeflag: tar.TypeReg, Name: "../evil", Size: 1, Mode: 0o600}, body: []byte("x")})
		}, "unexpected member"},
		{"symbolic link", func(a *archive) {
			a.members[1] = archiveMember{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: "keys/main.json", Linkname: "/etc/passwd"}}
		}, "not a regular file"},
		{"hard link", func(a *archive) {
			a.members[1] = archiveMember{hdr: tar.Header{Typeflag: tar.TypeLink, Name: "keys/main.json", Linkname: "carnet.db"}}
		}, "not a regular file"},
		{"member larger than the manifest says", func(a *archive) {
			big := bytes.Repeat([]byte{0}, 1<<20)
			a.members[0] = archiveMember{hdr: tar.Header{Typeflag: tar.TypeReg, Name: "carnet.db", Size: int64(len(big)), Mode: 0o600}, body: big}
		}, "the manifest says"},
		{"oversized member in the manifest", func(a *archive) { a.manifest.Files[1].Size = maxSmallFile + 1 }, "manifest lists"},
		{"digest mismatch", func(a *archive) { a.manifest.Files[1].SHA256 = strings.Repeat("0", 64) }, "digest"},
		{"member missing", func(a *archive) { a.members = a.members[:1] }, "is missing"},
		{"member twice", func(a *archive) { a.members = append(a.members, a.members[1]) }, "unexpected member"},
		{"no manifest", func(a *archive) { a.manifest.Format = "tar" }, "manifest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := goodArchive()
			tc.change(a)
			from := a.write(t)
			parent := t.TempDir()
			target := filepath.Join(parent, "data")
			code, _, stderr := carnet(t, "", "restore", "--data", target, "--from", from)
			if code != exitError || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "nothing was restored") {
				t.Errorf("exit %d, %s; want %q", code, stderr, tc.want)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("restore left %v behind", entries)
			}
		})
	}
	// The same archive, well formed, is restored (its check then fails: it
	// is not a real database, which check says).
	from := goodArchive().write(t)
	target := filepath.Join(t.TempDir(), "data")
	code, stdout, stderr := carnet(t, "", "restore", "--data", target, "--from", from)
	if code != exitInvalid || !strings.Contains(stdout, "PROBLEM") {
		t.Errorf("well-formed archive of a bad database: exit %d %s %s", code, stdout, stderr)
	}
	if fi, err := os.Stat(filepath.Join(target, "keys", "main.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("restored key file: %v", err)
	}
}
