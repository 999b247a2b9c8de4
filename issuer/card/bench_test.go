package card_test

import (
	"context"
	"testing"

	"carnet/issuer"
	"carnet/issuer/card"
	"carnet/keys"
	"carnet/schema"
)

// The benchmarks measure the card of BENCHMARKS.md's credential: six
// DigComp 2.2 competencies for "Éloïse Ndiaye-Bérénice".

const benchBaseURL = "https://carnet.example.org"

var benchStructure = &schema.Structure{Slug: "mediatheque-belleville", Name: "Médiathèque de Belleville"}

func benchAssessment() schema.Assessment {
	return schema.Assessment{
		LearnerName: "Éloïse Ndiaye-Bérénice",
		Framework:   "digcomp-2.2",
		Results: []schema.LevelResult{
			{Competency: "1.1", Level: "3"},
			{Competency: "1.2", Level: "2"},
			{Competency: "2.1", Level: "4"},
			{Competency: "3.1", Level: "2"},
			{Competency: "4.2", Level: "2"},
			{Competency: "5.1", Level: "1"},
		},
	}
}

// BenchmarkRender renders the same card in each layout.
func BenchmarkRender(b *testing.B) {
	for _, layout := range layouts {
		b.Run(layout, func(b *testing.B) {
			c := newCard(b, "Éloïse Ndiaye-Bérénice", six())
			c.Layout = layout
			var size int
			for b.Loop() {
				pdf, err := card.RenderBytes(c)
				if err != nil {
					b.Fatal(err)
				}
				size = len(pdf)
			}
			b.ReportMetric(float64(size), "bytes/pdf")
		})
	}
}

// BenchmarkIssueAndRender is what `carnet issue --card` and the API do for
// one learner: issue and sign the credential and its card token
// (issuer.Service on an in-memory key store, random ids), build the card
// from the record, and render the PDF in the default layout.
func BenchmarkIssueAndRender(b *testing.B) {
	ctx := context.Background()
	svc := &issuer.Service{Frameworks: schema.NewFrameworks(), Keys: keys.NewMemStore(), BaseURL: benchBaseURL}
	if _, err := svc.Issue(ctx, benchStructure, benchAssessment()); err != nil { // creates the key
		b.Fatal(err)
	}
	var size int
	for b.Loop() {
		iss, err := svc.Issue(ctx, benchStructure, benchAssessment())
		if err != nil {
			b.Fatal(err)
		}
		c, err := card.FromRecord(iss.Record, benchStructure, svc.Frameworks, nil, benchBaseURL, "fr")
		if err != nil {
			b.Fatal(err)
		}
		pdf, err := card.RenderBytes(c)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}

// BenchmarkRenderAttestation renders a full A4 certificate: six
// competencies, a method, evidence, a named mediator and a next step with
// two places each (one page).
func BenchmarkRenderAttestation(b *testing.B) {
	c := newCard(b, "Éloïse Ndiaye-Bérénice", six())
	c.Layout = card.LayoutA4
	c.Method = "Évaluation en situation avec un·e médiateur·rice"
	c.Evidence = []string{"A créé son espace France Travail et envoyé un CV par courriel, seule."}
	c.Mediator = "Camille Martin"
	for _, l := range c.Levels {
		c.Next = append(c.Next, card.NextStep{Code: l.Code, Level: "4", LevelTitle: "Niveau 4", Resource: "Les Bons Clics", Link: "www.lesbonsclics.fr",
			Places: []card.Place{{Name: "Atelier courriel — Médiathèque Jean Lévy", Commune: "Lille", Phone: "03 20 15 97 20", Hours: "Tu-Sa 10:00-18:00"},
				{Name: "Espace France Services", Commune: "Roubaix", DistanceKm: 7.46}}})
	}
	var size int
	for b.Loop() {
		pdf, err := card.RenderBytes(c)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}
