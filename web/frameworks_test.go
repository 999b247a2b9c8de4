package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carnet/schema"
)

// TestFrameworkStatements checks the stable interface GET
// /api/v1/frameworks/{id}: for every built-in framework, every competency
// lists its levels in the framework's order as {"id", "statement": {"fr",
// "en"}, "plain": {"fr"}}, and the framework's own levels keep their titles
// and groups. It then checks that the assessment page shows, for each
// competency, the statement of each level (CECRL CO A1: the self-assessment
// grid, not the global scale) and that the review shows the statement and
// the plain line of the chosen level.
func TestFrameworkStatements(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	u := f.user("mediatrice@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	tok := f.token(u)
	type level struct {
		ID        string            `json:"id"`
		Statement map[string]string `json:"statement"`
		Plain     map[string]string `json:"plain"`
	}
	var list struct{ Frameworks []struct{ ID string } }
	if code := f.api(tok, "GET", "/api/v1/frameworks", nil, &list); code != http.StatusOK || len(list.Frameworks) < 3 {
		t.Fatalf("frameworks: %d %v", code, list)
	}
	for _, item := range list.Frameworks {
		var fw struct {
			Levels []struct {
				ID    string            `json:"id"`
				Title map[string]string `json:"title"`
				Group string            `json:"group"`
			} `json:"levels"`
			Areas []struct {
				Competences []struct {
					Code   string  `json:"code"`
					Levels []level `json:"levels"`
				} `json:"competences"`
			} `json:"areas"`
			Source []struct{ Title string } `json:"source"`
		}
		if code := f.api(tok, "GET", "/api/v1/frameworks/"+item.ID, nil, &fw); code != http.StatusOK {
			t.Fatalf("%s: %d", item.ID, code)
		}
		if len(fw.Source) == 0 {
			t.Errorf("%s: no sources", item.ID)
		}
		for _, l := range fw.Levels {
			if l.Title["fr"] == "" || l.Title["en"] == "" || l.Group == "" {
				t.Errorf("%s level %s: title %v, group %q", item.ID, l.ID, l.Title, l.Group)
			}
		}
		for _, a := range fw.Areas {
			for _, c := range a.Competences {
				if len(c.Levels) != len(fw.Levels) {
					t.Errorf("%s %s: %d levels, want %d", item.ID, c.Code, len(c.Levels), len(fw.Levels))
					continue
				}
				for i, l := range c.Levels {
					if l.ID != fw.Levels[i].ID || l.Statement["fr"] == "" || l.Statement["en"] == "" || l.Plain["fr"] == "" {
						t.Errorf("%s %s level %d: %+v (want id %s, statement fr and en, plain fr)", item.ID, c.Code, i, l, fw.Levels[i].ID)
					}
				}
			}
		}
	}

	// The /c page's trust list names a card's competencies under their
	// current and former codes, and gives each level's plain line.
	var trust struct {
		Frameworks map[string]struct {
			Competencies map[string]struct {
				Title schema.Text       `json:"title"`
				Plain map[string]string `json:"plain"`
			} `json:"competencies"`
		} `json:"frameworks"`
	}
	if code := f.api("", "GET", "/c/trust.json", nil, &trust); code != http.StatusOK {
		t.Fatalf("/c/trust.json: %d", code)
	}
	cefr := trust.Frameworks["cefr-fr"].Competencies
	if cefr["REC.L"].Title["fr"] != "Compréhension de l'oral" || cefr["CO"].Title["fr"] != "Compréhension de l'oral" {
		t.Errorf("/c/trust.json: REC.L %v, CO %v", cefr["REC.L"].Title, cefr["CO"].Title)
	}
	if !strings.HasPrefix(cefr["CO"].Plain["A1"], "Je sais") || !strings.HasPrefix(trust.Frameworks["digcomp-2.2"].Competencies["1.1"].Plain["8"], "J'invente") {
		t.Errorf("/c/trust.json plain lines: CO %v", cefr["CO"].Plain)
	}

	var l struct{ ID string }
	if code := f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": "Олена Шевченко"}, &l); code != http.StatusCreated {
		t.Fatalf("learner: %d", code)
	}
	br := newBrowser(t, f.http.URL)
	br.login("mediatrice@example.org")
	page := "/learners/" + l.ID + "/assess?framework=cefr-fr"
	code, body, _ := br.get(page)
	if code != http.StatusOK {
		t.Fatalf("assess page: %d", code)
	}
	text := html.UnescapeString(body)
	for _, want := range []string{
		"CO Compréhension de l'oral", "CE Compréhension des écrits", "PO Production orale", "PE Production écrite", "IO Interaction orale",
		"<dt>A1 — Niveau introductif ou de découverte</dt><dd lang=\"fr\">Je peux comprendre des mots familiers et des expressions très courantes",
		"<dt>A1 — Niveau introductif ou de découverte</dt><dd lang=\"fr\">Je peux comprendre des noms familiers, des mots ainsi que des phrases très simples",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the assessment page lacks %q", want)
		}
	}
	if strings.Contains(text, "REC.L") || strings.Contains(text, "PROD.S") {
		t.Error("the assessment page still shows an English code")
	}
	code, body, _ = br.post("/learners/"+l.ID+"/assess", br.csrf(page), url.Values{"framework": {"cefr-fr"}, "level_CO": {"B1"}, "action": {"review"}})
	text = html.UnescapeString(body)
	if code != http.StatusOK || !strings.Contains(text, "Je peux comprendre les points essentiels quand un langage clair") ||
		!strings.Contains(text, "Je sais comprendre l'essentiel quand on parle clairement d'un sujet connu.") {
		t.Errorf("review: %d, lacks the CO B1 statement or plain line:\n%s", code, body)
	}

	// Issued with a former code, the credential names the current one;
	// its check shows the learner the plain line of the level.
	var c struct {
		ShortCode string `json:"short_code"`
	}
	if code := f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "cefr-fr", "levels": map[string]any{"REC.L": "B1"}}, &c); code != http.StatusCreated || c.ShortCode == "" {
		t.Fatalf("issue: %d %+v", code, c)
	}
	code, body, _ = newBrowser(t, f.http.URL).post("/verify", "", url.Values{"input": {c.ShortCode}})
	text = html.UnescapeString(body)
	if code != http.StatusOK || !strings.Contains(text, "CO Compréhension de l'oral") || !strings.Contains(text, "Je sais comprendre l'essentiel quand on parle clairement d'un sujet connu.") {
		t.Errorf("verify page: %d, lacks CO or its plain line:\n%s", code, body)
	}
}
