package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"carnet/schema"

	"github.com/go-jose/go-jose/v4"
)

// Store gives the key ring of each issuer. A file-backed store never makes a
// key on its own: a ring is created, for a new issuer only, by Create.
type Store interface {
	// Ring returns the ring of slug. FileStore fails with a *MissingError
	// when the ring's file is missing, so a lost key file is never
	// silently replaced by a new key.
	Ring(slug string) (*Ring, error)
	// Create makes the ring of a new issuer with a first key; ECONFLICT
	// when slug already has one.
	Create(slug string) (*Ring, error)
	// Rotate adds a new signing key to the ring of slug and returns it,
	// and a new Ed25519 key beside it; the previous keys stay in the ring
	// and keep verifying.
	Rotate(slug string) (*Key, error)
}

// A ring always has an Ed25519 key: Create makes one with the first P-256
// key, and Ring adds one to a ring stored before Ed25519 keys existed.

// MemStore is an ephemeral Store for tests and development: keys live in
// memory only, and Ring creates a ring on first use (nothing signed by an
// ephemeral key outlives the process, so nothing can be orphaned).
type MemStore struct {
	Rand io.Reader        // crypto/rand when nil
	Now  func() time.Time // time.Now when nil

	mu    sync.Mutex
	rings map[string]*Ring
}

// NewMemStore returns an empty ephemeral store.
func NewMemStore() *MemStore { return &MemStore{} }

func (m *MemStore) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Ring implements Store.
func (m *MemStore) Ring(slug string) (*Ring, error) {
	if err := schema.ValidateSlug(slug); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.rings[slug]; ok {
		return r, nil
	}
	k, err := NewKey(m.Rand, m.now())
	if err != nil {
		return nil, err
	}
	ek, err := NewEdKey(m.Rand, m.now())
	if err != nil {
		return nil, err
	}
	if m.rings == nil {
		m.rings = make(map[string]*Ring)
	}
	r := &Ring{Keys: []*Key{k}, Ed: []*EdKey{ek}}
	m.rings[slug] = r
	return r, nil
}

// Create implements Store.
func (m *MemStore) Create(slug string) (*Ring, error) {
	if err := schema.ValidateSlug(slug); err != nil {
		return nil, err
	}
	m.mu.Lock()
	_, ok := m.rings[slug]
	m.mu.Unlock()
	if ok {
		return nil, errExists(slug)
	}
	return m.Ring(slug)
}

func errExists(slug string) error {
	return schema.Errorf(schema.ECONFLICT, "structure %q already has signing keys", "la structure %q a déjà des clés de signature", slug)
}

// MissingError says that the key file of an issuer is missing. It wraps
// os.ErrNotExist.
type MissingError struct {
	Slug, Path string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("keys: the key file of %q is missing: %s", e.Slug, e.Path)
}

func (e *MissingError) Unwrap() error { return os.ErrNotExist }

// Rotate implements Store.
func (m *MemStore) Rotate(slug string) (*Key, error) {
	r, err := m.Ring(slug)
	if err != nil {
		return nil, err
	}
	k, err := NewKey(m.Rand, m.now())
	if err != nil {
		return nil, err
	}
	ek, err := NewEdKey(m.Rand, m.now())
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r2 := &Ring{Keys: append(append([]*Key(nil), r.Keys...), k), Ed: append(append([]*EdKey(nil), r.Ed...), ek)}
	m.rings[slug] = r2
	return k, nil
}

// FileStore keeps each issuer's ring in DIR/SLUG.json, readable by the owner
// only (0600, directory 0700). Files are replaced atomically, so a server
// and a CLI command may share the directory; rings are re-read when their
// file changes.
type FileStore struct {
	Dir  string
	Rand io.Reader
	Now  func() time.Time

	mu    sync.Mutex
	cache map[string]cachedRing
}

type cachedRing struct {
	ring    *Ring
	modTime time.Time
	size    int64
}

// NewFileStore returns a store in dir, created if missing.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return &FileStore{Dir: dir}, nil
}

type fileRing struct {
	Keys []fileKey `json:"keys"`
	// Ed25519 are the Ed25519 keys, in their own member: a file written
	// before they existed reads as a ring without them (one is then added),
	// and an older Carnet reading a newer file ignores them.
	Ed25519 []fileEdKey `json:"ed25519,omitempty"`
}

type fileEdKey struct {
	Created time.Time  `json:"created"`
	Retired *time.Time `json:"retired,omitempty"`
	// Seed is the RFC 8032 private key (32 bytes), base64; Public is its
	// publicKeyMultibase, checked against the seed when read.
	Seed   []byte `json:"seed"`
	Public string `json:"publicKeyMultibase"`
}

type fileKey struct {
	Created time.Time       `json:"created"`
	Retired *time.Time      `json:"retired,omitempty"`
	JWK     jose.JSONWebKey `json:"jwk"`
}

func (s *FileStore) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *FileStore) path(slug string) string { return filepath.Join(s.Dir, slug+".json") }

// Path returns the file of slug's ring.
func (s *FileStore) Path(slug string) string { return s.path(slug) }

// Ring implements Store: a missing file is a *MissingError, never a new key.
func (s *FileStore) Ring(slug string) (*Ring, error) {
	if err := schema.ValidateSlug(slug); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.load(slug)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &MissingError{Slug: slug, Path: s.path(slug)}
	}
	if err == nil && len(r.Ed) == 0 {
		// Best effort: a ring that cannot be written (a read-only copy
		// of a data dir) still signs and verifies JWS; only the Data
		// Integrity form is missing (EdSigner is nil).
		if withEd, err := s.addEd(slug); err == nil {
			return withEd, nil
		}
	}
	return r, err
}

// addEd gives a ring stored before Ed25519 keys existed its first one,
// under the file lock (another process may be doing the same), keeping
// every P-256 key as it was. s.mu is held.
func (s *FileStore) addEd(slug string) (*Ring, error) {
	unlock, err := lockFile(filepath.Join(s.Dir, "."+slug+".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	r, err := s.load(slug)
	if err != nil || len(r.Ed) > 0 {
		return r, err
	}
	ek, err := NewEdKey(s.Rand, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.write(slug, &Ring{Keys: r.Keys, Ed: []*EdKey{ek}}, true); err != nil {
		return nil, err
	}
	return s.load(slug)
}

// Create implements Store: it writes the file of a new ring, and never
// replaces an existing one (ECONFLICT), even one written meanwhile by
// another process.
func (s *FileStore) Create(slug string) (*Ring, error) {
	if err := schema.ValidateSlug(slug); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := NewKey(s.Rand, s.now())
	if err != nil {
		return nil, err
	}
	ek, err := NewEdKey(s.Rand, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.write(slug, &Ring{Keys: []*Key{k}, Ed: []*EdKey{ek}}, false); errors.Is(err, os.ErrExist) {
		return nil, errExists(slug)
	} else if err != nil {
		return nil, err
	}
	return s.load(slug)
}

// Rotate implements Store.
func (s *FileStore) Rotate(slug string) (*Key, error) {
	if _, err := s.Ring(slug); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := lockFile(filepath.Join(s.Dir, "."+slug+".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()
	r, err := s.load(slug) // read under the lock: another process may have just added a key
	if err != nil {
		return nil, err
	}
	k, err := NewKey(s.Rand, s.now())
	if err != nil {
		return nil, err
	}
	ek, err := NewEdKey(s.Rand, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.write(slug, &Ring{Keys: append(append([]*Key(nil), r.Keys...), k), Ed: append(append([]*EdKey(nil), r.Ed...), ek)}, true); err != nil {
		return nil, err
	}
	return k, nil
}

// load returns the ring of slug from the cache when its file is unchanged.
func (s *FileStore) load(slug string) (*Ring, error) {
	p := s.path(slug)
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if c, ok := s.cache[slug]; ok && c.modTime.Equal(fi.ModTime()) && c.size == fi.Size() {
		return c.ring, nil
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, err
	} else if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	var fr fileRing
	if err := json.Unmarshal(data, &fr); err != nil {
		return nil, fmt.Errorf("keys: %s: %w", p, err)
	}
	r := &Ring{}
	for i, fk := range fr.Keys {
		priv, ok := fk.JWK.Key.(*ecdsa.PrivateKey)
		if !ok || priv.Curve != elliptic.P256() {
			return nil, fmt.Errorf("keys: %s: key %d is not a P-256 private key", p, i)
		}
		if err := checkPair(priv); err != nil {
			return nil, fmt.Errorf("keys: %s: key %d: %w", p, i, err)
		}
		k, err := keyFrom(priv, fk.Created)
		if err != nil {
			return nil, err
		}
		if fk.JWK.KeyID != "" && fk.JWK.KeyID != k.Thumbprint {
			return nil, fmt.Errorf("keys: %s: key %d: its kid %q is not its thumbprint %s (edited file?)", p, i, fk.JWK.KeyID, k.Thumbprint)
		}
		if fk.Retired != nil {
			k.Retired = *fk.Retired
		}
		r.Keys = append(r.Keys, k)
	}
	if len(r.Keys) == 0 {
		return nil, fmt.Errorf("keys: %s: no keys", p)
	}
	for i, fk := range fr.Ed25519 {
		if len(fk.Seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("keys: %s: Ed25519 key %d is not a 32-byte seed", p, i)
		}
		k := edKeyFrom(ed25519.NewKeyFromSeed(fk.Seed), fk.Created)
		if fk.Public != k.Multibase {
			return nil, fmt.Errorf("keys: %s: Ed25519 key %d: its public key %q is not its seed's %s (edited file?)", p, i, fk.Public, k.Multibase)
		}
		if fk.Retired != nil {
			k.Retired = *fk.Retired
		}
		r.Ed = append(r.Ed, k)
	}
	if s.cache == nil {
		s.cache = make(map[string]cachedRing)
	}
	s.cache[slug] = cachedRing{ring: r, modTime: fi.ModTime(), size: fi.Size()}
	return r, nil
}

// checkPair makes sure the public half of a stored key is the one its
// private half gives: a file edited by hand could otherwise publish a key
// that verifies nothing the instance signs.
func checkPair(priv *ecdsa.PrivateKey) error {
	d, err := priv.ECDH()
	if err != nil {
		return err
	}
	pub, err := priv.PublicKey.ECDH()
	if err != nil {
		return err
	}
	if !d.PublicKey().Equal(pub) {
		return errors.New("the public key does not match the private key")
	}
	return nil
}

// write stores r in a temporary file (0600) and moves it in place; when
// replace is false an existing ring is kept and os.ErrExist returned.
func (s *FileStore) write(slug string, r *Ring, replace bool) error {
	var fr fileRing
	for _, k := range r.Keys {
		fk := fileKey{Created: k.Created, JWK: jose.JSONWebKey{Key: k.Private, KeyID: k.Thumbprint, Algorithm: string(jose.ES256), Use: "sig"}}
		if !k.Retired.IsZero() {
			t := k.Retired
			fk.Retired = &t
		}
		fr.Keys = append(fr.Keys, fk)
	}
	for _, k := range r.Ed {
		fk := fileEdKey{Created: k.Created, Seed: k.Private.Seed(), Public: k.Multibase}
		if !k.Retired.IsZero() {
			t := k.Retired
			fk.Retired = &t
		}
		fr.Ed25519 = append(fr.Ed25519, fk)
	}
	data, err := json.MarshalIndent(fr, "", "  ")
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	tmp, err := os.CreateTemp(s.Dir, "."+slug+".*.tmp")
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	if replace {
		err = os.Rename(tmp.Name(), s.path(slug))
	} else {
		err = os.Link(tmp.Name(), s.path(slug)) // fails with ErrExist if present
	}
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return err
		}
		return fmt.Errorf("keys: %w", err)
	}
	delete(s.cache, slug)
	return nil
}
