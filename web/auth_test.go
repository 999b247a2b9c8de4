package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"carnet/schema"
	"carnet/web"
)

func TestPasswordHash(t *testing.T) {
	h, err := web.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash format: %s", h)
	}
	h2, _ := web.HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		name, hash, password string
		want                 bool
	}{
		{"right", h, "correct horse battery", true},
		{"wrong", h, "correct horse batterY", false},
		{"empty", h, "", false},
		{"truncated hash", h[:len(h)-4], "correct horse battery", false},
		{"other scheme", "$2a$10$abcdefghijklmnopqrstuv", "x", false},
		{"huge memory asked", strings.Replace(h, "m=19456", "m=99999999", 1), "correct horse battery", false},
		{"garbage", "not a hash", "x", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := web.CheckPasswordHash(tc.hash, tc.password); got != tc.want {
				t.Errorf("got %v", got)
			}
		})
	}
}

// TestSignInThrottling: after five failures for one address, even the
// right password is refused for a while, with 429 and a clear message;
// failures are in the audit log.
func TestSignInThrottling(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	u := f.user("amina@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	b := newBrowser(t, f.srv.BaseURL)
	for i := 0; i < 5; i++ {
		code, body, _ := b.post("/login", b.csrf("/login"), url.Values{"email": {u.Email}, "password": {"mauvais mot de passe"}})
		if code != http.StatusUnauthorized || !strings.Contains(body, "mot de passe incorrect") {
			t.Fatalf("failure %d: %d", i, code)
		}
	}
	code, body, _ := b.post("/login", b.csrf("/login"), url.Values{"email": {u.Email}, "password": {"correct horse battery"}})
	if code != http.StatusTooManyRequests || !strings.Contains(body, "Trop de tentatives") {
		t.Fatalf("sixth attempt with the right password: %d", code)
	}
	// Another account from the same address still signs in.
	other := f.user("other@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	b.login(other.Email)
	events, _ := f.srv.Audit.ListAudit(context.Background(), schema.AuditFilter{})
	failed := 0
	for _, e := range events {
		if e.Action == schema.AuditLoginFailed && e.Object == u.Email {
			failed++
		}
	}
	if failed != 5 {
		t.Errorf("%d failed sign-ins logged, want 5", failed)
	}
	// An unknown address gets the same answer as a wrong password.
	nb := newBrowser(t, f.srv.BaseURL)
	code, _, _ = nb.post("/login", nb.csrf("/login"), url.Values{"email": {"nobody@example.org"}, "password": {"x"}})
	if code != http.StatusUnauthorized {
		t.Errorf("unknown address: %d", code)
	}
}

// TestCSRF: a signed-in form post needs the token of its own session.
func TestCSRF(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	u := f.user("amina@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	other := f.user("other@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	b, b2 := newBrowser(t, f.srv.BaseURL), newBrowser(t, f.srv.BaseURL)
	b.login(u.Email)
	b2.login(other.Email)
	form := func() url.Values { return url.Values{"name": {"Personne"}} }
	for _, tc := range []struct {
		name, token, origin string
		want                int
	}{
		{"no token", "", "", http.StatusForbidden},
		{"forged token", "AAAA", "", http.StatusForbidden},
		{"token of another session", b2.csrf("/learners/new"), "", http.StatusForbidden},
		{"right token, foreign origin", b.csrf("/learners/new"), "https://evil.example", http.StatusForbidden},
		{"right token", b.csrf("/learners/new"), "", http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fv := form()
			if tc.token != "" {
				fv.Set("csrf_token", tc.token)
			}
			req, _ := http.NewRequest("POST", f.srv.BaseURL+"/learners", strings.NewReader(fv.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			if code, _, _ := b.do(req); code != tc.want {
				t.Errorf("got %d, want %d", code, tc.want)
			}
		})
	}
	list, _ := f.learns.SearchLearners(context.Background(), nil, "", 0)
	if len(list) != 1 {
		t.Errorf("%d learners created, want 1 (only the right token)", len(list))
	}
}

// TestOneTimeLinks: a login link sets the password once; GET does not use
// it; an expired link is refused.
func TestOneTimeLinks(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	u := &schema.User{Email: "first@example.org", NetworkAdmin: true, Memberships: []schema.Membership{{StructureID: st.ID, Role: schema.RoleAdmin}}}
	if err := f.users.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	mk := func(expires time.Time) string {
		secret, hash, _ := web.NewSecret("")
		if err := f.users.CreateLink(context.Background(), &schema.Link{Hash: hash, Purpose: schema.LinkLogin, UserID: u.ID, ExpiresAt: expires}); err != nil {
			t.Fatal(err)
		}
		return "/login/link/" + secret
	}
	link, old := mk(time.Now().Add(time.Hour)), mk(time.Now().Add(-time.Minute))
	b := newBrowser(t, f.srv.BaseURL)
	for i := 0; i < 3; i++ { // previews and scanners fetch links: GET must not use them
		if code, _, _ := b.get(link); code != 200 {
			t.Fatalf("GET %d: %d", i, code)
		}
	}
	if code, _, _ := b.post(link, b.csrf(link), url.Values{"password": {"court"}, "password2": {"court"}}); code != http.StatusBadRequest {
		t.Errorf("short password: %d", code)
	}
	if code, _, _ := b.post(link, b.csrf(link), url.Values{"password": {"une longue phrase"}, "password2": {"une autre phrase"}}); code != http.StatusBadRequest {
		t.Errorf("different passwords: %d", code)
	}
	if code, _, loc := b.post(link, b.csrf(link), url.Values{"password": {"une longue phrase"}, "password2": {"une longue phrase"}}); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("set password: %d %s", code, loc)
	}
	if code, _, _ := b.get(link); code != http.StatusNotFound {
		t.Errorf("used link: %d", code)
	}
	if code, _, _ := newBrowser(t, f.srv.BaseURL).get(old); code != http.StatusNotFound {
		t.Errorf("expired link: %d", code)
	}
	// The password now signs in.
	b2 := newBrowser(t, f.srv.BaseURL)
	code, _, _ := b2.post("/login", b2.csrf("/login"), url.Values{"email": {u.Email}, "password": {"une longue phrase"}})
	if code != http.StatusSeeOther {
		t.Errorf("sign in with the chosen password: %d", code)
	}
}

// TestErasure: the learner's personal data and the signed documents go;
// the credential stays revocable and the erasure is logged.
func TestErasure(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	u := f.user("amina@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator})
	tok := f.token(u)
	var l struct{ ID string }
	f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": "Éloïse Ndiaye", "contact": "06 12 34 56 78", "notes": "vient le mardi", "consent": true}, &l)
	var c struct{ ID, JWT string }
	f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2", "levels": map[string]any{"1.1": 2}}, &c)
	var erased struct {
		Name, Contact, Notes string
		Erased               bool
	}
	if code := f.api(tok, "DELETE", "/api/v1/learners/"+l.ID, nil, &erased); code != 200 || !erased.Erased || erased.Name+erased.Contact+erased.Notes != "" {
		t.Fatalf("erase: %d %+v", code, erased)
	}
	if code := f.api(tok, "DELETE", "/api/v1/learners/"+l.ID, nil, nil); code != http.StatusConflict {
		t.Errorf("erasing twice: %d", code)
	}
	// The credential handed out stays revocable, and verifies as revoked.
	var rec struct{ Status, JWT string }
	if code := f.api(tok, "GET", "/api/v1/credentials/"+c.ID, nil, &rec); code != 200 || rec.JWT != "" {
		t.Errorf("erased credential still served with its JWT: %d", code)
	}
	if code := f.api(tok, "POST", "/api/v1/credentials/"+c.ID+"/revoke", map[string]any{"reason": "effacement"}, &rec); code != 200 || rec.Status != "revoked" {
		t.Fatalf("revoke after erasure: %d %+v", code, rec)
	}
	if res := f.srv.Verifier.Verify(context.Background(), []byte(c.JWT)); res.Valid || res.Reason != "revoked" {
		t.Errorf("the learner's copy after revocation: %v %s", res.Valid, res.Reason)
	}
	events, _ := f.srv.Audit.ListAudit(context.Background(), schema.AuditFilter{})
	logged := false
	for _, e := range events {
		logged = logged || e.Action == schema.AuditLearnerErased && e.Object == l.ID && e.ActorID == u.ID
	}
	if !logged {
		t.Error("erasure not in the audit log")
	}
	// Nothing of the personal data is left in the database files.
	f.db.Close()
	for _, name := range []string{"carnet.db", "carnet.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(f.dir, name))
		for _, secret := range []string{"Éloïse", "06 12 34 56 78", "vient le mardi"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("%s still holds %q", name, secret)
			}
		}
	}
}

// TestPagesInEnglish: the language switch and Accept-Language.
func TestPagesInEnglish(t *testing.T) {
	f := startFixture(t)
	b := newBrowser(t, f.srv.BaseURL)
	if _, body, _ := b.get("/login"); !strings.Contains(body, `<html lang="fr">`) || !strings.Contains(body, "Connexion") {
		t.Fatal("default page is not French")
	}
	req, _ := http.NewRequest("GET", f.srv.BaseURL+"/login", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9,fr;q=0.5")
	if _, body, _ := b.do(req); !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Sign in") {
		t.Fatal("Accept-Language en ignored")
	}
	if code, _, loc := b.get("/lang/en?next=/verify"); code != http.StatusSeeOther || loc != "/verify" {
		t.Fatalf("switch: %d %s", code, loc)
	}
	if _, body, _ := b.get("/verify"); !strings.Contains(body, "Verify a credential") {
		t.Fatal("the switch did not take")
	}
	if _, _, loc := b.get("/lang/fr?next=//evil.example/"); loc != "/" {
		t.Errorf("open redirect through the switch: %s", loc)
	}
}

// TestMessagesComplete: every key a template or handler uses has a French
// and an English text.
func TestMessagesComplete(t *testing.T) {
	keyRE := regexp.MustCompile(`\b(?:t|tf) "([a-z0-9_]+)"|tr\([a-zA-Z.]+, "([a-z0-9_]+)"\)`)
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	used := map[string]bool{}
	for _, name := range append(files, gofiles...) {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(name)
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			used[m[1]+m[2]] = true
		}
	}
	// Keys built at run time.
	for _, p := range []string{"status_active", "status_revoked", "status_suspended", "role_admin", "role_mediator"} {
		used[p] = true
	}
	for _, a := range []string{schema.AuditLogin, schema.AuditLoginFailed, schema.AuditLogout, schema.AuditPasswordSet, schema.AuditInvite,
		schema.AuditInviteAccepted, schema.AuditStructure, schema.AuditStructureEdit, schema.AuditTokenCreated, schema.AuditTokenRevoked,
		schema.AuditLearnerCreated, schema.AuditLearnerErased, schema.AuditIssue, schema.AuditRevoke, schema.AuditSuspend, schema.AuditUnsuspend,
		schema.AuditImport, schema.AuditInviteDeclined, schema.AuditPasswordChange, schema.AuditResetLink, schema.AuditPasswordReset} {
		used["audit_"+a] = true
	}
	if len(used) < 100 {
		t.Fatalf("only %d keys found: the scan is broken", len(used))
	}
	for key := range used {
		fr, en := web.Message("fr", key), web.Message("en", key)
		if fr == key && en == key || fr == "" || en == "" {
			t.Errorf("message %q lacks a text (fr %q, en %q)", key, fr, en)
		}
	}
}

// TestShortCodeGuessing: typed short codes that match nothing are limited
// per address; known ones and other inputs are not affected until then.
func TestShortCodeGuessing(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	tok := f.token(f.user("m@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleMediator}))
	var l struct{ ID string }
	f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": "Éloïse"}, &l)
	var c struct {
		ShortCode string `json:"short_code"`
	}
	f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2", "levels": map[string]any{"1.1": 2}}, &c)
	var res struct {
		Valid  bool
		Reason string
	}
	if f.api("", "POST", "/api/v1/verify", map[string]any{"input": c.ShortCode}, &res); !res.Valid {
		t.Fatalf("known code: %+v", res)
	}
	for i := 0; i < 30; i++ {
		if code := f.api("", "POST", "/api/v1/verify", map[string]any{"input": fmt.Sprintf("ZZZZ-ZZZZ-%02d", i)}, &res); code != 200 || res.Reason != "not_found" {
			t.Fatalf("guess %d: %d %+v", i, code, res)
		}
	}
	var e struct{ Error struct{ Code string } }
	if code := f.api("", "POST", "/api/v1/verify", map[string]any{"input": c.ShortCode}, &e); code != http.StatusTooManyRequests || e.Error.Code != "rate_limited" {
		t.Fatalf("after 30 misses: %d %+v", code, e)
	}
	// The page says so too, in French.
	b := newBrowser(t, f.srv.BaseURL)
	code, body, _ := b.post("/verify", "", url.Values{"input": {c.ShortCode}})
	if code != http.StatusTooManyRequests || !strings.Contains(body, "Trop de codes courts") {
		t.Fatalf("page after 30 misses: %d", code)
	}
}
