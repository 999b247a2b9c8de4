package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"carnet/issuer"
	"carnet/schema"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// diCacheSize bounds the Data Integrity forms kept in memory (~15 KB each).
const diCacheSize = 512

// diCache keeps the Data Integrity forms already signed: canonicalising a
// credential costs milliseconds, and a form is the same bytes for the same
// credential and key.
type diCache struct {
	mu  sync.Mutex
	lru *simplelru.LRU[string, []byte]
}

// DataIntegrity returns the Data Integrity form of a credential record the
// caller was allowed to read (Credential, CarnetCredential, a share): the
// credential of its JWS, secured by an eddsa-rdfc-2022 proof of its
// structure's current Ed25519 key (issuer.DataIntegrityCredential). An
// erased credential has none (ENOTFOUND).
func (s *App) DataIntegrity(r *schema.CredentialRecord) ([]byte, error) {
	if r.JWT == "" {
		return nil, schema.Errorf(schema.ENOTFOUND, "the learner's data was erased: the signed credential is no longer kept",
			"les données de la personne ont été effacées : l'attestation signée n'est plus conservée")
	}
	ring, err := s.Keys.Ring(r.Structure)
	if err != nil {
		return nil, fmt.Errorf("app: keys of %s: %w", r.Structure, err)
	}
	ek := ring.EdSigner()
	if ek == nil { // its key file could not be given one (read-only data dir?)
		return nil, schema.Errorf(schema.EUNAVAILABLE, "the Data Integrity form is unavailable: structure %s has no Ed25519 key yet (is its key file writable?); the .jwt form is",
			"la forme Data Integrity n'est pas disponible : la structure %s n'a pas encore de clé Ed25519 (son fichier de clés est-il modifiable ?) ; la forme .jwt l'est", r.Structure)
	}
	sum := sha256.Sum256([]byte(r.JWT))
	key := r.ID + "\n" + ek.Multibase + "\n" + hex.EncodeToString(sum[:])
	s.di.mu.Lock()
	if s.di.lru == nil {
		s.di.lru, _ = simplelru.NewLRU[string, []byte](diCacheSize, nil)
	}
	b, ok := s.di.lru.Get(key)
	s.di.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err = issuer.DataIntegrityCredential(r.JWT, ek)
	if err != nil {
		return nil, err
	}
	s.di.mu.Lock()
	s.di.lru.Add(key, b)
	s.di.mu.Unlock()
	return b, nil
}
