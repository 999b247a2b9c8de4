package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"carnet/issuer"
	"carnet/keys"
	"carnet/schema"
	"carnet/sqlite"
)

// gen-demo is not listed in `carnet --help`: it fills a data dir with a
// large made-up network, to measure the bilan and the searches at scale.

const genDemoHelp = `carnet gen-demo — réseau de démonstration (mesures) / demo network (benchmarks)

Usage :
  carnet gen-demo --data DIR [--structures N] [--learners N] [--credentials N] [--signed N] [--seed N]

Remplit DIR de structures, de personnes et d'attestations inventées, sur trois ans, avec des
niveaux et des parcours réalistes (progressions, rattachements entre structures, révocations,
vérifications, ateliers). Seules --signed attestations sont signées une à une ; les autres lignes
reprennent la signature (JWS) d'une attestation signée de leur structure : les chiffres du bilan
sont justes, mais ces attestations ne se vérifient pas une à une. Pour les mesures, pas pour la
production.
Fills DIR with made-up structures, learners and credentials over three years, with realistic
levels and paths (progressions, attachments across structures, revocations, verifications,
workshops). Only
--signed credentials are signed one by one; the other rows reuse the JWS of a signed credential
of their structure: the bilan's figures are right, but those credentials do not verify one by
one. For benchmarks, not for production.
`

func runGenDemo(ctx context.Context, args []string, e env) int {
	fs := newFlags("gen-demo", genDemoHelp, e)
	data := fs.String("data", envOr("CARNET_DATA", ""), "dossier de données / data dir (obligatoire / required)")
	nStructures := fs.Int("structures", 100, "structures")
	nLearners := fs.Int("learners", 200000, "personnes / learners")
	nCredentials := fs.Int("credentials", 1000000, "attestations / credentials")
	nSigned := fs.Int("signed", 200, "attestations signées une à une / credentials signed one by one")
	seed := fs.Uint64("seed", 1, "graine / random seed")
	if code, done := parseFlags(fs, args, e); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(e, fmt.Sprintf("argument inattendu %q", fs.Arg(0)), fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if *nStructures < 1 || *nLearners < 1 || *nCredentials < *nLearners {
		return usageError(e, "il faut au moins une structure, une personne, et une attestation par personne",
			"at least one structure, one learner, and one credential per learner")
	}
	in, err := openInstance(ctx, *data, "", "", nil, e.stderr)
	if err != nil {
		return fail(e, err)
	}
	defer in.Close()
	start := time.Now()
	g := &demo{in: in, rnd: rand.New(rand.NewPCG(*seed, 7)), start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		end: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	if err := g.run(ctx, *nStructures, *nLearners, *nCredentials, *nSigned); err != nil {
		return fail(e, err)
	}
	fmt.Fprintf(e.stdout, "%d structures, %d learners, %d credentials (%d signed), %d attachments in %s\n",
		*nStructures, *nLearners, g.credentials, g.signed, g.imports, time.Since(start).Round(time.Second))
	return exitOK
}

type demo struct {
	in                           *instance
	rnd                          *rand.Rand
	start, end                   time.Time
	credentials, signed, imports int
}

var (
	demoFirst = []string{"Éloïse", "Léa", "Chloé", "Inès", "Zoé", "Manon", "Camille", "Jade", "Louise", "Aïcha", "Fatou", "Mariam", "Nadia",
		"Hélène", "Françoise", "Thérèse", "Agnès", "Gisèle", "Josiane", "Noëlle", "Jérôme", "Hugo", "Lucas", "Noé", "Adam", "Mohamed",
		"Karim", "Mamadou", "Sébastien", "François", "Raphaël", "Benoît", "Joël", "Gaël", "Loïc", "Hervé", "Rémi", "Cédric", "André", "René"}
	demoLast = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
		"Laurent", "Lefèvre", "Michel", "Garcia", "Fournier", "Lopez", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau",
		"Vincent", "Müller", "Nguyen", "Diallo", "Traoré", "Benali", "Haddad", "Da Silva", "Pereira", "Lemaître", "Gérard", "Châtelain",
		"Béranger", "Noël", "Prévost", "Caron", "Ndiaye"}
	demoCompetencies = []string{"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "3.1", "3.2", "3.3", "3.4",
		"4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "5.4"}
)

// uuid returns a random UUID-shaped string.
func (g *demo) uuid() string {
	a, b := g.rnd.Uint64(), g.rnd.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, (b>>48)&0xfff, b&0xffffffffffff)
}

// day returns a random time within d days after t.
func (g *demo) after(t time.Time, days int) time.Time {
	return t.Add(time.Duration(g.rnd.Int64N(int64(days)*24*3600)) * time.Second)
}

type demoLearner struct {
	id, name string
	st       *schema.Structure
	focus    []string
	level    map[string]int
	at       time.Time
}

type demoCred struct {
	id string
	st int64
}

func (g *demo) run(ctx context.Context, nStructures, nLearners, nCredentials, nSigned int) error {
	in := g.in
	// Structures and their keys; sizes vary (a few large libraries, many
	// small places).
	var sts []*schema.Structure
	var weights []float64
	total := 0.0
	for i := range nStructures {
		slug := fmt.Sprintf("demo-%03d", i+1)
		st, err := in.structures.FindStructure(ctx, slug)
		if schema.ErrorCode(err) == schema.ENOTFOUND {
			st = &schema.Structure{Slug: slug, Name: fmt.Sprintf("Médiathèque de démonstration %d", i+1)}
			err = in.structures.CreateStructure(ctx, st)
		}
		if err != nil {
			return err
		}
		if _, err := in.keys.Create(slug); err != nil && schema.ErrorCode(err) != schema.ECONFLICT {
			return err
		}
		sts = append(sts, st)
		w := 1 / float64(i+2)
		weights = append(weights, w+0.02)
		total += w + 0.02
	}
	pick := func() *schema.Structure {
		x := g.rnd.Float64() * total
		for i, w := range weights {
			if x -= w; x < 0 {
				return sts[i]
			}
		}
		return sts[len(sts)-1]
	}
	// Signed samples: a few real credentials per structure, whose JWS the
	// other rows of the structure reuse.
	// The issuance service itself, with a clock of its own: demo rows are
	// dated in the past, which no user operation may do.
	svc := &issuer.Service{Frameworks: in.frameworks, Keys: in.keys, Credentials: in.credentials, BaseURL: in.baseURL}
	samples := map[int64][2]string{}
	perStructure := max(1, nSigned/nStructures)
	for _, st := range sts {
		for k := range perStructure {
			at := g.after(g.start, 900)
			svc.Now = func() time.Time { return at }
			l := &schema.Learner{ID: g.uuid(), StructureID: st.ID, Name: demoFirst[g.rnd.IntN(len(demoFirst))] + " " + demoLast[g.rnd.IntN(len(demoLast))]}
			if err := in.learners.CreateLearner(ctx, l); err != nil {
				return err
			}
			iss, err := svc.Issue(ctx, st, schema.Assessment{LearnerName: l.Name, LearnerID: l.ID, SubjectID: "urn:uuid:" + l.ID, Framework: "digcomp-2.2",
				Results: []schema.LevelResult{{Competency: "1.1", Level: fmt.Sprint(1 + g.rnd.IntN(4))}}, AssessedAt: at})
			if err != nil {
				return err
			}
			if k == 0 {
				samples[st.ID] = [2]string{iss.JWT, iss.CardToken}
			}
			g.signed++
			g.credentials++
		}
	}
	w, err := in.db.NewDemoWriter(ctx)
	if err != nil {
		return err
	}
	// Learners, then their credentials in time order: each learner comes
	// for a few competencies and progresses (or not) between sessions.
	perLearner := float64(nCredentials-g.credentials) / float64(nLearners)
	var recent []demoCred
	counter := 0
	statusIdx := map[int64]int{}
	for i := range nLearners {
		st := pick()
		l := demoLearner{id: g.uuid(), st: st, name: demoFirst[g.rnd.IntN(len(demoFirst))] + " " + demoLast[g.rnd.IntN(len(demoLast))],
			level: map[string]int{}}
		for range 1 + g.rnd.IntN(4) {
			c := demoCompetencies[g.rnd.IntN(len(demoCompetencies))]
			if c[0] > '2' && g.rnd.IntN(2) == 0 { // areas 1 and 2 are assessed most
				c = demoCompetencies[g.rnd.IntN(9)]
			}
			if _, ok := l.level[c]; !ok {
				l.focus = append(l.focus, c)
				l.level[c] = 1 + min(g.rnd.IntN(4), g.rnd.IntN(6)) // mostly basic levels
			}
		}
		// How many credentials: the remaining ones spread evenly on average.
		want := int(perLearner)
		if g.rnd.Float64() < perLearner-float64(want) {
			want++
		}
		want = max(1, want+g.rnd.IntN(3)-1)
		// Every learner gets at least one; the last one takes the rest.
		want = max(1, min(want, nCredentials-g.credentials-(nLearners-1-i)))
		if i == nLearners-1 {
			want = max(1, nCredentials-g.credentials)
		}
		l.at = g.after(g.start, max(1, int(g.end.Sub(g.start).Hours()/24)-(want-1)*60))
		if err := w.Learner(&schema.Learner{ID: l.id, StructureID: st.ID, Name: l.name, Contact: fmt.Sprintf("06 %02d %02d %02d %02d", g.rnd.IntN(100), g.rnd.IntN(100), g.rnd.IntN(100), g.rnd.IntN(100))}, l.at); err != nil {
			return err
		}
		// The sessions fit in the period: a first one, then one every 7 to
		// 60 days (closer together for a learner with very many).
		span := int(g.end.Sub(g.start).Hours() / 24)
		gap := max(1, min(53, span/want-7))
		at := l.at
		for k := 0; k < want && g.credentials < nCredentials; k++ {
			if k > 0 {
				at = at.Add(time.Duration(7+g.rnd.IntN(gap)) * 24 * time.Hour)
				for _, c := range l.focus {
					switch r := g.rnd.IntN(20); {
					case r < 13: // most sessions do not change a level
					case r < 19:
						l.level[c] = min(8, l.level[c]+1)
					default:
						l.level[c] = min(8, l.level[c]+2)
					}
				}
			}
			var results []schema.LevelResult
			for _, c := range l.focus {
				if k == 0 || g.rnd.IntN(3) > 0 {
					results = append(results, schema.LevelResult{Competency: c, Level: fmt.Sprint(l.level[c])})
				}
			}
			if len(results) == 0 {
				results = append(results, schema.LevelResult{Competency: l.focus[0], Level: fmt.Sprint(l.level[l.focus[0]])})
			}
			counter++
			statusIdx[st.ID]++
			c := &schema.CredentialRecord{ID: "urn:uuid:" + g.uuid(), StructureID: st.ID, LearnerID: l.id, SubjectID: "urn:uuid:" + l.id,
				LearnerName: l.name, Framework: "digcomp-2.2", Results: results, IssuedAt: at, JWT: samples[st.ID][0], CardToken: samples[st.ID][1],
				ShortCode: fmt.Sprintf("DEMO%010d", counter), StatusList: 1000000 + statusIdx[st.ID]/131072, StatusIndex: statusIdx[st.ID] % 131072}
			switch r := g.rnd.IntN(1000); {
			case r < 10:
				c.RevokedAt, c.RevokeReason = g.after(at, 60), "erreur de saisie"
			case r < 15:
				c.SuspendedAt, c.SuspendReason = g.after(at, 60), "vérification en cours"
			}
			if err := w.Credential(c); err != nil {
				return err
			}
			g.credentials++
			if len(recent) < 5000 {
				recent = append(recent, demoCred{c.ID, st.ID})
			} else {
				recent[g.rnd.IntN(len(recent))] = demoCred{c.ID, st.ID}
			}
		}
		// Paths across structures: some learners bring a credential from
		// another structure, a few from a partner network.
		switch r := g.rnd.IntN(100); {
		case r < 4 && len(recent) > 0:
			other := recent[g.rnd.IntN(len(recent))]
			if other.st != st.ID {
				slug := ""
				for _, s := range sts {
					if s.ID == other.st {
						slug = s.Slug
					}
				}
				did, err := keys.DIDWeb(in.baseURL, slug)
				if err != nil {
					return err
				}
				if err := g.attach(w, l, other.id, did, "Médiathèque "+slug); err != nil {
					return err
				}
			}
		case r < 5:
			if err := g.attach(w, l, "urn:uuid:"+g.uuid(), "did:web:carnet.partenaire.example:s:centre-social", "Centre social (réseau partenaire)"); err != nil {
				return err
			}
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	// Verifications of the structures' credentials: a few a day.
	tally := map[int64]map[string]int{}
	for _, st := range sts {
		tally[st.ID] = map[string]int{}
		for d := g.start; d.Before(g.end); d = d.AddDate(0, 0, 1) {
			if n := g.rnd.IntN(6) - 2; n > 0 {
				tally[st.ID][d.Format(time.DateOnly)] = n
			}
		}
	}
	if err := in.db.DemoWorkshops(ctx); err != nil {
		return err
	}
	rs := sqlite.NewReportStore(in.db)
	if err := rs.AddVerifications(ctx, tally); err != nil {
		return err
	}
	return rs.Sync(ctx) // the bilan's level rows, made once here rather than at the first bilan
}

func (g *demo) attach(w *sqlite.DemoWriter, l demoLearner, credID, issuer, name string) error {
	g.imports++
	return w.Import(&schema.ImportedCredential{LearnerID: l.id, StructureID: l.st.ID, Input: "(demo)", CredentialID: credID, IssuerID: issuer,
		IssuerName: name, LearnerName: l.name, Framework: "digcomp-2.2", Levels: []schema.LevelResult{{Competency: l.focus[0], Level: "2"}},
		AttachedAt: l.at.Add(time.Hour)})
}
