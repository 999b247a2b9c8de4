package issuer

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"carnet/schema"
)

// Recorded is what a signed credential says of how it was assessed: the
// method, the mediator (only when they chose to be named), and the
// evidence, as Build wrote them. The printouts read it back from the
// credential, so that they say what the credential says.
type Recorded struct {
	Method   string
	Mediator string
	Evidence []schema.EvidenceItem
}

// RecordedAssessment reads the method, the mediator and the evidence of a
// credential Build made, from its compact JWS (the signature is not
// checked: the caller holds the credential it stored). It reads either
// language's labels.
func RecordedAssessment(jws string) (Recorded, error) {
	var out Recorded
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return out, schema.Errorf(schema.EINVALID, "not a compact JWS", "pas un JWS compact")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return out, schema.Errorf(schema.EINVALID, "the credential's payload is not base64url", "le contenu de l'attestation n'est pas en base64url")
	}
	var c schema.Credential
	if err := json.Unmarshal(payload, &c); err != nil {
		return out, schema.Errorf(schema.EINVALID, "the credential's payload is not JSON: %v", "le contenu de l'attestation n'est pas du JSON : %v", err)
	}
	for _, e := range c.Evidence {
		if e.Genre == "Assessment" && e.ID == "" {
			for _, line := range strings.Split(e.Narrative, "\n") {
				for _, t := range []text{textsIn("fr"), textsIn("en")} {
					if v, ok := strings.CutPrefix(line, t.method); ok && out.Method == "" {
						out.Method = strings.TrimSpace(v)
					} else if v, ok := strings.CutPrefix(line, t.assessedBy); ok && out.Mediator == "" {
						out.Mediator = strings.TrimSpace(v)
					}
				}
			}
			continue
		}
		name := e.Name
		for _, t := range []text{textsIn("fr"), textsIn("en")} {
			if name == t.evidence {
				name = "" // the default name Build gives: says nothing
			}
		}
		out.Evidence = append(out.Evidence, schema.EvidenceItem{Name: name, Narrative: e.Narrative, URL: e.ID})
	}
	return out, nil
}
