package issuer_test

import (
	"context"
	"reflect"
	"testing"

	"carnet/issuer"
	"carnet/schema"
)

// TestRecordedAssessment: the method, the mediator and the evidence come
// back from the signed credential, in either language; a mediator who did
// not choose to be named is not invented.
func TestRecordedAssessment(t *testing.T) {
	ev := []schema.EvidenceItem{{Narrative: "A créé son espace France Travail « seule »."}, {Name: "CV", URL: "https://example.org/cv"}, {URL: "https://example.org/x"}}
	for _, lang := range []string{"fr", "en"} {
		for _, mediator := range []string{"", "Camille Martin"} {
			svc := newService(1)
			svc.Lang = lang
			is, err := svc.Issue(context.Background(), lille, schema.Assessment{
				LearnerName: "Ana Lima", Framework: "digcomp-2.2", Results: sixLevels(),
				Method: "Mise en situation", Mediator: mediator, Evidence: ev,
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := issuer.RecordedAssessment(is.JWT)
			if err != nil {
				t.Fatal(err)
			}
			want := issuer.Recorded{Method: "Mise en situation", Mediator: mediator, Evidence: []schema.EvidenceItem{
				{Narrative: ev[0].Narrative}, {Name: "CV", URL: "https://example.org/cv"}, {URL: "https://example.org/x"}}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, mediator %q: %+v, want %+v", lang, mediator, got, want)
			}
		}
	}
	if _, err := issuer.RecordedAssessment("not.a-jws"); err == nil {
		t.Error("a broken JWS reads")
	}
}
