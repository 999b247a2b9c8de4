package main

import (
	"os/user"

	"carnet/app"
	"carnet/schema"
)

// osUser is the operating system's user running a command, "?" when
// unknown.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "?"
}

// cliActor is who acts in a command run on the data dir: the operating
// system's user, with every right; the audit log names them marked as the
// command line (no address).
func cliActor() *app.Actor { return app.CLIActor(osUser()) }

// cliActorAs is a command run on the data dir that acts as the account u
// (its API token, say): the audit log names u, marked as the command line.
func cliActorAs(u *schema.User) *app.Actor { return &app.Actor{User: u, CLI: osUser()} }
