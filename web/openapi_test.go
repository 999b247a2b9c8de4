package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"carnet/app"
	"carnet/keys"
	"carnet/outbound"
	"carnet/places"
	"carnet/report"
	"carnet/schema"
	"carnet/sqlite"
	"carnet/verifier"

	"github.com/gin-gonic/gin"
)

// The tests below keep web/openapi.json true: every API route is
// documented and every documented operation is a route; every operation is
// called for real against a server on SQLite and real keys, and each answer
// is checked against the schema the document gives for its status; every
// documented status is seen at least once (500 aside); the enums and the
// wire types' members agree with the Go code.

// oaEnv is a real Carnet server for the OpenAPI tests, with three users:
// a network administrator, a mediator and a user in no structure.
type oaEnv struct {
	t        *testing.T
	srv      *Server
	h        http.Handler
	doc      *oaDoc
	main     *schema.Structure
	admin    string // bearer tokens
	mediator string
	outsider string
	seen     map[string]map[int]bool // operation -> statuses seen
}

// oaLogWriter sends the server's log to the test log.
type oaLogWriter struct{ t *testing.T }

func (w oaLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// newOpenAPIEnv wires a server as `carnet serve` does (cmd/carnet/data.go,
// instance.server and trustLocal), on a temporary data dir.
func newOpenAPIEnv(t *testing.T) *oaEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(filepath.Join(dir, "carnet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ks, err := keys.NewFileStore(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	const base = "http://localhost:8080"
	fws := schema.NewFrameworks()
	structures, credentials := sqlite.NewStructureStore(db), sqlite.NewCredentialStore(db)
	users := sqlite.NewUserStore(db)
	main := &schema.Structure{Slug: "main", Name: "Médiathèque des Capucins"}
	if err := structures.CreateStructure(ctx, main); err != nil {
		t.Fatal(err)
	}
	if _, err := ks.Create(main.Slug); err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(ctx, Config{
		BaseURL: base, Structures: structures, Users: users, Learners: sqlite.NewLearnerStore(db),
		Credentials: credentials, Audit: sqlite.NewAuditStore(db), Trust: sqlite.NewTrustStore(db), Imports: sqlite.NewImportStore(db), Keys: ks, Frameworks: fws,
		Places: sqlite.NewPlaceStore(db),
		Tx:     db, StatusStore: db, Secret: secret, Outbound: outbound.ForBaseURL(base), Log: slog.New(slog.NewTextHandler(oaLogWriter{t}, nil)),
		Batches: sqlite.NewBatchStore(db),
		Reports: sqlite.NewReportStore(db),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.WaitBatches) // before the database closes

	e := &oaEnv{t: t, srv: srv, h: srv.Handler(), doc: oaLoad(t, openAPIDoc), main: main, seen: map[string]map[int]bool{}}
	token := func(email string, networkAdmin bool, ms ...schema.Membership) string {
		u := &schema.User{Email: email, Name: strings.Split(email, "@")[0], NetworkAdmin: networkAdmin, Memberships: ms}
		if err := users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if u, err = users.FindUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		secret, _, err := CreateAPIToken(ctx, users, u, "openapi test", nil)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	e.admin = token("admin@example.org", true, schema.Membership{StructureID: main.ID, Role: schema.RoleAdmin})
	e.mediator = token("mediatrice@example.org", false, schema.Membership{StructureID: main.ID, Role: schema.RoleMediator})
	e.outsider = token("dehors@example.org", false)
	return e
}

// oaResp is an answer of the API, checked against the document.
type oaResp struct {
	Status int
	Body   []byte
	JSON   map[string]any // the body when it is a JSON object
}

func (r *oaResp) str(key string) string {
	s, _ := r.JSON[key].(string)
	return s
}

// call sends a request to the real handler and checks the answer against
// the document. body is nil (no body), a string (sent as is) or a value
// (sent as JSON).
func (e *oaEnv) call(token, method, path string, body any) *oaResp {
	e.t.Helper()
	var rd io.Reader
	var sent []byte
	switch b := body.(type) {
	case nil:
	case string:
		sent = []byte(b)
	default:
		var err error
		if sent, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	if body != nil {
		rd = bytes.NewReader(sent)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Accept-Language", "en")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	res := &oaResp{Status: rec.Code, Body: rec.Body.Bytes()}
	if m, ok := oaJSONObject(res.Body); ok {
		res.JSON = m
	}
	e.check(method, path, sent, rec.Header().Get("Content-Type"), res)
	return res
}

func oaJSONObject(b []byte) (map[string]any, bool) {
	v, err := oaDecode(b)
	if err != nil {
		return nil, false
	}
	m, ok := v.(map[string]any)
	return m, ok
}

// check checks an answer against the document: the status is documented
// for the operation, the media type too, and the body validates against the
// schema of that status (closed: no undocumented member). Errors must also
// carry the code that maps to their status.
func (e *oaEnv) check(method, path string, sent []byte, contentType string, res *oaResp) {
	e.t.Helper()
	where := fmt.Sprintf("%s %s → %d", method, path, res.Status)
	if res.Status >= 500 {
		e.t.Errorf("%s: server error: %s", where, res.Body)
	}
	op, ok := e.doc.match(method, path)
	if !ok {
		e.t.Errorf("%s: no documented operation", where)
		return
	}
	if e.seen[op.key()] == nil {
		e.seen[op.key()] = map[int]bool{}
	}
	e.seen[op.key()][res.Status] = true
	doc, ok := e.doc.response(op, res.Status)
	if !ok {
		e.t.Errorf("%s: status %d is not documented for %s: %s", where, res.Status, op.key(), res.Body)
		return
	}
	v := &oaValidator{doc: e.doc, closed: true}
	content, _ := doc["content"].(map[string]any)
	if len(content) == 0 {
		if len(res.Body) != 0 {
			e.t.Errorf("%s: documented without content, got %q", where, res.Body)
		}
		return
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		e.t.Errorf("%s: Content-Type %q: %v", where, contentType, err)
		return
	}
	media, ok := content[mt].(map[string]any)
	if !ok {
		e.t.Errorf("%s: Content-Type %s is not documented", where, mt)
		return
	}
	sch, hasSchema := media["schema"]
	if !hasSchema {
		// A binary document (the PDF card): described by its media type.
		if len(res.Body) == 0 {
			e.t.Errorf("%s: empty %s body", where, mt)
		}
		return
	}
	var value any = string(res.Body)
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		if value, err = oaDecode(res.Body); err != nil {
			e.t.Errorf("%s: body is not JSON: %v: %q", where, err, res.Body)
			return
		}
	}
	for _, msg := range v.validate(sch, value, "body") {
		e.t.Errorf("%s: %s", where, msg)
	}
	if res.Status >= 400 {
		code := ""
		if er, ok := res.JSON["error"].(map[string]any); ok {
			code, _ = er["code"].(string)
		}
		if statusOf(code) != res.Status {
			e.t.Errorf("%s: error code %q maps to %d", where, code, statusOf(code))
		}
	}
	// A request the server accepted must also fit the documented request
	// schema: the document must not forbid what works.
	if res.Status < 300 && sent != nil {
		if rs, ok := e.doc.requestSchema(op); ok {
			reqValue, err := oaDecode(sent)
			if err != nil {
				e.t.Errorf("%s: accepted a body that is not JSON", where)
				return
			}
			for _, msg := range (&oaValidator{doc: e.doc}).validate(rs, reqValue, "request") {
				e.t.Errorf("%s: accepted request breaks the document: %s", where, msg)
			}
		}
	}
}

// want fails unless the answer has the status.
func (e *oaEnv) want(res *oaResp, status int) *oaResp {
	e.t.Helper()
	if res.Status != status {
		e.t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	return res
}

// wantError fails unless the answer is an error with the code.
func (e *oaEnv) wantError(res *oaResp, code string) {
	e.t.Helper()
	er, _ := res.JSON["error"].(map[string]any)
	if got, _ := er["code"].(string); got != code {
		e.t.Errorf("error code %q, want %q: %s", got, code, res.Body)
	}
}

// TestOpenAPIRoutes checks that the document and the router name the same
// operations, both ways.
func TestOpenAPIRoutes(t *testing.T) {
	e := newOpenAPIEnv(t)
	param := regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)
	routes := map[string]bool{}
	for _, r := range e.h.(*gin.Engine).Routes() {
		if r.Path == "/api/v1" || strings.HasPrefix(r.Path, "/api/v1/") {
			routes[r.Method+" "+param.ReplaceAllString(r.Path, "{$1}")] = true
		}
	}
	documented := map[string]bool{}
	for _, op := range e.doc.operations() {
		documented[op.key()] = true
	}
	for k := range routes {
		if !documented[k] {
			t.Errorf("route %s is not in openapi.json", k)
		}
	}
	for k := range documented {
		if !routes[k] {
			t.Errorf("openapi.json documents %s, which is no route", k)
		}
	}
	if len(routes) == 0 {
		t.Fatal("no /api/v1 route found")
	}
}

// TestOpenAPIDocument checks the document's own shape: info, servers,
// security, operation ids, parameters, responses and schemas.
func TestOpenAPIDocument(t *testing.T) {
	d := oaLoad(t, openAPIDoc)
	if v, _ := d.root["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	info, _ := d.root["info"].(map[string]any)
	if info["title"] != "Carnet API" || info["version"] != "1" {
		t.Errorf("info: title %v, version %v", info["title"], info["version"])
	}
	desc, _ := info["description"].(string)
	for _, s := range []string{"Authorization: Bearer carnet_…", "carnet token create", "Mon compte", "My account", "Authentication", "Authentification"} {
		if !strings.Contains(desc, s) {
			t.Errorf("info.description does not mention %q", s)
		}
	}
	if servers, _ := d.root["servers"].([]any); len(servers) != 1 || servers[0].(map[string]any)["url"] != "/" {
		t.Errorf("servers = %v, want one relative \"/\"", d.root["servers"])
	}
	bearer, err := d.resolve("#/components/securitySchemes/bearer")
	if b, _ := bearer.(map[string]any); err != nil || b["type"] != "http" || b["scheme"] != "bearer" {
		t.Errorf("securitySchemes.bearer = %v (%v)", bearer, err)
	}
	if sec, _ := d.root["security"].([]any); len(sec) != 1 || !oaEqual(sec[0], map[string]any{"bearer": []any{}}) {
		t.Errorf("security = %v, want [{bearer: []}]", d.root["security"])
	}
	tags := map[string]bool{}
	for _, x := range d.root["tags"].([]any) {
		tags[x.(map[string]any)["name"].(string)] = true
	}

	v := &oaValidator{doc: d}
	components, _ := d.root["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	for _, name := range []string{"Learner", "Credential", "Structure", "Token", "AuditEvent", "VerifyResult", "Error"} {
		if _, ok := schemas[name]; !ok {
			t.Errorf("components.schemas.%s is missing", name)
		}
	}
	for name, s := range schemas {
		for _, msg := range v.lintSchema(s, "components.schemas."+name) {
			t.Error(msg)
		}
	}

	ids := map[string]string{}
	pathParam := regexp.MustCompile(`\{([^}]+)\}`)
	for _, op := range d.operations() {
		k := op.key()
		id, _ := op.Op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", k)
		} else if other, dup := ids[id]; dup {
			t.Errorf("%s: operationId %s already used by %s", k, id, other)
		}
		ids[id] = k
		if s, _ := op.Op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", k)
		}
		for _, tag := range op.Op["tags"].([]any) {
			if !tags[tag.(string)] {
				t.Errorf("%s: tag %v is not declared", k, tag)
			}
		}
		// Path parameters: declared exactly for the template's names.
		declared := map[string]bool{}
		for _, list := range []any{op.Item["parameters"], op.Op["parameters"]} {
			ps, _ := list.([]any)
			for _, p := range ps {
				pm, err := d.deref(p)
				if err != nil {
					t.Errorf("%s: parameter: %v", k, err)
					continue
				}
				for _, msg := range v.lintSchema(pm["schema"], k+" parameter "+fmt.Sprint(pm["name"])) {
					t.Error(msg)
				}
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
					if pm["required"] != true {
						t.Errorf("%s: path parameter %v is not required", k, pm["name"])
					}
				}
			}
		}
		inPath := map[string]bool{}
		for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
			inPath[m[1]] = true
			if !declared[m[1]] {
				t.Errorf("%s: path parameter {%s} is not declared", k, m[1])
			}
		}
		for name := range declared {
			if !inPath[name] {
				t.Errorf("%s: parameter %s is not in the path", k, name)
			}
		}
		if rs, ok := d.requestSchema(op); ok {
			for _, msg := range v.lintSchema(rs, k+" requestBody") {
				t.Error(msg)
			}
		} else if _, has := op.Op["requestBody"]; has {
			t.Errorf("%s: requestBody without an application/json schema", k)
		}
		// Responses: each has a description and valid schemas; errors use
		// the Error schema; the status classes each operation can give.
		rs, _ := op.Op["responses"].(map[string]any)
		if len(rs) == 0 {
			t.Errorf("%s: no responses", k)
		}
		for code, r := range rs {
			rm, err := d.deref(r)
			if err != nil {
				t.Errorf("%s %s: %v", k, code, err)
				continue
			}
			if s, _ := rm["description"].(string); s == "" {
				t.Errorf("%s %s: no description", k, code)
			}
			content, _ := rm["content"].(map[string]any)
			for mt, m := range content {
				s, ok := m.(map[string]any)["schema"]
				if !ok {
					if mt == "application/json" || code >= "400" {
						t.Errorf("%s %s %s: no schema", k, code, mt)
					}
					continue
				}
				for _, msg := range v.lintSchema(s, k+" "+code+" "+mt) {
					t.Error(msg)
				}
				if code >= "400" && !oaEqual(s, map[string]any{"$ref": "#/components/schemas/Error"}) {
					t.Errorf("%s %s: an error answer must use the Error schema", k, code)
				}
			}
		}
		_, has400 := rs["400"]
		_, has401 := rs["401"]
		_, hasBody := op.Op["requestBody"]
		if hasBody && !has400 {
			t.Errorf("%s: a request body can be wrong, but 400 is not documented", k)
		}
		if op.public() == has401 {
			t.Errorf("%s: public %v but 401 documented %v", k, op.public(), has401)
		}
		if sec, ok := op.Op["security"]; ok && !op.public() {
			t.Errorf("%s: security %v: only public operations override it, with []", k, sec)
		}
	}
	// Numbers the descriptions give, kept equal to the code's.
	for ptr, want := range map[string]string{
		"#/components/responses/TooManyRequests/description":                  fmt.Sprintf("%d per %d minutes", maxShortCodeMisses, app.ThrottleWindow/time.Minute),
		"#/paths/~1api~1v1~1structures~1{slug}~1invitations/post/description": fmt.Sprintf("valid %d days", InviteLifetime/(24*time.Hour)),
		"#/components/schemas/VerifyRequest/properties/input/description":     fmt.Sprintf("At most %d MiB", verifier.MaxInput>>20),
	} {
		if got, err := d.resolve(ptr); err != nil || !strings.Contains(fmt.Sprint(got), want) {
			t.Errorf("%s does not say %q: %v %v", ptr, want, got, err)
		}
	}
	public := []string{}
	for _, op := range d.operations() {
		if op.public() {
			public = append(public, op.key())
		}
	}
	if want := []string{"GET /api/v1/openapi.json", "POST /api/v1/verify"}; !reflect.DeepEqual(public, want) {
		t.Errorf("public operations %v, want %v", public, want)
	}
}

// oaConsts returns the string constants of the Go files of a package dir
// whose names match re (test files left out).
func oaConsts(t *testing.T, dir string, re *regexp.Regexp) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if !re.MatchString(n.Name) || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						out[n.Name] = s
					}
				}
			}
		}
	}
	return out
}

func oaEnum(t *testing.T, d *oaDoc, pointer string) []string {
	t.Helper()
	v, err := d.resolve(pointer)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range v.(map[string]any)["enum"].([]any) {
		out = append(out, x.(string))
	}
	sort.Strings(out)
	return out
}

func oaValues(m map[string]string, extra ...string) []string {
	out := extra
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// TestOpenAPIEnums checks the document's enums against the constants of
// the code, read from its source: error codes, verification reasons and
// statuses, credential statuses.
func TestOpenAPIEnums(t *testing.T) {
	d := oaLoad(t, openAPIDoc)
	codes := oaValues(oaConsts(t, "../schema", regexp.MustCompile(`^E[A-Z]+$`)), ERATELIMITED)
	if got := oaEnum(t, d, "#/components/schemas/Error/properties/error/properties/code"); !reflect.DeepEqual(got, codes) {
		t.Errorf("Error.code enum %v, code has %v", got, codes)
	}
	desc, _ := d.resolve("#/components/schemas/Error/properties/error/properties/code/description")
	for _, c := range codes {
		if s := fmt.Sprintf("%s %d", c, statusOf(c)); !strings.Contains(desc.(string), s) {
			t.Errorf("Error.code description does not say %q", s)
		}
	}
	reasons := oaValues(oaConsts(t, "../verifier", regexp.MustCompile(`^Reason[A-Z][A-Za-z]*$`)))
	if got := oaEnum(t, d, "#/components/schemas/VerifyResult/properties/reason"); !reflect.DeepEqual(got, reasons) {
		t.Errorf("VerifyResult.reason enum %v, verifier has %v", got, reasons)
	}
	for _, r := range reasons {
		if en, _ := verifier.ReasonText(r); en == r {
			t.Errorf("reason %s has no text", r)
		}
	}
	word := regexp.MustCompile(`^Status[A-Z][a-z]+$`)
	vstatus := oaConsts(t, "../verifier", word)
	for k, v := range vstatus {
		if !regexp.MustCompile(`^[a-z_]+$`).MatchString(v) {
			delete(vstatus, k)
		}
	}
	if got, want := oaEnum(t, d, "#/components/schemas/VerifyResult/properties/status"), oaValues(vstatus); !reflect.DeepEqual(got, want) {
		t.Errorf("VerifyResult.status enum %v, verifier has %v", got, want)
	}
	sstatus := oaConsts(t, "../schema", word)
	for k, v := range sstatus {
		if !regexp.MustCompile(`^[a-z_]+$`).MatchString(v) {
			delete(sstatus, k)
		}
	}
	if got, want := oaEnum(t, d, "#/components/schemas/Credential/properties/status"), oaValues(sstatus); !reflect.DeepEqual(got, want) {
		t.Errorf("Credential.status enum %v, schema has %v", got, want)
	}
}

// TestOpenAPIWireTypes checks that each documented object has exactly the
// JSON members of the Go type it describes, required when the Go field has
// no omitempty.
func TestOpenAPIWireTypes(t *testing.T) {
	d := oaLoad(t, openAPIDoc)
	for _, tc := range []struct {
		schema   string
		v        any
		required bool // compare "required" too (answers; request schemas say what the handler needs)
	}{
		{"Learner", learnerJSON{}, true},
		{"Credential", credentialJSON{}, true},
		{"Structure", structureJSON{}, true},
		{"Token", tokenJSON{}, true},
		{"AuditEvent", auditJSON{}, true},
		{"TrustSource", trustJSON{}, true},
		{"TrustIssuer", trustIssuerJSON{}, true},
		{"TrustCreate", app.TrustInput{}, false},
		{"VerifyResult", verifier.Result{}, true},
		{"IssuerInfo", verifier.IssuerInfo{}, true},
		{"LevelInfo", verifier.LevelInfo{}, true},
		{"Framework", schema.Framework{}, true},
		{"LearnerCreate", app.LearnerInput{}, false},
		{"LearnerUpdate", learnerPatch{}, false},
		{"CredentialCreate", app.AssessmentInput{}, false},
		{"StructureCreate", app.StructureInput{}, false},
		{"StructureUpdate", structurePatch{}, false},
		{"VerifyRequest", verifyRequest{}, false},
		{"ImportCreate", importRequest{}, false},
		{"Import", importJSON{}, true},
		{"Path", pathJSON{}, true},
		{"PathEntry", pathEntryJSON{}, true},
		{"CurrentLevel", currentLevelJSON{}, true},
		{"NextStep", nextStepJSON{}, true},
		{"Resource", resourceJSON{}, true},
		{"KeyRotation", keyRotationJSON{}, true},
		{"SigningKey", keyJSON{}, true},
		{"Offer", places.Offer{}, true},
		{"OpenDataOffer", places.PublishedOffer{}, true},
		{"OfferCreate", offerInput{}, false},
		{"Orientation", orientationJSON{}, true},
		{"Lieu", places.Record{}, false},
		{"PlacesImportReport", places.Report{}, true},
		{"ImportProblem", places.Problem{}, false},
		{"BatchRow", batchRowJSON{}, true},
		{"BatchCreate", batchJSON{}, false},
		{"BatchRowCreate", app.BatchRowInput{}, false},
		{"Report", report.Report{}, true},
		{"ReportCompetence", report.Competence{}, true},
		{"ReportPartner", report.PartnerShare{}, true},
		{"ReportWorkshopShare", report.WorkshopShare{}, true},
		{"ReportMonth", report.Month{}, true},
		{"ReportDay", report.DayCount{}, true},
		{"ReportResource", report.ResourceCount{}, true},
	} {
		t.Run(tc.schema, func(t *testing.T) {
			s, err := d.resolve("#/components/schemas/" + tc.schema)
			if err != nil {
				t.Fatal(err)
			}
			props, _ := s.(map[string]any)["properties"].(map[string]any)
			var documented, required []string
			for k := range props {
				documented = append(documented, k)
			}
			req, _ := s.(map[string]any)["required"].([]any)
			for _, r := range req {
				required = append(required, r.(string))
			}
			members, always := oaJSONMembers(reflect.TypeOf(tc.v))
			sort.Strings(documented)
			sort.Strings(required)
			if !reflect.DeepEqual(documented, members) {
				t.Errorf("documented members %v, Go type has %v", documented, members)
			}
			if tc.required && !reflect.DeepEqual(required, always) {
				t.Errorf("documented as required %v, always present in Go %v", required, always)
			}
		})
	}
}

// oaJSONMembers returns the JSON member names of a struct type and those
// without omitempty.
func oaJSONMembers(t reflect.Type) (all, always []string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct { // embedded: its members are the struct's
			a, al := oaJSONMembers(f.Type)
			all, always = append(all, a...), append(always, al...)
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		all = append(all, name)
		if !strings.Contains(opts, "omitempty") {
			always = append(always, name)
		}
	}
	sort.Strings(all)
	sort.Strings(always)
	return all, always
}

// TestOpenAPIServed checks that GET /api/v1/openapi.json serves the
// embedded document, the same as the file, without a token.
func TestOpenAPIServed(t *testing.T) {
	e := newOpenAPIEnv(t)
	res := e.want(e.call("", "GET", "/api/v1/openapi.json", nil), http.StatusOK)
	if !bytes.Equal(res.Body, openAPIDoc) {
		t.Error("the served document differs from the embedded one")
	}
	file, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, openAPIDoc) {
		t.Error("the embedded document differs from web/openapi.json")
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q (%v), want 3.x", doc.OpenAPI, err)
	}
}

// TestOpenAPIExercise calls every documented operation for real and checks
// every answer against the document; at the end, every documented status
// (500 aside) must have been seen.
func TestOpenAPIExercise(t *testing.T) {
	e := newOpenAPIEnv(t)
	admin, mediator, outsider := e.admin, e.mediator, e.outsider
	future := time.Now().AddDate(1, 0, 0).Format("2006-01-02")

	// Every authenticated operation refuses a request without a token or
	// with a malformed or unknown one; public ones do not ask for one.
	t.Run("tokens", func(t *testing.T) {
		e.t = t
		for _, op := range e.doc.operations() {
			path := regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(op.Path, "1")
			var body any
			if _, ok := op.Op["requestBody"]; ok {
				body = map[string]any{}
			}
			res := e.call("", op.Method, path, body)
			if op.public() {
				if res.Status == http.StatusUnauthorized {
					t.Errorf("%s is documented public but asks for a token", op.key())
				}
				continue
			}
			e.wantError(e.want(res, http.StatusUnauthorized), schema.EUNAUTHORIZED)
			e.wantError(e.want(e.call("nope", op.Method, path, body), http.StatusUnauthorized), schema.EUNAUTHORIZED)
			e.wantError(e.want(e.call("carnet_unknown", op.Method, path, body), http.StatusUnauthorized), schema.EUNAUTHORIZED)
		}
	})

	e.t = t
	e.want(e.call(admin, "GET", "/api/v1/openapi.json", nil), http.StatusOK)
	me := e.want(e.call(admin, "GET", "/api/v1/me", nil), http.StatusOK)
	if me.JSON["network_admin"] != true || len(me.JSON["memberships"].([]any)) != 1 {
		t.Errorf("me: %s", me.Body)
	}

	// Frameworks.
	fws := e.want(e.call(mediator, "GET", "/api/v1/frameworks", nil), http.StatusOK)
	if len(fws.JSON["frameworks"].([]any)) == 0 {
		t.Error("no framework listed")
	}
	e.want(e.call(mediator, "GET", "/api/v1/frameworks/digcomp-2.2", nil), http.StatusOK)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/frameworks/nope", nil), http.StatusNotFound), schema.ENOTFOUND)

	// Structures and invitations.
	e.want(e.call(mediator, "GET", "/api/v1/structures", nil), http.StatusOK)
	annexe := map[string]any{"slug": "annexe", "name": "Annexe du Port", "url": "https://annexe.example.org",
		"email": "annexe@example.org", "image_url": "https://annexe.example.org/logo.png"}
	e.want(e.call(admin, "POST", "/api/v1/structures", annexe), http.StatusCreated)
	e.wantError(e.want(e.call(admin, "POST", "/api/v1/structures", annexe), http.StatusConflict), schema.ECONFLICT)
	e.wantError(e.want(e.call(admin, "POST", "/api/v1/structures", map[string]any{"slug": "Bad Slug", "name": "x"}), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/structures", map[string]any{"slug": "other", "name": "x"}), http.StatusForbidden), schema.EFORBIDDEN)
	e.want(e.call(admin, "GET", "/api/v1/structures", nil), http.StatusOK)
	e.want(e.call(mediator, "GET", "/api/v1/structures/main", nil), http.StatusOK)
	e.want(e.call(admin, "GET", "/api/v1/structures/annexe", nil), http.StatusOK)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/structures/annexe", nil), http.StatusNotFound), schema.ENOTFOUND)
	e.wantError(e.want(e.call(admin, "GET", "/api/v1/structures/nope", nil), http.StatusNotFound), schema.ENOTFOUND)
	update := map[string]any{"name": "Annexe du Port (quai)", "email": "contact@example.org", "image_url": ""}
	up := e.want(e.call(admin, "PATCH", "/api/v1/structures/annexe", update), http.StatusOK)
	if up.str("name") != "Annexe du Port (quai)" || up.str("slug") != "annexe" || up.str("url") != "https://annexe.example.org" {
		t.Errorf("patch structure (url left out must stay): %s", up.Body)
	}
	e.wantError(e.want(e.call(admin, "PATCH", "/api/v1/structures/annexe", map[string]any{"url": "ftp://x"}), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(mediator, "PATCH", "/api/v1/structures/main", map[string]any{"name": "x"}), http.StatusForbidden), schema.EFORBIDDEN)
	e.wantError(e.want(e.call(admin, "PATCH", "/api/v1/structures/nope", map[string]any{"name": "x"}), http.StatusNotFound), schema.ENOTFOUND)
	e.want(e.call(admin, "POST", "/api/v1/structures/main/invitations", map[string]any{"email": "nouvelle@example.org", "role": "mediator"}), http.StatusCreated)
	e.want(e.call(admin, "POST", "/api/v1/structures/annexe/invitations", map[string]any{"email": "chef@example.org"}), http.StatusCreated)
	e.wantError(e.want(e.call(admin, "POST", "/api/v1/structures/main/invitations", map[string]any{"email": "not an address"}), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(admin, "POST", "/api/v1/structures/main/invitations", map[string]any{"email": "a@example.org", "role": "king"}), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/structures/main/invitations", map[string]any{"email": "a@example.org"}), http.StatusForbidden), schema.EFORBIDDEN)
	e.wantError(e.want(e.call(admin, "POST", "/api/v1/structures/nope/invitations", map[string]any{"email": "a@example.org"}), http.StatusNotFound), schema.ENOTFOUND)
	rot := e.want(e.call(admin, "POST", "/api/v1/structures/annexe/keys/rotate", nil), http.StatusOK)
	if kid, _ := rot.JSON["signing_key"].(map[string]any)["kid"].(string); !strings.HasPrefix(kid, e.srv.DID("annexe")+"#") {
		t.Errorf("rotate: kid %q is not a key of annexe", kid)
	}
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/structures/main/keys/rotate", nil), http.StatusForbidden), schema.EFORBIDDEN)
	e.wantError(e.want(e.call(admin, "POST", "/api/v1/structures/nope/keys/rotate", nil), http.StatusNotFound), schema.ENOTFOUND)

	// Places: the structure's place on the national standard, offers, orientation.
	place := map[string]any{"pivot": "21510454700019", "adresse": "2 rue des Fuseliers", "code_postal": "51100", "commune": "Reims",
		"latitude": 49.2535, "longitude": 4.0336, "horaires": "Tu-Sa 10:00-18:00", "services": []string{"Maîtrise des outils numériques du quotidien"},
		"courriels": "contact@example.org|ateliers@example.org", "modalites_accompagnement": []string{"Dans un atelier collectif"}}
	e.want(e.call(admin, "PATCH", "/api/v1/structures/main", place), http.StatusOK)
	e.wantError(e.want(e.call(admin, "PATCH", "/api/v1/structures/main", map[string]any{"horaires": "le matin"}), http.StatusBadRequest), schema.EINVALID)
	offer := map[string]any{"title": "Atelier courriel", "kind": "atelier", "framework": "digcomp-2.2", "competencies": []string{"2.1"},
		"from": "2", "to": "3", "schedule": "mardi 14 h", "price": "Gratuit", "languages": []string{"fr", "ar"}}
	of := e.want(e.call(admin, "POST", "/api/v1/structures/main/offers", offer), http.StatusCreated)
	e.wantError(e.want(e.call(admin, "POST", "/api/v1/structures/main/offers", map[string]any{"title": "x", "kind": "atelier", "framework": "digcomp-2.2",
		"competencies": []string{"2.1"}, "from": "3", "to": "2", "price": "Gratuit"}), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/structures/main/offers", offer), http.StatusForbidden), schema.EFORBIDDEN)
	e.wantError(e.want(e.call(admin, "POST", "/api/v1/structures/nope/offers", offer), http.StatusNotFound), schema.ENOTFOUND)
	if l := e.want(e.call(mediator, "GET", "/api/v1/structures/main/offers", nil), http.StatusOK); len(l.JSON["offers"].([]any)) != 1 {
		t.Errorf("offers: %s", l.Body)
	}
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/structures/nope/offers", nil), http.StatusNotFound), schema.ENOTFOUND)
	// A partner Carnet's place and offer, as a fetch stores them: in the
	// orientation, with the partner's name.
	sharedSrc := app.PartnerSource("https://partenaire.example.org")
	if _, _, err := e.srv.Places.ReplaceSource(context.Background(), strings.NewReader(`[{"id":"h-1","pivot":"21510454700019","nom":"Lieu partenaire",
		"commune":"Reims","code_postal":"51100","adresse":"1 rue X","latitude":49.26,"longitude":4.04,"date_maj":"2026-01-01",
		"services":"Maîtrise des outils numériques du quotidien"}]`), sharedSrc); err != nil {
		t.Fatal(err)
	}
	po := places.PublishedOffer{ID: "p-1", PlaceID: "h-1", Title: "Atelier du partenaire", Kind: "atelier", Framework: "digcomp-2.2",
		Competencies: []string{"2.1"}, From: "3", To: "3", Price: "Gratuit"}
	so, err := po.Shared(e.srv.Frameworks, sharedSrc)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.srv.Places.ReplaceSharedOffers(context.Background(), sharedSrc, []*places.SharedOffer{so}); err != nil {
		t.Fatal(err)
	}
	or := e.want(e.call(mediator, "GET", "/api/v1/orientation?framework=digcomp-2.2&competency=2.1&level=3", nil), http.StatusOK)
	if offers := or.JSON["offers"].([]any); len(offers) != 2 || len(or.JSON["places"].([]any)) != 2 ||
		offers[1].(map[string]any)["partner"] != "https://partenaire.example.org" {
		t.Errorf("orientation: %s", or.Body)
	}
	e.want(e.call(mediator, "GET", "/api/v1/orientation?framework=digcomp-2.2&competency=2.1&level=3&postcode=51100", nil), http.StatusOK)
	e.want(e.call(mediator, "GET", "/api/v1/orientation?framework=cefr-fr&competency=CO&level=B1&lat=48.85&lon=2.35", nil), http.StatusOK)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/orientation?framework=digcomp-2.2&competency=2.1&level=3&lat=91&lon=0", nil), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/orientation?framework=nope&competency=2.1&level=3", nil), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(mediator, "DELETE", "/api/v1/structures/main/offers/"+of.str("id"), nil), http.StatusForbidden), schema.EFORBIDDEN)
	e.wantError(e.want(e.call(admin, "DELETE", "/api/v1/structures/main/offers/o-nope", nil), http.StatusNotFound), schema.ENOTFOUND)
	e.want(e.call(admin, "DELETE", "/api/v1/structures/main/offers/"+of.str("id"), nil), http.StatusNoContent)
	national := []map[string]any{{"id": "cn-1", "pivot": "21510454700019", "nom": "Espace numérique", "commune": "Reims", "code_postal": "51100",
		"adresse": "5 place d'Erlon", "date_maj": "2026-11-01", "latitude": 49.2557, "longitude": 4.0295, "services": "Maîtrise des outils numériques du quotidien"},
		{"id": "cn-2", "pivot": "123", "nom": "Sans pivot", "commune": "Reims", "code_postal": "51100", "adresse": "1 rue X", "date_maj": "2026-11-01"}}
	ir := e.want(e.call(admin, "POST", "/api/v1/places/import?source=cartographie", national), http.StatusOK)
	if fmt.Sprintf("%v %v", ir.JSON["imported"], ir.JSON["rejected"]) != "1 1" {
		t.Errorf("places import: %s", ir.Body)
	}
	e.wantError(e.want(e.call(admin, "POST", "/api/v1/places/import", map[string]any{}), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/places/import", national), http.StatusForbidden), schema.EFORBIDDEN)

	// Learners.
	awa := e.want(e.call(mediator, "POST", "/api/v1/learners", map[string]any{"structure": "main", "name": "Awa Diallo",
		"contact": "06 12 34 56 78", "notes": "Atelier du mardi", "consent": true}), http.StatusCreated)
	awaID := awa.str("id")
	if awa.JSON["consent_at"] == nil {
		t.Errorf("consent not recorded: %s", awa.Body)
	}
	bob := e.want(e.call(admin, "POST", "/api/v1/learners", map[string]any{"name": "Bob Martin"}), http.StatusCreated).str("id")
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/learners", map[string]any{"name": "  "}), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/learners", map[string]any{"structure": "annexe", "name": "Chen"}), http.StatusNotFound), schema.ENOTFOUND)
	e.wantError(e.want(e.call(outsider, "POST", "/api/v1/learners", map[string]any{"name": "Chen"}), http.StatusForbidden), schema.EFORBIDDEN)
	list := e.want(e.call(mediator, "GET", "/api/v1/learners?q=awa&limit=10", nil), http.StatusOK)
	if n := len(list.JSON["learners"].([]any)); n != 1 {
		t.Errorf("search awa: %d learners: %s", n, list.Body)
	}
	e.want(e.call(outsider, "GET", "/api/v1/learners", nil), http.StatusOK)
	e.want(e.call(mediator, "GET", "/api/v1/learners/"+awaID, nil), http.StatusOK)
	e.want(e.call(mediator, "GET", "/api/v1/learners/urn:uuid:"+awaID, nil), http.StatusOK)
	e.wantError(e.want(e.call(outsider, "GET", "/api/v1/learners/"+awaID, nil), http.StatusNotFound), schema.ENOTFOUND)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/learners/00000000-0000-4000-8000-000000000000", nil), http.StatusNotFound), schema.ENOTFOUND)
	e.want(e.call(mediator, "PATCH", "/api/v1/learners/"+awaID, map[string]any{"name": "Awa Diallo",
		"contact": "awa@example.org", "notes": "Atelier du mardi et du jeudi", "consent": true}), http.StatusOK)
	if p := e.want(e.call(mediator, "PATCH", "/api/v1/learners/"+awaID, map[string]any{"notes": "Mardi"}), http.StatusOK); p.str("contact") != "awa@example.org" || p.JSON["consent_at"] == nil {
		t.Errorf("partial learner update lost members: %s", p.Body)
	}
	e.wantError(e.want(e.call(mediator, "PATCH", "/api/v1/learners/"+awaID, map[string]any{"name": strings.Repeat("a", 121)}), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(mediator, "PATCH", "/api/v1/learners/nope", map[string]any{"name": "x"}), http.StatusNotFound), schema.ENOTFOUND)
	// The learner's private link (issue 16): made, made again, revoked.
	if cl := e.want(e.call(mediator, "POST", "/api/v1/learners/"+awaID+"/carnet-link", nil), http.StatusCreated); !strings.Contains(cl.str("url"), "/carnet/") {
		t.Errorf("carnet link: %s", cl.Body)
	}
	e.wantError(e.want(e.call(outsider, "POST", "/api/v1/learners/"+awaID+"/carnet-link", nil), http.StatusNotFound), schema.ENOTFOUND)
	e.want(e.call(mediator, "DELETE", "/api/v1/learners/"+awaID+"/carnet-link", nil), http.StatusNoContent)
	e.wantError(e.want(e.call(mediator, "DELETE", "/api/v1/learners/"+awaID+"/carnet-link", nil), http.StatusNotFound), schema.ENOTFOUND)

	// Credentials: issue, read, verify.
	issue := func(learner string, levels map[string]any) *oaResp {
		t.Helper()
		return e.want(e.call(mediator, "POST", "/api/v1/credentials", map[string]any{"learner_id": learner,
			"framework": "digcomp-2.2", "levels": levels, "evidence": "A trouvé et comparé trois offres d'emploi en ligne.",
			"evidence_url": "https://example.org/preuve", "method": "Mise en situation", "valid_until": future, "lang": "en"}), http.StatusCreated)
	}
	c1 := issue(awaID, map[string]any{"1.1": 3})
	c1ID := c1.str("id")
	for _, k := range []string{"jwt", "qr_text", "card_token", "short_code", "card_url"} {
		if c1.str(k) == "" {
			t.Errorf("issued credential has no %s: %s", k, c1.Body)
		}
	}
	// The QR text carries the card token, packed (schema.QRNumeric).
	if _, num, _ := strings.Cut(c1.str("qr_text"), "#"); !strings.HasPrefix(num, "1") {
		t.Errorf("qr_text %.50q… is not in the packed numeric form", c1.str("qr_text"))
	} else if jws, ok := schema.QRDecodeNumeric(num); !ok || jws != c1.str("card_token") {
		t.Errorf("qr_text does not carry card_token")
	}
	if lv, _ := c1.JSON["levels"].(map[string]any); lv["1.1"] != "3" {
		t.Errorf("levels: %v", c1.JSON["levels"])
	}
	c2ID := issue(awaID, map[string]any{"1.1": "2", "4.2": 1, "2.1": ""}).str("id")
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/credentials", map[string]any{"learner_id": awaID, "framework": "digcomp-2.2", "levels": map[string]any{}}), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/credentials", map[string]any{"learner_id": awaID, "framework": "digcomp-2.2", "levels": map[string]any{"9.9": 1}}), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/credentials", map[string]any{"learner_id": "nope", "framework": "digcomp-2.2", "levels": map[string]any{"1.1": 1}}), http.StatusNotFound), schema.ENOTFOUND)
	e.want(e.call(mediator, "GET", "/api/v1/credentials", nil), http.StatusOK)
	byLearner := e.want(e.call(mediator, "GET", "/api/v1/credentials?learner_id="+awaID+"&limit=1", nil), http.StatusOK)
	if n := len(byLearner.JSON["credentials"].([]any)); n != 1 {
		t.Errorf("limit=1: %d credentials", n)
	}
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/credentials?learner_id=nope", nil), http.StatusNotFound), schema.ENOTFOUND)
	got := e.want(e.call(mediator, "GET", "/api/v1/credentials/"+c1ID, nil), http.StatusOK)
	if got.str("jwt") != c1.str("jwt") {
		t.Error("GET credential: jwt differs from the issued one")
	}
	e.want(e.call(mediator, "GET", "/api/v1/credentials/"+strings.TrimPrefix(c1ID, "urn:uuid:"), nil), http.StatusOK)
	e.wantError(e.want(e.call(outsider, "GET", "/api/v1/credentials/"+c1ID, nil), http.StatusNotFound), schema.ENOTFOUND)
	jwt := e.want(e.call(mediator, "GET", "/api/v1/credentials/"+c1ID+"/jwt", nil), http.StatusOK)
	if string(jwt.Body) != c1.str("jwt") {
		t.Error("GET credential jwt: differs from the issued one")
	}
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/credentials/nope/jwt", nil), http.StatusNotFound), schema.ENOTFOUND)
	di := e.want(e.call(mediator, "GET", "/api/v1/credentials/"+c1ID+"/vc.json", nil), http.StatusOK)
	if p, _ := di.JSON["proof"].(map[string]any); p["cryptosuite"] != "eddsa-rdfc-2022" || di.JSON["id"] != c1ID {
		t.Errorf("GET credential vc.json: %.300s", di.Body)
	}
	e.wantError(e.want(e.call(outsider, "GET", "/api/v1/credentials/"+c1ID+"/vc.json", nil), http.StatusNotFound), schema.ENOTFOUND)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/credentials/"+c1ID+"/card.pdf?layout=poster", nil), http.StatusBadRequest), schema.EINVALID)
	for _, q := range []string{"", "?lang=en", "?layout=a4", "?layout=card&lang=fr"} {
		pdf := e.want(e.call(mediator, "GET", "/api/v1/credentials/"+c1ID+"/card.pdf"+q, nil), http.StatusOK)
		if !bytes.HasPrefix(pdf.Body, []byte("%PDF-")) {
			t.Errorf("card.pdf%s is not a PDF: %.40q", q, pdf.Body)
		}
	}
	if u := c1.str("card_url"); !strings.HasSuffix(u, "/api/v1/credentials/"+strings.TrimPrefix(c1ID, "urn:uuid:")+"/card.pdf") {
		t.Errorf("card_url %q", u)
	}
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/credentials/nope/card.pdf", nil), http.StatusNotFound), schema.ENOTFOUND)

	verify := func(input string, valid bool, reason string) *oaResp {
		t.Helper()
		res := e.want(e.call("", "POST", "/api/v1/verify", map[string]any{"input": input}), http.StatusOK)
		if res.JSON["valid"] != valid || res.str("reason") != reason {
			t.Errorf("verify %.40q: valid %v reason %q, want %v %q: %s", input, res.JSON["valid"], res.str("reason"), valid, reason, res.Body)
		}
		return res
	}
	v := verify(c1.str("jwt"), true, "")
	if v.str("status") != verifier.StatusActive {
		t.Errorf("verify: status %q", v.str("status"))
	}
	verify(c1.str("qr_text"), true, "")
	verify(c1.str("short_code"), true, "")
	verify(string(c1.Body), true, "")
	verify("not a credential at all", false, verifier.ReasonMalformed)
	verify("ZZZZ-ZZZZ-ZZ", false, verifier.ReasonNotFound)
	e.want(e.call(admin, "POST", "/api/v1/verify", map[string]any{"input": c1.str("jwt"), "unknown_member": 1}), http.StatusOK)
	big := e.want(e.call("", "POST", "/api/v1/verify", `{"input": "`+strings.Repeat("A", verifier.MaxInput+8192)+`"}`), http.StatusOK)
	if big.str("reason") != verifier.ReasonTooLarge {
		t.Errorf("oversized verify: %.200s", big.Body)
	}
	e.wantError(e.want(e.call("", "POST", "/api/v1/verify", map[string]any{"input": "  "}), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call("", "POST", "/api/v1/verify", `{"input":`), http.StatusBadRequest), schema.EINVALID)

	// Attached credentials and the learner's path: awa's credential
	// attached to another learner of the structure.
	chen := e.want(e.call(mediator, "POST", "/api/v1/learners", map[string]any{"name": "Chen Li"}), http.StatusCreated).str("id")
	imp := e.want(e.call(mediator, "POST", "/api/v1/learners/"+chen+"/imports", map[string]any{"input": c1.str("jwt")}), http.StatusCreated)
	if imp.str("credential_id") != c1ID || imp.str("status") != schema.StatusActive || imp.str("learner_name") != "Awa Diallo" {
		t.Errorf("attach: %s", imp.Body)
	}
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/learners/"+chen+"/imports", map[string]any{"input": c1.str("qr_text")}), http.StatusConflict), schema.ECONFLICT)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/learners/"+awaID+"/imports", map[string]any{"input": c1.str("jwt")}), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/learners/"+chen+"/imports", map[string]any{"input": "not a credential"}), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(outsider, "POST", "/api/v1/learners/"+chen+"/imports", map[string]any{"input": c1.str("jwt")}), http.StatusNotFound), schema.ENOTFOUND)
	path := e.want(e.call(mediator, "GET", "/api/v1/learners/"+chen+"/path", nil), http.StatusOK)
	if entries, _ := path.JSON["entries"].([]any); len(entries) != 1 || entries[0].(map[string]any)["source"] != "attached" {
		t.Errorf("path of chen: %s", path.Body)
	}
	if cur, _ := path.JSON["current"].(map[string]any); len(cur["digcomp-2.2"].([]any)) != 1 {
		t.Errorf("current levels of chen: %s", path.Body)
	}
	e.want(e.call(mediator, "GET", "/api/v1/learners/"+awaID+"/path", nil), http.StatusOK)
	e.wantError(e.want(e.call(outsider, "GET", "/api/v1/learners/"+chen+"/path", nil), http.StatusNotFound), schema.ENOTFOUND)

	// The learner's record (CLR 2.0): both of awa's credentials; none for
	// chen, whose only credential is attached, not issued to them.
	env := e.want(e.call(mediator, "GET", "/api/v1/learners/"+awaID+"/clr.json", nil), http.StatusOK)
	clrJWS, _ := strings.CutPrefix(env.str("id"), "data:application/vc+jwt,")
	if n := oaCLRCount(t, clrJWS); n != 2 {
		t.Errorf("clr.json holds %d credentials, want 2", n)
	}
	if n := oaCLRCount(t, string(e.want(e.call(mediator, "GET", "/api/v1/learners/"+awaID+"/clr.jwt?lang=en", nil), http.StatusOK).Body)); n != 2 {
		t.Errorf("clr.jwt holds %d credentials, want 2", n)
	}
	e.wantError(e.want(e.call(outsider, "GET", "/api/v1/learners/"+awaID+"/clr.json", nil), http.StatusNotFound), schema.ENOTFOUND)
	e.wantError(e.want(e.call(outsider, "GET", "/api/v1/learners/"+awaID+"/clr.jwt", nil), http.StatusNotFound), schema.ENOTFOUND)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/learners/"+chen+"/clr.json", nil), http.StatusConflict), schema.ECONFLICT)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/learners/"+chen+"/clr.jwt", nil), http.StatusConflict), schema.ECONFLICT)

	// Suspend, unsuspend, revoke.
	s := e.want(e.call(mediator, "POST", "/api/v1/credentials/"+c2ID+"/suspend", map[string]any{"reason": "Vérification en cours"}), http.StatusOK)
	if s.str("status") != schema.StatusSuspended {
		t.Errorf("suspend: %s", s.Body)
	}
	verify(oaCredentialJWT(t, e, c2ID), false, verifier.ReasonSuspended)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/credentials/"+c2ID+"/suspend", map[string]any{"reason": "encore"}), http.StatusConflict), schema.ECONFLICT)
	e.want(e.call(mediator, "POST", "/api/v1/credentials/"+c2ID+"/unsuspend", nil), http.StatusOK)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/credentials/"+c2ID+"/unsuspend", map[string]any{"reason": ""}), http.StatusConflict), schema.ECONFLICT)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/credentials/"+c2ID+"/suspend", nil), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/credentials/"+c2ID+"/revoke", map[string]any{"reason": strings.Repeat("x", 501)}), http.StatusBadRequest), schema.EINVALID)
	r := e.want(e.call(mediator, "POST", "/api/v1/credentials/"+c1ID+"/revoke", map[string]any{"reason": "Erreur de saisie"}), http.StatusOK)
	if r.str("status") != schema.StatusRevoked || r.str("revoke_reason") != "Erreur de saisie" {
		t.Errorf("revoke: %s", r.Body)
	}
	// A wallet offer (OpenID4VCI): for a valid credential, not a revoked
	// one, nor another structure's.
	if o := e.want(e.call(mediator, "POST", "/api/v1/credentials/"+c2ID+"/wallet-offer", nil), http.StatusCreated); !strings.HasPrefix(o.str("offer_uri"), "openid-credential-offer://?credential_offer=") {
		t.Errorf("wallet offer: %s", o.Body)
	}
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/credentials/"+c1ID+"/wallet-offer", nil), http.StatusConflict), schema.ECONFLICT)
	e.wantError(e.want(e.call(outsider, "POST", "/api/v1/credentials/"+c2ID+"/wallet-offer", nil), http.StatusNotFound), schema.ENOTFOUND)
	// A revoked credential leaves the record.
	if n := oaCLRCount(t, string(e.want(e.call(mediator, "GET", "/api/v1/learners/"+awaID+"/clr.jwt", nil), http.StatusOK).Body)); n != 1 {
		t.Errorf("clr after a revocation holds %d credentials, want 1", n)
	}
	verify(c1.str("jwt"), false, verifier.ReasonRevoked)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/credentials/"+c1ID+"/revoke", map[string]any{"reason": "encore"}), http.StatusConflict), schema.ECONFLICT)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/credentials/"+c1ID+"/card.pdf", nil), http.StatusConflict), schema.ECONFLICT) // never printed once revoked
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/credentials/"+c1ID+"/unsuspend", nil), http.StatusConflict), schema.ECONFLICT)
	for _, action := range []string{"revoke", "suspend", "unsuspend"} {
		e.wantError(e.want(e.call(mediator, "POST", "/api/v1/credentials/nope/"+action, map[string]any{"reason": "x"}), http.StatusNotFound), schema.ENOTFOUND)
	}
	e.want(e.call(mediator, "GET", "/api/v1/credentials/"+c1ID, nil), http.StatusOK)

	// Erasure.
	c3ID := issue(bob, map[string]any{"1.1": 1}).str("id")
	erased := e.want(e.call(mediator, "DELETE", "/api/v1/learners/"+bob, nil), http.StatusOK)
	if erased.JSON["erased"] != true || erased.str("name") != "" {
		t.Errorf("erase: %s", erased.Body)
	}
	e.wantError(e.want(e.call(mediator, "DELETE", "/api/v1/learners/"+bob, nil), http.StatusConflict), schema.ECONFLICT)
	e.wantError(e.want(e.call(mediator, "DELETE", "/api/v1/learners/nope", nil), http.StatusNotFound), schema.ENOTFOUND)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/learners/"+bob+"/carnet-link", nil), http.StatusConflict), schema.ECONFLICT)
	e.wantError(e.want(e.call(mediator, "PATCH", "/api/v1/learners/"+bob, map[string]any{"name": "Bob"}), http.StatusConflict), schema.ECONFLICT)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/credentials", map[string]any{"learner_id": bob, "framework": "digcomp-2.2", "levels": map[string]any{"1.1": 1}}), http.StatusConflict), schema.ECONFLICT)
	e.want(e.call(mediator, "GET", "/api/v1/learners/"+bob, nil), http.StatusOK)
	c3 := e.want(e.call(mediator, "GET", "/api/v1/credentials/"+c3ID, nil), http.StatusOK)
	if c3.JSON["erased"] != true || c3.str("jwt") != "" {
		t.Errorf("credential of an erased learner: %s", c3.Body)
	}
	e.want(e.call(mediator, "GET", "/api/v1/credentials?learner_id="+bob, nil), http.StatusOK)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/credentials/"+c3ID+"/jwt", nil), http.StatusNotFound), schema.ENOTFOUND)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/credentials/"+c3ID+"/vc.json", nil), http.StatusNotFound), schema.ENOTFOUND)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/credentials/"+c3ID+"/card.pdf", nil), http.StatusNotFound), schema.ENOTFOUND)
	if c3.str("card_url") != "" || c3.str("card_page") != "" {
		t.Errorf("erased credential still links a card: %s", c3.Body)
	}
	e.want(e.call(mediator, "POST", "/api/v1/credentials/"+c3ID+"/suspend", map[string]any{"reason": "Effacement"}), http.StatusOK)

	// API tokens.
	e.want(e.call(mediator, "GET", "/api/v1/tokens", nil), http.StatusOK)
	nt := e.want(e.call(mediator, "POST", "/api/v1/tokens", map[string]any{"name": "Intégration SIGB"}), http.StatusCreated)
	secret := nt.str("token")
	if !strings.HasPrefix(secret, "carnet_") {
		t.Errorf("new token: %s", nt.Body)
	}
	e.want(e.call(mediator, "POST", "/api/v1/tokens", map[string]any{}), http.StatusCreated)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/tokens", map[string]any{"name": strings.Repeat("n", 101)}), http.StatusBadRequest), schema.EINVALID)
	e.want(e.call(secret, "GET", "/api/v1/me", nil), http.StatusOK)
	e.want(e.call(mediator, "GET", "/api/v1/tokens", nil), http.StatusOK)
	id := nt.JSON["id"].(json.Number).String()
	e.wantError(e.want(e.call(admin, "DELETE", "/api/v1/tokens/"+id, nil), http.StatusNotFound), schema.ENOTFOUND)
	e.want(e.call(mediator, "DELETE", "/api/v1/tokens/"+id, nil), http.StatusNoContent)
	e.wantError(e.want(e.call(mediator, "DELETE", "/api/v1/tokens/"+id, nil), http.StatusNotFound), schema.ENOTFOUND)
	e.wantError(e.want(e.call(mediator, "DELETE", "/api/v1/tokens/nope", nil), http.StatusNotFound), schema.ENOTFOUND)
	e.wantError(e.want(e.call(secret, "GET", "/api/v1/me", nil), http.StatusUnauthorized), schema.EUNAUTHORIZED)

	// Trusted partners: a JWKS served on loopback.
	pks, err := keys.NewFileStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pring, err := pks.Create("partner")
	if err != nil {
		t.Fatal(err)
	}
	// The JWKS names an issuer of its own host, as a partner's must.
	partner := httptest.NewUnstartedServer(nil)
	pdid, err := keys.DIDWeb("http://"+partner.Listener.Addr().String(), "partner")
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(pring.JWKS(pdid))
	partner.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(jwks)
	})
	partner.Start()
	defer partner.Close()
	e.want(e.call(admin, "GET", "/api/v1/trust", nil), http.StatusOK)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/trust", nil), http.StatusForbidden), schema.EFORBIDDEN)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/trust", map[string]any{"url": partner.URL}), http.StatusForbidden), schema.EFORBIDDEN)
	e.wantError(e.want(e.call(admin, "POST", "/api/v1/trust", map[string]any{"url": "/etc/passwd"}), http.StatusBadRequest), schema.EINVALID)
	partnerSrc := e.want(e.call(admin, "POST", "/api/v1/trust", map[string]any{"url": partner.URL, "name": "Réseau partenaire"}), http.StatusCreated)
	e.wantError(e.want(e.call(admin, "POST", "/api/v1/trust", map[string]any{"url": partner.URL}), http.StatusConflict), schema.ECONFLICT)
	trID := partnerSrc.JSON["id"].(json.Number).String()
	e.want(e.call(admin, "POST", "/api/v1/trust/"+trID+"/refresh", nil), http.StatusOK)
	e.wantError(e.want(e.call(mediator, "POST", "/api/v1/trust/"+trID+"/refresh", nil), http.StatusForbidden), schema.EFORBIDDEN)
	e.wantError(e.want(e.call(admin, "POST", "/api/v1/trust/999/refresh", nil), http.StatusNotFound), schema.ENOTFOUND)
	e.wantError(e.want(e.call(mediator, "DELETE", "/api/v1/trust/"+trID, nil), http.StatusForbidden), schema.EFORBIDDEN)
	e.want(e.call(admin, "DELETE", "/api/v1/trust/"+trID, nil), http.StatusNoContent)
	e.wantError(e.want(e.call(admin, "DELETE", "/api/v1/trust/"+trID, nil), http.StatusNotFound), schema.ENOTFOUND)

	oaExerciseBatches(t, e) // openapi_batches_test.go

	// Audit log.
	audit := e.want(e.call(admin, "GET", "/api/v1/audit?limit=500", nil), http.StatusOK)
	if len(audit.JSON["events"].([]any)) < 10 {
		t.Errorf("audit: %s", audit.Body)
	}
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/audit", nil), http.StatusForbidden), schema.EFORBIDDEN)

	// The bilan: JSON, CSV, PDF; mediators see none.
	year := time.Now().UTC().Format("2006")
	bilan := e.want(e.call(admin, "GET", "/api/v1/reports?from="+year+"-01-01&to="+year+"-12-31", nil), http.StatusOK)
	if bilan.JSON["people"] == nil || bilan.JSON["competences"] == nil {
		t.Errorf("bilan: %s", bilan.Body)
	}
	e.want(e.call(admin, "GET", "/api/v1/reports?structure=main&framework=digcomp-2.2&format=csv&sep=%3B", nil), http.StatusOK)
	e.want(e.call(admin, "GET", "/api/v1/reports?format=pdf&lang=en", nil), http.StatusOK)
	e.wantError(e.want(e.call(admin, "GET", "/api/v1/reports?from=2026-13-01&to=2026-12-31", nil), http.StatusBadRequest), schema.EINVALID)
	e.wantError(e.want(e.call(admin, "GET", "/api/v1/reports?structure=nope", nil), http.StatusNotFound), schema.ENOTFOUND)
	e.wantError(e.want(e.call(mediator, "GET", "/api/v1/reports", nil), http.StatusForbidden), schema.EFORBIDDEN)

	// Request bodies: the ones documented as closed refuse an unknown
	// member, and every operation with a body refuses one that is not JSON.
	t.Run("bodies", func(t *testing.T) {
		e.t = t
		ids := map[string]string{"/api/v1/learners/{id}": awaID, "/api/v1/credentials/{id}/revoke": c2ID,
			"/api/v1/credentials/{id}/suspend": c2ID, "/api/v1/credentials/{id}/unsuspend": c2ID, "/api/v1/learners/{id}/imports": awaID}
		for _, op := range e.doc.operations() {
			rs, ok := e.doc.requestSchema(op)
			if !ok {
				continue
			}
			path := strings.ReplaceAll(op.Path, "{slug}", "main")
			path = strings.ReplaceAll(path, "{id}", ids[op.Path])
			e.wantError(e.want(e.call(admin, op.Method, path, `{"name":`), http.StatusBadRequest), schema.EINVALID)
			e.wantError(e.want(e.call(admin, op.Method, path, `[]`), http.StatusBadRequest), schema.EINVALID)
			closed := false
			if m, err := e.doc.deref(rs); err == nil {
				closed = m["additionalProperties"] == false
			}
			res := e.call(admin, op.Method, path, map[string]any{"zz_not_documented": true})
			if closed {
				e.wantError(e.want(res, http.StatusBadRequest), schema.EINVALID)
				if !strings.Contains(string(res.Body), "zz_not_documented") {
					t.Errorf("%s: the error does not name the unknown member: %s", op.key(), res.Body)
				}
			} else if strings.Contains(string(res.Body), "zz_not_documented") {
				t.Errorf("%s: documented open, but refuses an unknown member: %s", op.key(), res.Body)
			}
		}
	})
	e.t = t

	// Typed short codes that match nothing are limited per client address;
	// this runs last, as it locks the test's address out of short codes.
	for i := 0; ; i++ {
		res := e.call("", "POST", "/api/v1/verify", map[string]any{"input": fmt.Sprintf("ZZZZ-ZZZZ-%02d", i)})
		if res.Status == http.StatusTooManyRequests {
			e.wantError(res, ERATELIMITED)
			break
		}
		if e.want(res, http.StatusOK); i > 100 {
			t.Fatal("no limit on unknown short codes")
		}
	}
	e.wantError(e.want(e.call("", "POST", "/api/v1/verify", map[string]any{"input": c1.str("short_code")}), http.StatusTooManyRequests), ERATELIMITED)
	verify(c1.str("jwt"), false, verifier.ReasonRevoked)

	// Every documented status was seen, and every operation was called.
	for _, op := range e.doc.operations() {
		rs, _ := op.Op["responses"].(map[string]any)
		for code := range rs {
			status, _ := strconv.Atoi(code)
			if status == http.StatusInternalServerError {
				continue
			}
			if !e.seen[op.key()][status] {
				t.Errorf("%s: documented status %s was never seen in this test", op.key(), code)
			}
		}
	}
}

// oaCredentialJWT returns the JWS of a credential, read back through the API.
func oaCredentialJWT(t *testing.T, e *oaEnv, id string) string {
	t.Helper()
	return string(e.want(e.call(e.admin, "GET", "/api/v1/credentials/"+id+"/jwt", nil), http.StatusOK).Body)
}

// oaCLRCount reads the credentials a CLR JWS holds (its signature is
// checked in issuer/clr and by the interop test).
func oaCLRCount(t *testing.T, jws string) int {
	t.Helper()
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		t.Fatalf("CLR is not a compact JWS: %.60q", jws)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Type              []string `json:"type"`
		CredentialSubject struct {
			VerifiableCredential []json.RawMessage `json:"verifiableCredential"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(b, &c); err != nil || !slices.Contains(c.Type, "ClrCredential") {
		t.Fatalf("CLR payload %v: %.200s", err, b)
	}
	return len(c.CredentialSubject.VerifiableCredential)
}
