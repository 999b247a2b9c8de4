package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"carnet/outbound"
	"carnet/places"
	"carnet/schema"
)

// The map's tile layer, and the places that partner Carnets trusted here
// share through their open-data endpoint (/lieux.json): fetched through
// the instance's outbound client, stored as places outside the network
// (for orientation only, never issuers) with the partner as source,
// replaced at each fetch.

// MapTiles returns the map's tile layer (anyone: /lieux is public).
func (s *App) MapTiles(ctx context.Context) (places.Tiles, error) {
	ps, err := s.PlaceStore()
	if err != nil {
		return places.Tiles{}, err
	}
	return ps.MapTiles(ctx)
}

// loopbackBase says whether the instance itself is on loopback
// (development, tests): its map may then read tiles over plain http from
// a loopback server.
func (s *App) loopbackBase() bool {
	u, err := url.Parse(s.BaseURL)
	if err != nil {
		return false
	}
	h := u.Hostname()
	return h == "localhost" || h == "127.0.0.1" || h == "::1"
}

// SetMapTiles checks and stores the map's tile layer (network
// administrators); an empty URL restores OpenStreetMap's.
func (s *App) SetMapTiles(ctx context.Context, a *Actor, t places.Tiles) (places.Tiles, error) {
	if !a.User.NetworkAdmin {
		return t, schema.Errorf(schema.EFORBIDDEN, "only network administrators choose the map's tiles", "seuls les administrateurs du réseau choisissent le fond de carte")
	}
	ps, err := s.PlaceStore()
	if err != nil {
		return t, err
	}
	if err := t.Clean(s.loopbackBase()); err != nil {
		return t, err
	}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := ps.SetMapTiles(ctx, t); err != nil {
			return err
		}
		return s.Record(ctx, a, 0, places.AuditTilesSet, t.URL, t.Attribution, "")
	})
	return t, err
}

// Limits of a fetch of a partner's places.
const (
	// MaxPartnerPlaces bounds the size of a partner's /lieux.json.
	MaxPartnerPlaces = 32 << 20
	// PartnerPlacesEvery is how often the scheduled round fetches them.
	PartnerPlacesEvery = 24 * time.Hour
)

// PartnerBase returns the base URL of a trusted source that is another
// Carnet (its address is a base URL: no path but "/", no query), whose
// open-data endpoint /lieux.json lists its places.
func PartnerBase(source string) (string, bool) {
	u, err := url.Parse(source)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return "", false
	}
	return strings.TrimSuffix(source, "/"), true
}

// PartnerSource is the source of the places a partner Carnet shares.
func PartnerSource(base string) string { return places.PartnerSourcePrefix + base }

// SharedPlaces is the outcome of a fetch of a partner's places.
type SharedPlaces struct {
	Partner string         `json:"partner"`
	URL     string         `json:"url"`
	Report  *places.Report `json:"report,omitempty"`
	Removed int            `json:"removed"` // places it no longer lists
	Error   string         `json:"error,omitempty"`
	Offers  *SharedOffers  `json:"offers,omitempty"` // its offers (/offres.json), fetched after its places
}

// FetchPartnerPlaces fetches the places of one trusted partner Carnet
// (idText: its id in the trust registry), for a network administrator.
func (s *App) FetchPartnerPlaces(ctx context.Context, a *Actor, idText string) (*SharedPlaces, error) {
	if err := NetworkAdmin(a); err != nil {
		return nil, err
	}
	id, err := s.trustID(idText)
	if err != nil {
		return nil, err
	}
	ts, err := s.Trust.FindTrustedSource(ctx, id)
	if err != nil {
		return nil, err
	}
	base, ok := PartnerBase(ts.Source)
	if !ok {
		return nil, schema.Errorf(schema.EINVALID, "%q is not another Carnet's address: only a Carnet shares its places", "%q n'est pas l'adresse d'un autre Carnet : seul un Carnet partage ses lieux", ts.Source)
	}
	res, err := s.sharePlaces(ctx, ts.Name, base)
	detail := "ok"
	if err != nil {
		if schema.ErrorCode(err) == schema.EINTERNAL {
			return nil, err
		}
		detail = schema.ErrorMessage(err)
	} else {
		detail = fmt.Sprintf("%d / %d / -%d", res.Report.Imported, res.Report.Rejected, res.Removed)
		if o := res.Offers; o != nil && o.Error != "" {
			detail += "; offres / offers: " + o.Error
		} else if o != nil && o.NotPublished {
			detail += "; offres / offers: aucune publiée / none published"
		} else if o != nil {
			detail += fmt.Sprintf("; offres / offers: %d / %d / -%d", o.Imported, o.Rejected, o.Removed)
		}
	}
	if rerr := s.Record(ctx, a, 0, places.AuditShared, base, detail, ""); rerr != nil {
		return nil, rerr
	}
	return res, err
}

// sharePlaces fetches base's /lieux.json and replaces the places of that
// source with it, then its offers (shareOffers): offers that cannot be
// read are said in res.Offers.Error, the places kept.
func (s *App) sharePlaces(ctx context.Context, name, base string) (*SharedPlaces, error) {
	ps, err := s.PlaceStore()
	if err != nil {
		return nil, err
	}
	res := &SharedPlaces{Partner: name, URL: base + "/lieux.json"}
	body, err := s.Outbound.Get(ctx, res.URL, "application/json", MaxPartnerPlaces)
	if err != nil {
		return res, err
	}
	defer body.Close()
	rep, removed, err := ps.ReplaceSource(ctx, body, PartnerSource(base))
	res.Report, res.Removed = rep, removed
	switch {
	case errors.Is(err, outbound.ErrTooLarge):
		return res, schema.Errorf(schema.EINVALID, "the partner's places exceed %d MB: none was removed", "les lieux du partenaire dépassent %d Mo : aucun n'a été retiré", MaxPartnerPlaces>>20)
	case err != nil && schema.ErrorCode(err) == schema.EINTERNAL && ctx.Err() == nil:
		return res, err // the database
	case err != nil:
		return res, outbound.Explain(err)
	}
	offers, err := s.shareOffers(ctx, base)
	res.Offers = offers
	if err != nil && schema.ErrorCode(err) == schema.EINTERNAL && ctx.Err() == nil {
		return res, err // the database
	}
	if err != nil && s.Log != nil {
		s.Log.Warn("partner offers not fetched; the last ones stay", "partner", base, "err", err)
	}
	return res, nil
}

// SharePartnersPlaces fetches the places of every trusted partner Carnet
// (the scheduled round); a partner that fails is logged and the round
// goes on. It returns the outcomes.
func (s *App) SharePartnersPlaces(ctx context.Context) []*SharedPlaces {
	if s.Trust == nil || s.Places == nil {
		return nil
	}
	list, err := s.Trust.ListTrustedSources(ctx)
	if err != nil {
		if s.Log != nil {
			s.Log.Error("partner places", "err", err)
		}
		return nil
	}
	var out []*SharedPlaces
	for _, ts := range list {
		base, ok := PartnerBase(ts.Source)
		if !ok {
			continue
		}
		res, err := s.sharePlaces(ctx, ts.Name, base)
		if err != nil {
			if res != nil {
				res.Error = schema.ErrorMessage(err)
			}
			if s.Log != nil {
				s.Log.Warn("partner places not fetched; the last ones stay", "partner", base, "err", err)
			}
		} else if s.Log != nil {
			s.Log.Info("partner places fetched", "partner", base, "imported", res.Report.Imported, "removed", res.Removed)
			if o := res.Offers; o != nil && o.NotPublished {
				s.Log.Info("partner publishes no offers", "partner", base)
			} else if o != nil && o.Error == "" {
				s.Log.Info("partner offers fetched", "partner", base, "imported", o.Imported, "rejected", o.Rejected, "removed", o.Removed)
			}
		}
		if res != nil {
			out = append(out, res)
		}
	}
	return out
}

// SharePlacesLoop fetches the partners' places every PartnerPlacesEvery,
// first after a minute, until ctx ends.
func (s *App) SharePlacesLoop(ctx context.Context) {
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.SharePartnersPlaces(ctx)
		t.Reset(PartnerPlacesEvery)
	}
}

// PartnerNames names the sources of the places partners share: the
// partner's name in the trust registry, by source.
func (s *App) PartnerNames(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	if s.Trust == nil {
		return out, nil
	}
	list, err := s.Trust.ListTrustedSources(ctx)
	if err != nil {
		return nil, err
	}
	for _, ts := range list {
		if base, ok := PartnerBase(ts.Source); ok {
			out[PartnerSource(base)] = ts.Name
		}
	}
	return out, nil
}

// PartnerLabel is how a page names where an outside place comes from: the
// partner's name for a partner's place ("" for an imported file's).
func PartnerLabel(names map[string]string, source string) string {
	if !strings.HasPrefix(source, places.PartnerSourcePrefix) {
		return ""
	}
	if n := names[source]; n != "" {
		return n
	}
	return strings.TrimPrefix(source, places.PartnerSourcePrefix)
}
