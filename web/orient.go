package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"carnet/app"
	"carnet/places"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// Orientation on the learner's page: for each competency's next level on
// the learner's path, the network's offers that serve it, nearest first,
// then other places whose services match (app.Orient), from the place of
// the learner's structure or a postcode the mediator types (?cp=); the
// mediator records a referral (app.ReferLearner), shown with the
// learner's path.

// Per step, how many offers and other places the learner's page shows.
const (
	orientOffers = 3
	orientPlaces = 3
)

type (
	// orientItem is an offer or a place as the learner's page shows it.
	orientItem struct {
		Name, Detail, Address, Km, Hours, Phone, Email, Web string
		TelURL                                              template.URL
		Partner                                             string // the partner Carnet that shares an outside place or an offer
		Network, IsOffer                                    bool
		OfferID, PlaceID                                    string
	}
	// orientStep is where to continue a competency's next level.
	orientStep struct {
		Framework  string
		Competency *schema.Competency
		Next       *schema.Level
		Items      []orientItem
	}
	// orientView is the orientation section of the learner's page.
	orientView struct {
		Postcode, From, Error, Today string
		Steps                        []orientStep
	}
	// referralView is a referral on the learner's path.
	referralView struct {
		*places.Referral
		Date time.Time
	}
)

// addOrientation puts the orientation and the referrals on a learner's
// page (after addPath). On an instance without places it adds nothing.
func (s *Server) addOrientation(c *gin.Context, p *page, lv *learnerView) {
	l := lv.Learner
	if s.Places == nil {
		return
	}
	ctx, a := c.Request.Context(), actorOf(c)
	if c.Query("ok") == "referred" && p.Notice == "" {
		p.Notice = tr(p.Lang, "notice_referred")
	}
	if refs, err := s.LearnerReferrals(ctx, a, l.ID); err == nil {
		var views []referralView
		for _, r := range refs {
			d, _ := time.Parse(time.DateOnly, r.On)
			views = append(views, referralView{r, d})
		}
		lv.Referrals = views
	} else if s.Log != nil {
		s.Log.Error("learner referrals", "learner", l.ID, "err", err)
	}
	if l.Erased() {
		return
	}
	v := &orientView{Postcode: strings.TrimSpace(c.Query("cp")), From: "structure", Today: s.now().UTC().Format(time.DateOnly)}
	lv.Orient = v
	path := lv.Path
	if path == nil {
		return
	}
	if v.Postcode != "" {
		v.From = "postcode"
	}
	for _, pf := range path.Frameworks {
		for _, step := range pf.Steps {
			if step.Next == nil {
				continue
			}
			q := app.OrientationQuery{Framework: pf.F.ID, Competency: step.Competency.Code, Level: step.Next.ID, Structure: l.Structure}
			if v.From == "postcode" {
				q.Postcode = v.Postcode
			}
			o, err := s.Orient(ctx, a, q)
			if err != nil {
				// The origin is the same for every step: say why once.
				v.Error, v.Steps = s.errorText(c, p, err), nil
				return
			}
			v.Steps = append(v.Steps, orientStep{Framework: pf.F.ID, Competency: step.Competency, Next: step.Next, Items: orientItems(p.Lang, o)})
		}
	}
}

// orientItems lists the offers, then the other places, of an orientation.
func orientItems(lang string, o *app.Orientation) []orientItem {
	var out []orientItem
	named := map[string]bool{}
	for i, of := range o.Offers {
		if i == orientOffers {
			break
		}
		it := orientItem{Name: of.Offer.Title, IsOffer: true, Network: of.Partner == "", Partner: of.Partner}
		if of.Partner == "" {
			it.OfferID = of.Offer.ID // the network's: a referral names it
		} else if of.Place != nil {
			it.PlaceID = of.Place.ID // a partner's: a referral names its place, by the standard's id
		}
		detail := []string{tr(lang, "lieux_kind_"+of.Offer.Kind)}
		if of.Offer.Schedule != "" {
			detail = append(detail, of.Offer.Schedule)
		}
		if pr := strings.TrimSpace(of.Offer.Price + " " + of.Offer.PriceDetail); pr != "" {
			detail = append(detail, pr)
		}
		it.Detail = strings.Join(detail, " · ")
		if of.Place != nil {
			named[of.Place.ID] = true
			placeItem(&it, of.Place, lang)
			it.Name += " — " + of.Place.Nom
		}
		it.Km = km(lang, of.DistanceKm)
		out = append(out, it)
	}
	n := 0
	for i := range o.Places {
		pl := &o.Places[i]
		if named[pl.Place.ID] {
			continue
		}
		if n == orientPlaces {
			break
		}
		n++
		it := orientItem{Name: pl.Place.Nom, Network: pl.Network, Partner: pl.Partner}
		if !pl.Network {
			// An imported place, by the standard's id; a structure of the
			// network is named (its id, a did:web, stays off the page).
			it.PlaceID = pl.Place.ID
		}
		placeItem(&it, &pl.Place, lang)
		d := pl.DistanceKm
		it.Km = km(lang, &d)
		out = append(out, it)
	}
	return out
}

func placeItem(it *orientItem, r *places.Record, lang string) {
	it.Address = strings.TrimSpace(r.Adresse + ", " + strings.TrimSpace(r.CodePostal+" "+r.Commune))
	it.Address = strings.Trim(it.Address, ", ")
	it.Hours, it.Phone = r.Horaires, r.Telephone
	if mails := places.Split(r.Courriels); len(mails) > 0 {
		it.Email = mails[0]
	}
	if webs := places.Split(r.SiteWeb); len(webs) > 0 && (strings.HasPrefix(webs[0], "https://") || strings.HasPrefix(webs[0], "http://")) {
		it.Web = webs[0]
	}
	if it.Phone != "" && it.Phone == places.NormalizePhone(it.Phone) && it.Phone[0] == '+' {
		it.TelURL = template.URL("tel:" + it.Phone) // +digits only
	}
}

// km words a distance in the page's language ("" when unknown).
func km(lang string, d *float64) string {
	if d == nil {
		return ""
	}
	s := strconv.FormatFloat(*d, 'f', 1, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " km"
}

// learnerRefer records a referral from the learner's page.
func (s *Server) learnerRefer(c *gin.Context) {
	ctx, a := c.Request.Context(), actorOf(c)
	in := app.ReferralInput{Target: c.PostForm("target"), OfferID: c.PostForm("offer_id"), PlaceID: c.PostForm("place_id"),
		Framework: c.PostForm("framework"), Competency: c.PostForm("competency"), Level: c.PostForm("level"), Date: c.PostForm("date")}
	_, err := s.ReferLearner(ctx, a, c.Param("id"), in)
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/learners/"+c.Param("id")+"?ok=referred#referrals")
		return
	}
	l, err2 := s.Learner(ctx, a, c.Param("id"))
	if code := schema.ErrorCode(err); err2 != nil || (code != schema.EINVALID && code != schema.ECONFLICT) {
		s.renderPageError(c, err)
		return
	}
	p := s.view(c, "learner_title")
	p.Error = s.errorText(c, p, err)
	p.Title = l.Name
	lv := s.newLearnerView(c, p, l)
	s.addPath(c, p, lv)
	s.addOrientation(c, p, lv)
	s.render(c, http.StatusBadRequest, "learner", p)
}
