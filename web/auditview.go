package web

import (
	"context"
	"strings"

	"carnet/places"
	"carnet/schema"
)

// auditLine is one event of the audit page, in plain words: who did what,
// with learners and credentials named by something human (a name, a short
// code, a short reference), never a raw UUID.
type auditLine struct {
	Event     *schema.AuditEvent
	Structure string // its name
	Text      string // the sentence
}

// auditTexts are the audit page's sentences; %[1]s is what was acted on
// (made readable), %[2]s the detail (made readable).
var auditTexts = map[string][2]string{
	schema.AuditLogin:          {"S'est connecté·e", "Signed in"},
	schema.AuditLoginFailed:    {"Connexion refusée pour %[1]s", "Sign-in refused for %[1]s"},
	schema.AuditLogout:         {"S'est déconnecté·e", "Signed out"},
	schema.AuditPasswordSet:    {"A choisi son mot de passe (première connexion)", "Chose their password (first sign-in)"},
	schema.AuditInvite:         {"A invité %[1]s comme %[2]s", "Invited %[1]s as %[2]s"},
	schema.AuditInviteAccepted: {"%[1]s a accepté l'invitation comme %[2]s", "%[1]s accepted the invitation as %[2]s"},
	schema.AuditInviteDeclined: {"%[1]s a refusé l'invitation", "%[1]s declined the invitation"},
	schema.AuditPasswordChange: {"A changé son mot de passe", "Changed their password"},
	schema.AuditResetLink:      {"A créé un lien de nouveau mot de passe pour %[1]s", "Made a new-password link for %[1]s"},
	schema.AuditPasswordReset:  {"A choisi un nouveau mot de passe avec un lien de réinitialisation", "Chose a new password with a reset link"},
	schema.AuditStructure:      {"A créé la structure « %[2]s »", "Created the structure “%[2]s”"},
	schema.AuditStructureEdit:  {"A modifié %[2]s de la structure", "Changed the structure's %[2]s"},
	schema.AuditTokenCreated:   {"A créé le jeton d'accès à l'API « %[2]s »", "Created the API token “%[2]s”"},
	schema.AuditTokenRevoked:   {"A supprimé un jeton d'accès à l'API", "Deleted an API token"},
	schema.AuditLearnerCreated: {"A ajouté %[1]s", "Added %[1]s"},
	schema.AuditLearnerErased:  {"A effacé les données de %[1]s", "Erased the data of %[1]s"},
	schema.AuditIssue:          {"A émis l'attestation %[1]s (%[2]s)", "Issued the credential %[1]s (%[2]s)"},
	schema.AuditRevoke:         {"A révoqué l'attestation %[1]s ; motif : %[2]s", "Revoked the credential %[1]s; reason: %[2]s"},
	schema.AuditSuspend:        {"A suspendu l'attestation %[1]s ; motif : %[2]s", "Suspended the credential %[1]s; reason: %[2]s"},
	schema.AuditUnsuspend:      {"A levé la suspension de l'attestation %[1]s", "Lifted the suspension of the credential %[1]s"},
	schema.AuditImport:         {"A ajouté au parcours de %[1]s une attestation d'une autre structure", "Added a credential from another structure to the path of %[1]s"},
	schema.AuditResourceAdd:    {"A ajouté « %[2]s » au catalogue de ressources", "Added “%[2]s” to the resource catalogue"},
	schema.AuditResourceEdit:   {"A modifié « %[2]s » dans le catalogue de ressources", "Edited “%[2]s” in the resource catalogue"},
	schema.AuditResourceDelete: {"A retiré « %[2]s » du catalogue de ressources", "Removed “%[2]s” from the resource catalogue"},
	schema.AuditKeysRotated:    {"A remplacé la clé de signature de la structure", "Replaced the structure's signing key"},
	"trust_added":              {"A ajouté un partenaire de confiance : %[2]s", "Added a trusted partner: %[2]s"},
	"trust_refreshed":          {"A rechargé les clés du partenaire %[1]s", "Refreshed the keys of the partner %[1]s"},
	"trust_removed":            {"A retiré le partenaire de confiance %[2]s", "Removed the trusted partner %[2]s"},
	"invite_resent":            {"A renvoyé une invitation à %[1]s (l'ancien lien ne marche plus)", "Resent an invitation to %[1]s (the old link no longer works)"},
	"invite_cancelled":         {"A annulé l'invitation de %[1]s", "Cancelled the invitation of %[1]s"},
	"learner_contact_erased":   {"A effacé le contact et les notes de %[1]s (accord retiré)", "Erased the contact and notes of %[1]s (consent withdrawn)"},
}

// auditText returns an action's sentence in lang with its arguments.
func auditText(lang, action, object, detail string) string {
	t, ok := auditTexts[action]
	if !ok {
		return tr(lang, "audit_"+action)
	}
	f := t[0]
	if lang == "en" {
		f = t[1]
	}
	return sprintfIgnoringMissing(f, object, detail)
}

// shortRef is a short reference to a UUID for people: its first 8 hex
// digits, upper case.
func shortRef(id string) string {
	id = strings.TrimPrefix(id, "urn:uuid:")
	if len(id) > 8 {
		id = id[:8]
	}
	return strings.ToUpper(id)
}

// auditLines makes the audit page's lines.
func (s *Server) auditLines(ctx context.Context, lang string, events []*schema.AuditEvent) []auditLine {
	names := map[string]string{}
	if list, err := s.Structures.ListStructures(ctx); err == nil {
		for _, st := range list {
			names[st.Slug] = st.Name
		}
	}
	learners := map[string]string{}
	learner := func(id string) string {
		if v, ok := learners[id]; ok {
			return v
		}
		v := tr(lang, "audit_someone") + " (" + tr(lang, "audit_ref") + " " + shortRef(id) + ")"
		if l, err := s.Learners.FindLearner(ctx, id); err == nil {
			if l.Erased() {
				v = tr(lang, "audit_erased_person") + " (" + tr(lang, "audit_ref") + " " + shortRef(id) + ")"
			} else {
				v = l.Name
			}
		}
		learners[id] = v
		return v
	}
	credential := func(id string) string {
		c, err := s.Credentials.FindCredential(ctx, id)
		if err != nil {
			return tr(lang, "audit_ref") + " " + shortRef(id)
		}
		v := c.ShortCode
		if v == "" {
			v = tr(lang, "audit_ref") + " " + shortRef(id)
		}
		if c.LearnerID != "" {
			v += " " + tr(lang, "audit_of") + " " + learner(c.LearnerID)
		}
		return v
	}
	var out []auditLine
	for _, e := range events {
		obj, detail := e.Object, e.Detail
		api := strings.HasSuffix(detail, "(API)")
		if api {
			detail = strings.TrimSpace(strings.TrimSuffix(detail, "(API)"))
		}
		switch e.Action {
		case schema.AuditLearnerCreated, schema.AuditLearnerErased, schema.AuditImport, "learner_contact_erased", places.AuditReferred:
			obj = learner(e.Object)
		case schema.AuditIssue, schema.AuditRevoke, schema.AuditSuspend, schema.AuditUnsuspend:
			obj = credential(e.Object)
			if e.Action == schema.AuditIssue {
				if fw, err := s.Frameworks.Get(detail); err == nil {
					detail = fw.Title.In(lang)
				}
			}
		case schema.AuditInvite, schema.AuditInviteAccepted, schema.AuditInviteDeclined:
			if detail != "" {
				detail = tr(lang, "role_"+detail)
			}
		case schema.AuditStructureEdit:
			switch {
			case detail == "logo":
				detail = tr(lang, "audit_the_logo")
			case strings.HasPrefix(detail, "frameworks:"):
				detail = tr(lang, "audit_the_frameworks")
			default:
				detail = tr(lang, "audit_the_profile")
			}
		case schema.AuditLogin:
			if detail == "link" {
				out = append(out, auditLine{e, names[e.Structure], tr(lang, "audit_login_link")})
				continue
			}
		}
		text := auditText(lang, e.Action, obj, detail)
		if api {
			text += " " + tr(lang, "audit_by_api")
		}
		out = append(out, auditLine{e, names[e.Structure], text})
	}
	return out
}

// sprintfIgnoringMissing formats with explicit argument indexes, for
// sentences that use only some of their arguments.
func sprintfIgnoringMissing(format string, args ...string) string {
	out := format
	for i, a := range args {
		out = strings.ReplaceAll(out, "%["+string(rune('1'+i))+"]s", a)
	}
	return out
}
