package web

import (
	"context"
	"strings"

	"carnet/i18n"
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

// auditText returns an action's sentence in lang with its arguments.
func auditText(lang, action, object, detail string) string {
	f, ok := i18n.Lookup(i18n.Audit, lang, action)
	if !ok {
		return tr(lang, "audit_"+action)
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
