package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"carnet/schema"
	"carnet/web"
)

// auditHas reports whether the audit log holds an event of an action by
// an actor (0: any) on an object ("": any).
func auditHas(t *testing.T, f *fixture, action string, actorID int64, object string) bool {
	t.Helper()
	events, err := f.srv.Audit.ListAudit(context.Background(), schema.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Action == action && (actorID == 0 || e.ActorID == actorID) && (object == "" || e.Object == object) {
			return true
		}
	}
	return false
}

// memberOf reports whether a user belongs to a structure.
func memberOf(t *testing.T, f *fixture, email string, structureID int64) bool {
	t.Helper()
	u, err := f.users.FindUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range u.Memberships {
		if m.StructureID == structureID {
			return true
		}
	}
	return false
}

// signedIn reports whether a browser has a session: the home page answers
// instead of sending it to the sign-in page.
func signedIn(b *browser) bool {
	code, _, _ := b.get("/")
	return code == http.StatusOK
}

// TestInviteTakeover reproduces issue 10's account takeover: a structure
// administrator invites the network administrator's address, opens the
// link and types a password. Nobody may be signed in as the administrator,
// whose password, memberships and audit trail stay untouched, until the
// administrator, signed in as themselves, accepts.
func TestInviteTakeover(t *testing.T) {
	f := startFixture(t)
	ctx := context.Background()
	home, bib := f.structure("default"), f.structure("bib")
	admin := f.user("admin@localhost", true, schema.Membership{StructureID: home.ID, Role: schema.RoleAdmin})
	evil := f.user("evil@example.org", false, schema.Membership{StructureID: bib.ID, Role: schema.RoleAdmin})

	var inv struct {
		URL string `json:"invite_url"`
	}
	if code := f.api(f.token(evil), "POST", "/api/v1/structures/bib/invitations", map[string]any{"email": "admin@localhost", "role": "admin"}, &inv); code != http.StatusCreated {
		t.Fatalf("invite: %d", code)
	}
	link := strings.TrimPrefix(inv.URL, f.srv.BaseURL)

	// The attacker opens the link: no password form, a sign-in request.
	eb := newBrowser(t, f.srv.BaseURL)
	code, body, _ := eb.get(link)
	if code != http.StatusOK || strings.Contains(body, `name="password"`) || !strings.Contains(body, "compte existant") {
		t.Fatalf("invite page of an existing account: %d\n%s", code, body)
	}
	// The attack itself: the link posted with a new password.
	// (The page has no form: the sign-in page's token serves.)
	code, _, loc := eb.post(link, eb.csrf("/login"), url.Values{"name": {"Pirate"}, "password": {"je suis admin maintenant"}, "password2": {"je suis admin maintenant"}})
	if code == http.StatusSeeOther || signedIn(eb) {
		t.Fatalf("the link's holder is signed in: %d %s", code, loc)
	}
	// Accepting without being signed in sends to the sign-in page.
	if code, _, loc := eb.post(link, eb.csrf("/login"), url.Values{"action": {"accept"}}); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") || signedIn(eb) {
		t.Errorf("accept, not signed in: %d %s", code, loc)
	}
	// Signed in as themselves, the attacker cannot accept for the admin.
	eb.login(evil.Email)
	if code, body, _ := eb.get(link); code != http.StatusOK || strings.Contains(body, `value="accept"`) {
		t.Errorf("invite page for another signed-in account: %d, accept form shown %v", code, strings.Contains(body, `value="accept"`))
	}
	if code, _, _ := eb.post(link, eb.csrf("/account"), url.Values{"action": {"accept"}}); code != http.StatusForbidden {
		t.Errorf("accept as another account: %d, want 403", code)
	}
	// Nothing of the administrator changed.
	u, _ := f.users.FindUser(ctx, admin.ID)
	if !web.CheckPasswordHash(u.PasswordHash, "correct horse battery") || web.CheckPasswordHash(u.PasswordHash, "je suis admin maintenant") {
		t.Error("the administrator's password changed")
	}
	if memberOf(t, f, admin.Email, bib.ID) {
		t.Error("the administrator joined bib without their own action")
	}
	for _, a := range []string{schema.AuditLogin, schema.AuditInviteAccepted, schema.AuditPasswordSet} {
		if auditHas(t, f, a, admin.ID, "") {
			t.Errorf("audit log records %s by the administrator", a)
		}
	}

	// The administrator, from their own browser: sign in, back to the
	// invitation, accept.
	ab := newBrowser(t, f.srv.BaseURL)
	_, body, _ = ab.get(link)
	m := regexp.MustCompile(`href="(/login\?next=[^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no sign-in link on the invitation:\n%s", body)
	}
	signIn := strings.ReplaceAll(m[1], "&amp;", "&")
	next, _ := url.Parse(signIn)
	code, _, loc = ab.post("/login", ab.csrf(signIn), url.Values{"email": {admin.Email}, "password": {"correct horse battery"}, "next": {next.Query().Get("next")}})
	if code != http.StatusSeeOther || loc != link {
		t.Fatalf("sign in with next: %d %s, want %s", code, loc, link)
	}
	_, body, _ = ab.get(link)
	if !strings.Contains(body, `value="accept"`) || !strings.Contains(body, `value="decline"`) {
		t.Fatalf("no accept/decline form for the invited account:\n%s", body)
	}
	if code, _, loc := ab.post(link, ab.csrf(link), url.Values{"action": {"accept"}}); code != http.StatusSeeOther || loc != "/?ok=joined" {
		t.Fatalf("accept: %d %s", code, loc)
	}
	if !memberOf(t, f, admin.Email, bib.ID) {
		t.Error("accepted, but not a member")
	}
	if !auditHas(t, f, schema.AuditInviteAccepted, admin.ID, admin.Email) {
		t.Error("acceptance not logged as the administrator's")
	}
	if code, _, _ := ab.get(link); code != http.StatusNotFound {
		t.Errorf("used invitation: %d", code)
	}

	// Declining: no membership, logged.
	med := f.user("mediator@example.org", false, schema.Membership{StructureID: home.ID, Role: schema.RoleMediator})
	f.api(f.token(evil), "POST", "/api/v1/structures/bib/invitations", map[string]any{"email": med.Email}, &inv)
	link = strings.TrimPrefix(inv.URL, f.srv.BaseURL)
	mb := newBrowser(t, f.srv.BaseURL)
	mb.login(med.Email)
	if code, _, loc := mb.post(link, mb.csrf(link), url.Values{"action": {"decline"}}); code != http.StatusSeeOther || loc != "/?ok=declined" {
		t.Fatalf("decline: %d %s", code, loc)
	}
	if memberOf(t, f, med.Email, bib.ID) || !auditHas(t, f, schema.AuditInviteDeclined, med.ID, med.Email) {
		t.Error("declined invitation: joined, or not logged")
	}
}

// TestInviteNewAccount: an invitation of a new address still creates the
// account with the chosen password and signs its holder in.
func TestInviteNewAccount(t *testing.T) {
	f := startFixture(t)
	bib := f.structure("bib")
	adm := f.user("adm@example.org", false, schema.Membership{StructureID: bib.ID, Role: schema.RoleAdmin})
	var inv struct {
		URL string `json:"invite_url"`
	}
	f.api(f.token(adm), "POST", "/api/v1/structures/bib/invitations", map[string]any{"email": "new@example.org"}, &inv)
	link := strings.TrimPrefix(inv.URL, f.srv.BaseURL)
	b := newBrowser(t, f.srv.BaseURL)
	if code, _, loc := b.post(link, b.csrf(link), url.Values{"name": {"Nouvelle"}, "password": {"une phrase assez longue"}, "password2": {"une phrase assez longue"}}); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("accept: %d %s", code, loc)
	}
	if !signedIn(b) || !memberOf(t, f, "new@example.org", bib.ID) {
		t.Error("new account not signed in or not a member")
	}
	// An invitation link is no password reset link, and the other way round.
	if code, _, _ := b.get("/login/link/" + strings.TrimPrefix(link, "/invite/")); code != http.StatusNotFound {
		t.Errorf("invitation under /login/link/: %d", code)
	}
}

// TestPasswordChange: the current password is asked; the other sessions
// of the account end, this one stays; API tokens are kept.
func TestPasswordChange(t *testing.T) {
	f := startFixture(t)
	bib := f.structure("bib")
	u := f.user("amina@example.org", false, schema.Membership{StructureID: bib.ID, Role: schema.RoleMediator})
	tok := f.token(u)
	b, other := newBrowser(t, f.srv.BaseURL), newBrowser(t, f.srv.BaseURL)
	b.login(u.Email)
	other.login(u.Email)
	for _, tc := range []struct {
		name                       string
		current, password, confirm string
	}{
		{"wrong current", "pas le bon mot de passe", "une nouvelle phrase", "une nouvelle phrase"},
		{"differ", "correct horse battery", "une nouvelle phrase", "une autre phrase"},
		{"too short", "correct horse battery", "court", "court"},
	} {
		if code, _, _ := b.post("/account/password", b.csrf("/account"), url.Values{"current": {tc.current}, "password": {tc.password}, "password2": {tc.confirm}}); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", tc.name, code)
		}
	}
	if !signedIn(other) {
		t.Fatal("a refused change ended the other session")
	}
	code, _, loc := b.post("/account/password", b.csrf("/account"), url.Values{"current": {"correct horse battery"}, "password": {"une nouvelle phrase"}, "password2": {"une nouvelle phrase"}})
	if code != http.StatusSeeOther || loc != "/account?ok=password_changed" {
		t.Fatalf("change: %d %s", code, loc)
	}
	if !signedIn(b) {
		t.Error("the session that changed the password ended")
	}
	if code, _, loc := other.get("/learners/new"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Errorf("the other session after the change: %d %s, want a redirect to /login", code, loc)
	}
	if code := f.api(tok, "GET", "/api/v1/me", nil, nil); code != http.StatusOK {
		t.Errorf("API token after a password change: %d (kept by design)", code)
	}
	nb := newBrowser(t, f.srv.BaseURL)
	if code, _, _ := nb.post("/login", nb.csrf("/login"), url.Values{"email": {u.Email}, "password": {"correct horse battery"}}); code != http.StatusUnauthorized {
		t.Errorf("old password: %d", code)
	}
	if code, _, _ := nb.post("/login", nb.csrf("/login"), url.Values{"email": {u.Email}, "password": {"une nouvelle phrase"}}); code != http.StatusSeeOther {
		t.Errorf("new password: %d", code)
	}
	if !auditHas(t, f, schema.AuditPasswordChange, u.ID, u.Email) {
		t.Error("change not logged")
	}
}

var resetRE = regexp.MustCompile(`value="(http://[^"]+/login/link/[^"]+)"`)

// TestPasswordReset: an administrator makes a one-time reset link for a
// member with no right beyond theirs; a structure administrator cannot
// reset a network administrator or another structure's administrator (that
// would be the invitation takeover again). Using the link sets the
// password, once, and ends every session and API token of the account.
func TestPasswordReset(t *testing.T) {
	f := startFixture(t)
	bib, other := f.structure("bib"), f.structure("other")
	sa := f.user("sa@example.org", false, schema.Membership{StructureID: bib.ID, Role: schema.RoleAdmin})
	m := f.user("m@example.org", false, schema.Membership{StructureID: bib.ID, Role: schema.RoleMediator})
	na := f.user("admin@localhost", true, schema.Membership{StructureID: bib.ID, Role: schema.RoleAdmin})
	oa := f.user("oa@example.org", false, schema.Membership{StructureID: bib.ID, Role: schema.RoleMediator}, schema.Membership{StructureID: other.ID, Role: schema.RoleAdmin})
	sab := newBrowser(t, f.srv.BaseURL)
	sab.login(sa.Email)
	reset := func(b *browser, u *schema.User) (int, string) {
		code, body, _ := b.post("/structures/bib/members/"+itoa64(u.ID)+"/reset", b.csrf("/structures/bib"), url.Values{})
		return code, body
	}
	for _, tc := range []struct {
		name string
		u    *schema.User
		want int
	}{
		{"network administrator", na, http.StatusForbidden},
		{"administrator of another structure", oa, http.StatusForbidden},
		{"oneself", sa, http.StatusBadRequest},
	} {
		if code, _ := reset(sab, tc.u); code != tc.want {
			t.Errorf("structure admin resets %s: %d, want %d", tc.name, code, tc.want)
		}
	}
	if _, body, _ := sab.get("/structures/bib"); strings.Contains(body, "/members/"+itoa64(na.ID)+"/reset") || !strings.Contains(body, "/members/"+itoa64(m.ID)+"/reset") {
		t.Error("the reset buttons do not follow the rule")
	}
	// The member, signed in elsewhere with an API token, forgot nothing
	// yet: their sessions and token end when the link is used.
	mb := newBrowser(t, f.srv.BaseURL)
	mb.login(m.Email)
	tok := f.token(m)
	code, body := reset(sab, m)
	match := resetRE.FindStringSubmatch(body)
	if code != http.StatusOK || match == nil {
		t.Fatalf("reset link for a mediator: %d", code)
	}
	link := strings.TrimPrefix(match[1], f.srv.BaseURL)
	if !auditHas(t, f, schema.AuditResetLink, sa.ID, m.Email) {
		t.Error("reset link not logged")
	}
	holder := newBrowser(t, f.srv.BaseURL)
	if code, body, _ := holder.get(link); code != http.StatusOK || !strings.Contains(body, m.Email) {
		t.Fatalf("reset page: %d", code)
	}
	if code, _, loc := holder.post(link, holder.csrf(link), url.Values{"password": {"retrouvé le mot de passe"}, "password2": {"retrouvé le mot de passe"}}); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("use the reset link: %d %s", code, loc)
	}
	if code, _, _ := holder.get(link); code != http.StatusNotFound {
		t.Errorf("reset link used twice: %d", code)
	}
	if signedIn(mb) {
		t.Error("the member's old session survived the reset")
	}
	if code := f.api(tok, "GET", "/api/v1/me", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("the member's API token after the reset: %d, want 401", code)
	}
	nb := newBrowser(t, f.srv.BaseURL)
	if code, _, _ := nb.post("/login", nb.csrf("/login"), url.Values{"email": {m.Email}, "password": {"retrouvé le mot de passe"}}); code != http.StatusSeeOther {
		t.Errorf("sign in with the new password: %d", code)
	}
	if !auditHas(t, f, schema.AuditPasswordReset, m.ID, m.Email) {
		t.Error("reset not logged")
	}
	// A link made while the member had no more rights than its maker
	// stops working when they get more (here: another structure).
	code, body = reset(sab, m)
	match = resetRE.FindStringSubmatch(body)
	if code != http.StatusOK || match == nil {
		t.Fatalf("second reset link: %d", code)
	}
	if err := f.users.SetMembership(context.Background(), m.ID, other.ID, schema.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	link = strings.TrimPrefix(match[1], f.srv.BaseURL)
	late := newBrowser(t, f.srv.BaseURL)
	if code, _, _ := late.post(link, late.csrf("/login"), url.Values{"password": {"prise de contrôle"}, "password2": {"prise de contrôle"}}); code != http.StatusNotFound || signedIn(late) {
		t.Errorf("reset link of someone who became another structure's administrator: %d", code)
	}
	// A network administrator may reset anyone, an administrator too.
	nab := newBrowser(t, f.srv.BaseURL)
	nab.login(na.Email)
	for _, u := range []*schema.User{sa, oa} {
		if code, body := reset(nab, u); code != http.StatusOK || resetRE.FindStringSubmatch(body) == nil {
			t.Errorf("network admin resets %s: %d", u.Email, code)
		}
	}
}

// loginFrom posts the sign-in form from a client address, behind a
// trusted proxy, and signs out again (the device cookie stays).
func loginFrom(t *testing.T, b *browser, addr, email, password string) int {
	t.Helper()
	code := forged(t, b, "POST", "/login", addr, url.Values{"email": {email}, "password": {password}, "csrf_token": {b.csrf("/login")}})
	if code == http.StatusSeeOther {
		b.post("/logout", b.csrf("/account"), url.Values{})
	}
	return code
}

// TestLockoutSparesTheOwner: strangers' wrong passwords slow strangers.
// Five from one address stop that address for the account, not the owner
// from another address, nor the owner's browser (its device cookie) even
// at the attacker's address; twenty from many addresses slow every client
// that never signed in to the account, still not the owner's browser.
func TestLockoutSparesTheOwner(t *testing.T) {
	f := startFixture(t)
	bib := f.structure("bib")
	u := f.user("owner@example.org", false, schema.Membership{StructureID: bib.ID, Role: schema.RoleMediator})
	base := f.behind("127.0.0.1/32")
	const right, wrong = "correct horse battery", "mauvais mot de passe"

	owner := newBrowser(t, base)
	if code := loginFrom(t, owner, "192.0.2.1", u.Email, right); code != http.StatusSeeOther {
		t.Fatalf("owner's first sign-in: %d", code)
	}
	attacker := newBrowser(t, base)
	for i := 0; i < 5; i++ {
		if code := loginFrom(t, attacker, "203.0.113.66", u.Email, wrong); code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	if code := loginFrom(t, attacker, "203.0.113.66", u.Email, right); code != http.StatusTooManyRequests {
		t.Errorf("attacker's address after 5 failures, right password: %d, want 429", code)
	}
	if code := loginFrom(t, owner, "203.0.113.66", u.Email, right); code != http.StatusSeeOther {
		t.Errorf("owner's device at the attacker's address: %d, want 303", code)
	}
	if code := loginFrom(t, newBrowser(t, base), "198.51.100.20", u.Email, right); code != http.StatusSeeOther {
		t.Errorf("owner from another address, new browser: %d, want 303", code)
	}
	// Guessing from many addresses: 20 failures in all.
	for a := 1; a <= 3; a++ {
		b := newBrowser(t, base)
		for i := 0; i < 5; i++ {
			loginFrom(t, b, "203.0.113."+itoa64(int64(a)), u.Email, wrong)
		}
	}
	if code := loginFrom(t, newBrowser(t, base), "198.51.100.21", u.Email, right); code != http.StatusTooManyRequests {
		t.Errorf("new client after 20 failures from many addresses: %d, want 429", code)
	}
	if code := loginFrom(t, owner, "198.51.100.22", u.Email, right); code != http.StatusSeeOther {
		t.Errorf("owner's device after 20 failures from many addresses: %d, want 303", code)
	}
	// A forged device cookie is no device.
	forgedDevice := newBrowser(t, base)
	ur, _ := url.Parse(base)
	forgedDevice.c.Jar.SetCookies(ur, []*http.Cookie{{Name: "carnet_device", Value: "AAAAAAAAAAAAAAAAAAAAAA.forged"}})
	if code := loginFrom(t, forgedDevice, "198.51.100.23", u.Email, right); code != http.StatusTooManyRequests {
		t.Errorf("forged device cookie: %d, want 429", code)
	}
}
