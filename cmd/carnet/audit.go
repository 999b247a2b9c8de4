package main

import (
	"context"
	"os/user"

	"carnet/schema"
)

// cliActor is who the audit log names for a command run on the data dir:
// the operating system's user, marked as the command line (no address).
func cliActor() string {
	name := "?"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	return name + " (CLI)"
}

// record appends an audit entry of a command; called inside in.db.InTx,
// it commits with the command's action, and its failure fails the action.
func (in *instance) record(ctx context.Context, structureID int64, action, object, detail string) error {
	return in.audit.AppendAudit(ctx, &schema.AuditEvent{Actor: cliActor(), StructureID: structureID,
		Action: action, Object: object, Detail: detail})
}
