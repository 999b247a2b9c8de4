package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"carnet/schema"
)

// TestCommandsGoThroughApp: `carnet issue`, `carnet keys rotate` and
// `carnet token create` act through the same operations as the pages and
// the API (package app), so their audit entries are theirs, with the
// operating system's user marked " (CLI)" as actor (or the account the
// token is for).
func TestCommandsGoThroughApp(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	code, stdout, stderr := carnet(t, "", "issue", "--data", data, "--learner", "Awa Diallo", "--framework", "digcomp-2.2",
		"--level", "1.1=3", "--out", filepath.Join(t.TempDir(), "awa.jwt"))
	if code != exitOK {
		t.Fatalf("issue: exit %d %s", code, stderr)
	}
	credID := strings.TrimSpace(stdout)
	if code, _, stderr := carnet(t, "", "keys", "rotate", "--data", data, "--structure", "main"); code != exitOK {
		t.Fatalf("rotate: exit %d %s", code, stderr)
	}
	if code, _, stderr := carnet(t, "", "token", "create", "--data", data, "--name", "intégration"); code != exitOK {
		t.Fatalf("token: exit %d %s", code, stderr)
	}

	ctx := context.Background()
	in, err := openInstance(ctx, data, "", "", nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	admin, err := in.firstAdmin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := in.structure(ctx, "main")
	if err != nil {
		t.Fatal(err)
	}
	events, err := in.audit.ListAudit(ctx, schema.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	byAction := map[string]*schema.AuditEvent{}
	for _, e := range events {
		byAction[e.Action] = e
	}
	me := osUser() + " (CLI)"
	for _, want := range []schema.AuditEvent{
		{Action: schema.AuditIssue, Actor: me, StructureID: st.ID, Object: credID, Detail: "digcomp-2.2"},
		{Action: schema.AuditKeysRotated, Actor: me, StructureID: st.ID, Object: "main"},
		{Action: schema.AuditTokenCreated, ActorID: admin.ID, Actor: admin.Label() + " (CLI)", Detail: "intégration"},
	} {
		got := byAction[want.Action]
		if got == nil {
			t.Errorf("no %s entry: %+v", want.Action, events)
			continue
		}
		if want.Object == "" {
			want.Object = got.Object // the token's id
		}
		if got.ActorID != want.ActorID || got.Actor != want.Actor || got.StructureID != want.StructureID ||
			got.Object != want.Object || got.Detail != want.Detail || got.IP != "" || got.At.IsZero() {
			t.Errorf("%s entry %+v, want %+v", want.Action, *got, want)
		}
	}
}
