package places

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"carnet/schema"
)

func publishedOK() *PublishedOffer {
	return &PublishedOffer{ID: "o-1", PlaceID: "did:web:a.example.org:s:bib", Title: " Atelier  courriel ", Kind: KindWorkshop,
		Framework: "digcomp-2.2", Competencies: []string{"2.1", "1.1"}, From: "2", To: "3", Price: "Gratuit"}
}

// TestSharedOffer: a partner's offer is checked field by field; a
// framework, competency or level unknown here is kept but not matched.
func TestSharedOffer(t *testing.T) {
	fws := schema.NewFrameworks()
	o, err := publishedOK().Shared(fws, "carnet:https://a.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if o.Title != "Atelier courriel" || o.FromRank != 1 || o.ToRank != 2 || !o.Matched() || o.Source != "carnet:https://a.example.org" ||
		o.PlaceID != "did:web:a.example.org:s:bib" || !reflect.DeepEqual(o.Languages, []string{"fr"}) || o.Services == nil ||
		!o.Serves("digcomp-2.2", "1.1", 2) || o.Serves("digcomp-2.2", "1.1", 3) || o.Structure != "" {
		t.Errorf("%+v", o)
	}
	// Unknown here: kept, not matched.
	for name, edit := range map[string]func(*PublishedOffer){
		"framework": func(p *PublishedOffer) { p.Framework = "digcomp-9" },
		"level":     func(p *PublishedOffer) { p.To = "9" },
	} {
		p := publishedOK()
		edit(p)
		o, err := p.Shared(fws, "s")
		if err != nil || o.Matched() || o.Serves(o.Framework, "2.1", 1) {
			t.Errorf("%s: %v %+v", name, err, o)
		}
	}
	p := publishedOK()
	p.Competencies = []string{"9.9", "2.1"}
	if o, err := p.Shared(fws, "s"); err != nil || !o.Matched() || !o.Serves("digcomp-2.2", "2.1", 1) || o.Competencies[0] != "9.9" {
		t.Errorf("unknown competency: %v %+v", err, o)
	}
	// Refused.
	for name, edit := range map[string]func(*PublishedOffer){
		"no id": func(p *PublishedOffer) { p.ID = " " }, "long id": func(p *PublishedOffer) { p.ID = strings.Repeat("a", 101) },
		"no place": func(p *PublishedOffer) { p.PlaceID = "" }, "no title": func(p *PublishedOffer) { p.Title = "" },
		"long title": func(p *PublishedOffer) { p.Title = strings.Repeat("a", 201) },
		"control":    func(p *PublishedOffer) { p.Schedule = "lundi\x00" }, "bidi": func(p *PublishedOffer) { p.PriceDetail = "a\u202eb" },
		"kind": func(p *PublishedOffer) { p.Kind = "cours" }, "no framework": func(p *PublishedOffer) { p.Framework = "" },
		"no competency": func(p *PublishedOffer) { p.Competencies = nil },
		"too many":      func(p *PublishedOffer) { p.Competencies = make([]string, MaxSharedCompetencies+1) },
		"empty code":    func(p *PublishedOffer) { p.Competencies = []string{""} },
		"separator":     func(p *PublishedOffer) { p.Competencies = []string{"2.1|1.1"} },
		"repeated":      func(p *PublishedOffer) { p.Competencies = []string{"2.1", "2.1"} },
		"no level":      func(p *PublishedOffer) { p.From = "" },
		"reversed":      func(p *PublishedOffer) { p.From, p.To = "3", "2" },
		"price":         func(p *PublishedOffer) { p.Price = "5 €" },
		"language":      func(p *PublishedOffer) { p.Languages = []string{"fra"} },
		"languages":     func(p *PublishedOffer) { p.Languages = make([]string, MaxSharedLanguages+1) },
		"service":       func(p *PublishedOffer) { p.Services = []string{"Cuisine"} },
		"utf-8":         func(p *PublishedOffer) { p.Title = "\xff" },
	} {
		p := publishedOK()
		edit(p)
		if o, err := p.Shared(fws, "s"); schema.ErrorCode(err) != schema.EINVALID {
			t.Errorf("%s: %v %+v", name, err, o)
		}
	}
}

// TestPublishedOffersRoundTrip: what /offres.json writes, a partner reads
// back as the same offers.
func TestPublishedOffersRoundTrip(t *testing.T) {
	fws := schema.NewFrameworks()
	o := &Offer{ID: "o-1", Structure: "bib", Title: "Atelier", Kind: KindIndividual, Framework: "cefr-fr", Competencies: []string{"CO"},
		From: "A2", To: "B1", Schedule: "lundi", Price: "Payant", PriceDetail: "2 €", Languages: []string{"fr", "ar"}}
	if err := o.Validate(fws); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteOffersJSON(&buf, []PublishedOffer{o.Publish("p-1")}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), `"structure"`) {
		t.Errorf("the slug is published: %s", buf.String())
	}
	var got []*SharedOffer
	err := ReadPublishedOffers(&buf, func(n int, p *PublishedOffer) {
		s, err := p.Shared(fws, "s")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}, func(n int, err error) { t.Errorf("%d: %v", n, err) })
	if err != nil || len(got) != 1 {
		t.Fatal(err, got)
	}
	back := got[0].Offer
	back.Structure = o.Structure
	if !reflect.DeepEqual(back, *o) || got[0].PlaceID != "p-1" {
		t.Errorf("read back %+v\nwant %+v", back, *o)
	}
	buf.Reset()
	if err := WriteOffersJSON(&buf, nil); err != nil || strings.TrimSpace(buf.String()) != "[]" {
		t.Errorf("no offer: %v %q", err, buf.String())
	}
}

// TestReadPublishedOffers: a member that is not an offer is reported with
// its position and skipped; an answer that is not a whole JSON array is an
// error; a reader's own error comes back as it is.
func TestReadPublishedOffers(t *testing.T) {
	var read, bad []int
	err := ReadPublishedOffers(strings.NewReader(`[{"id":"a"}, 42, "x", {"id":["b"]}, {"id":"c","extra":1}, null]`),
		func(n int, p *PublishedOffer) { read = append(read, n) }, func(n int, err error) { bad = append(bad, n) })
	// null decodes to an empty offer (refused by Shared).
	if err != nil || !reflect.DeepEqual(read, []int{1, 5, 6}) || !reflect.DeepEqual(bad, []int{2, 3, 4}) {
		t.Errorf("%v read %v bad %v", err, read, bad)
	}
	for _, in := range []string{"", "{}", `{"offers":[]}`, `[{"id":"a"}`, `[{"id":"a"},`, `[] []`, `[] x`, `[{"id":"a"]`} {
		err := ReadPublishedOffers(strings.NewReader(in), func(int, *PublishedOffer) {}, func(int, error) {})
		if schema.ErrorCode(err) != schema.EINVALID {
			t.Errorf("%q: %v", in, err)
		}
	}
	limit := errors.New("too large")
	err = ReadPublishedOffers(io.MultiReader(strings.NewReader(`[{"id":"a"},`), iotest{limit}), func(int, *PublishedOffer) {}, func(int, error) {})
	if !errors.Is(err, limit) {
		t.Errorf("the reader's error: %v", err)
	}
}

type iotest struct{ err error }

func (r iotest) Read([]byte) (int, error) { return 0, r.err }

// FuzzSharedOffers: no answer of a partner makes the reading or the checks
// panic, and every offer they accept passes them again unchanged.
func FuzzSharedOffers(f *testing.F) {
	good, _ := json.Marshal([]*PublishedOffer{publishedOK()})
	f.Add(string(good))
	f.Add(`[{"id":"a","place_id":"p","title":"t","kind":"atelier","framework":"zz","competencies":["x"],"from":"1","to":"0","price":"Gratuit"}]`)
	f.Add(`[42, null, {"competencies":"1.1"}]`)
	fws := schema.NewFrameworks()
	f.Fuzz(func(t *testing.T, in string) {
		ReadPublishedOffers(strings.NewReader(in), func(n int, p *PublishedOffer) {
			o, err := p.Shared(fws, "s")
			if err != nil {
				return
			}
			again := o.Publish(o.PlaceID)
			o2, err := again.Shared(fws, "s")
			if err != nil || !reflect.DeepEqual(o, o2) {
				t.Errorf("accepted %+v, then %v %+v", o, err, o2)
			}
		}, func(int, error) {})
	})
}
