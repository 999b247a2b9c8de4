package app

import "carnet/schema"

// Actor is who acts: a signed-in user, through a session cookie or an API
// token, or someone running a command on the data dir.
type Actor struct {
	User    *schema.User
	Session string // hash of the session, "" for API tokens
	Token   int64  // API token id
	IP      string
	// CLI is the operating system's user of a command run on the data
	// dir: the audit log names User (or, without one, CLI) marked
	// " (CLI)".
	CLI string
}

// CLIActor is a command run on the data dir by the operating system's
// user osUser, with every right (whoever can read the data dir can do
// anything with it), acting as no account.
func CLIActor(osUser string) *Actor {
	return &Actor{User: &schema.User{NetworkAdmin: true}, CLI: osUser}
}

// StructureIDs lists the structures the actor may act in; nil means all (a
// network administrator).
func (a *Actor) StructureIDs() []int64 {
	if a.User.NetworkAdmin {
		return nil
	}
	ids := []int64{}
	for _, m := range a.User.Memberships {
		ids = append(ids, m.StructureID)
	}
	return ids
}

// Can reports whether the actor may act in a structure with at least role.
func (a *Actor) Can(structureID int64, role schema.Role) bool {
	got := a.User.RoleIn(structureID)
	switch role {
	case schema.RoleMediator:
		return got == schema.RoleMediator || got == schema.RoleAdmin
	case schema.RoleAdmin:
		return got == schema.RoleAdmin
	}
	return false
}

// IsAdmin reports whether the actor administers a structure, or the
// network.
func (a *Actor) IsAdmin() bool {
	if a.User.NetworkAdmin {
		return true
	}
	for _, m := range a.User.Memberships {
		if m.Role == schema.RoleAdmin {
			return true
		}
	}
	return false
}
