package issuer

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"carnet/keys"
	"carnet/schema"
)

// Service issues credentials for the structures of one Carnet instance.
type Service struct {
	Frameworks  *schema.Frameworks
	Keys        keys.Store
	Credentials schema.CredentialStore // nil: nothing stored, no status entry
	BaseURL     string                 // public URL: did:web ids, status lists, QR text
	Lang        string                 // language of names and descriptions: "fr" (default) or "en"
	Now         func() time.Time       // time.Now when nil
	Rand        io.Reader              // crypto/rand when nil
}

// Issued is the outcome of one issuance.
type Issued struct {
	Record     *schema.CredentialRecord
	Credential *schema.Credential
	JWT        string
	CardToken  string
	QRText     string
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

// Profile returns the issuer profile of a structure.
func (s *Service) Profile(st *schema.Structure) (schema.Profile, error) {
	did, err := keys.DIDWeb(s.BaseURL, st.Slug)
	if err != nil {
		return schema.Profile{}, err
	}
	p := schema.Profile{ID: did, Type: schema.Types{"Profile"}, Name: st.Name, URL: st.URL, Email: st.Email}
	if p.URL == "" {
		p.URL = strings.TrimRight(s.BaseURL, "/")
	}
	if st.ImageURL != "" {
		p.Image = &schema.Image{ID: st.ImageURL, Type: "Image"}
	}
	return p, nil
}

// Issue checks an assessment, builds its credential, signs it and its card
// token, and stores the record when a store is set.
func (s *Service) Issue(ctx context.Context, st *schema.Structure, a schema.Assessment) (*Issued, error) {
	name, err := schema.CleanName(a.LearnerName)
	if err != nil {
		return nil, err
	}
	a.LearnerName = name
	fw, err := s.Frameworks.Get(a.Framework)
	if err != nil {
		return nil, err
	}
	if a.AssessedAt.IsZero() {
		a.AssessedAt = s.now()
	}
	a.AssessedAt = a.AssessedAt.UTC().Truncate(time.Second)
	r := s.rand()
	if a.SubjectID == "" {
		if a.SubjectID, err = RandomUUID(r); err != nil {
			return nil, err
		}
	} else if !strings.HasPrefix(a.SubjectID, "urn:uuid:") {
		return nil, schema.Errorf(schema.EINVALID, "the subject id must be a urn:uuid", "l'identifiant du titulaire doit être un urn:uuid")
	}
	profile, err := s.Profile(st)
	if err != nil {
		return nil, err
	}
	ring, err := s.Keys.Ring(st.Slug)
	if err != nil {
		return nil, fmt.Errorf("issuer: keys of %s: %w", st.Slug, err)
	}
	key := ring.Signer()
	if key == nil {
		return nil, fmt.Errorf("issuer: %s has no signing key", st.Slug)
	}
	id, err := RandomUUID(r)
	if err != nil {
		return nil, err
	}
	rec := &schema.CredentialRecord{
		ID: id, Structure: st.Slug, SubjectID: a.SubjectID, LearnerName: a.LearnerName,
		Framework: fw.ID, IssuedAt: a.AssessedAt, ValidUntil: a.ValidUntil,
		StructureID: st.ID, LearnerID: a.LearnerID, IssuedBy: a.MediatorID,
	}
	if rec.ShortCode, err = schema.NewShortCode(r); err != nil {
		return nil, err
	}
	var status *schema.CredentialStatus
	if s.Credentials != nil {
		pick := func(n int) (int, error) { return randIntn(r, n) }
		if rec.StatusList, rec.StatusIndex, err = s.Credentials.ReserveStatusIndex(ctx, st.Slug, pick); err != nil {
			return nil, fmt.Errorf("issuer: status index: %w", err)
		}
		list := StatusListURL(s.BaseURL, st.Slug, rec.StatusList)
		idx := strconv.Itoa(rec.StatusIndex)
		status = &schema.CredentialStatus{
			ID: list + "#" + idx, Type: schema.TypeStatusEntry, StatusPurpose: "revocation",
			StatusListIndex: idx, StatusListCredential: list,
		}
	}
	c, err := Build(BuildInput{ID: id, Issuer: profile, Framework: fw, Assessment: a, Status: status, Lang: s.Lang})
	if err != nil {
		return nil, err
	}
	rec.Results = c.Levels()
	jwt, payload, err := SignCredential(c, key)
	if err != nil {
		return nil, err
	}
	card := &schema.CardClaims{
		Iss: profile.ID, Jti: id, Nbf: a.AssessedAt.Unix(), Name: a.LearnerName, Framework: fw.ID,
		Digest: CredentialDigest(payload),
	}
	if !a.ValidUntil.IsZero() {
		card.Exp = a.ValidUntil.Unix()
	}
	for _, l := range rec.Results {
		card.Levels = append(card.Levels, schema.CardLevel{Competency: l.Competency, Level: l.Level})
	}
	token, err := SignCard(card, key)
	if err != nil {
		return nil, err
	}
	rec.JWT, rec.CardToken = jwt, token
	if s.Credentials != nil {
		if err := s.Credentials.CreateCredential(ctx, rec); err != nil {
			return nil, fmt.Errorf("issuer: store: %w", err)
		}
	}
	return &Issued{Record: rec, Credential: c, JWT: jwt, CardToken: token, QRText: QRText(s.BaseURL, token)}, nil
}

// StatusListURL is the URL of a structure's revocation status list.
func StatusListURL(baseURL, slug string, list int) string {
	return fmt.Sprintf("%s/s/%s/status/%d", strings.TrimRight(baseURL, "/"), slug, list)
}
