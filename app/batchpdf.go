package app

import (
	"context"
	"io"

	"carnet/issuer/card"
	"carnet/schema"
)

// BatchSheets writes one PDF of the cards (layout card.LayoutCard) or the
// A4 certificates (card.LayoutA4) of a batch's issued rows, in lang ("fr"
// or "en", else the batch's). Each card is read from storage as it is
// drawn (card.RenderSheets). A credential revoked or suspended since, or
// whose learner was erased, is left out, as its single card would not be
// printed. A batch still running is refused (ECONFLICT).
func (s *App) BatchSheets(ctx context.Context, a *Actor, id, layout, lang string, w io.Writer) error {
	b, rows, err := s.Batch(ctx, a, id)
	if err != nil {
		return err
	}
	if b.Status == schema.BatchRunning {
		return schema.Errorf(schema.ECONFLICT, "this batch is still running (%d of %d rows done): print it once done",
			"ce lot est en cours (%d lignes sur %d traitées) : imprimez-le une fois terminé", b.Done, b.Total)
	}
	st, err := s.structureByID(ctx, b.StructureID)
	if err != nil {
		return err
	}
	if lang == "" {
		lang = st.CardLang
	}
	// Without the catalogue, the cards are still printed, without next steps.
	cat, err := s.Catalogue(ctx)
	if err != nil && s.Log != nil {
		s.Log.Warn("resource catalogue, cards printed without next steps", "batch", b.ID, "err", err)
	}
	logo, _, _ := s.Structures.Logo(ctx, st.Slug)
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		if r.OK() {
			ids = append(ids, r.CredentialID)
		}
	}
	if len(ids) == 0 {
		return schema.Errorf(schema.ECONFLICT, "no credential of this batch to print", "aucune attestation de ce lot à imprimer")
	}
	cards := func(yield func(*card.Card) error) error {
		near := map[string][]card.Place{} // the places by competency and level: one structure
		for _, id := range ids {
			rec, err := s.Credentials.FindCredential(ctx, id)
			if err != nil {
				return err
			}
			if rec.CardToken == "" || !rec.ErasedAt.IsZero() || rec.Status() != schema.StatusActive {
				continue
			}
			cd, err := card.FromRecord(rec, st, s.Frameworks, cat, s.BaseURL, lang)
			if err != nil {
				return err
			}
			cd.Layout, cd.Logo = layout, logo
			if layout == card.LayoutA4 {
				// The two nearest places per competency; the certificates
				// still print without them.
				if err := s.certificatePlaces(ctx, a, st, rec.Framework, cd, near); err != nil && s.Log != nil {
					s.Log.Warn("places, certificate printed without them", "batch", b.ID, "err", err)
				}
			}
			if err := yield(cd); err != nil {
				return err
			}
		}
		return nil
	}
	return card.RenderSheets(w, layout, lang, cards)
}
