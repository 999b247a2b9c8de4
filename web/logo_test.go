package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"carnet/schema"
)

func pngOf(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{11, 92, 173, 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// upload posts a logo through the structure page's form.
func (b *browser) upload(path, token, field string, data []byte) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf_token", token)
	fw, _ := mw.CreateFormFile(field, "logo.png")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	code, page, _ := b.do(req)
	return code, page
}

// TestLogo: an administrator uploads the structure's logo; it is served
// publicly, becomes the issuer profile's image and is drawn on the cards.
// Other files are refused and change nothing.
func TestLogo(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	admin := f.user("admin@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	tok := f.token(admin)
	b := newBrowser(t, f.srv.BaseURL)
	b.login(admin.Email)
	var l struct{ ID string }
	f.api(tok, "POST", "/api/v1/learners", map[string]any{"name": "Éloïse"}, &l)
	var before struct{ ID string }
	f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2", "levels": map[string]any{"1.1": 2}}, &before)
	pdf := func(id string) []byte {
		req, _ := http.NewRequest("GET", f.srv.BaseURL+"/api/v1/credentials/"+strings.TrimPrefix(id, "urn:uuid:")+"/card.pdf", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("card: %v %v", err, res.StatusCode)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return out
	}
	if bytes.Contains(pdf(before.ID), []byte("/Subtype /Image")) {
		t.Fatal("a card without logo has an image")
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"text file", []byte("not an image at all")},
		{"too large", append(pngOf(10, 10), make([]byte, 210<<10)...)},
		{"too many pixels", pngOf(2500, 10)},
		{"truncated png", pngOf(200, 100)[:300]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, _ := b.upload("/structures/bib/logo", b.csrf("/structures/bib"), "logo", tc.data); code != http.StatusBadRequest {
				t.Errorf("got %d, want 400", code)
			}
		})
	}
	if code, _, _ := b.get("/s/bib/logo"); code != http.StatusNotFound {
		t.Fatalf("refused files left a logo: %d", code)
	}
	if code, _ := b.upload("/structures/bib/logo", "", "logo", pngOf(200, 100)); code != http.StatusForbidden {
		t.Errorf("upload without CSRF token: %d", code)
	}
	logo := pngOf(200, 100)
	if code, page := b.upload("/structures/bib/logo", b.csrf("/structures/bib"), "logo", logo); code != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%.500s", code, page)
	}
	code, served, _ := b.get("/s/bib/logo")
	if code != 200 || served != string(logo) {
		t.Fatalf("served logo: %d, %d bytes", code, len(served))
	}
	stNow, _ := f.sts.FindStructure(context.Background(), "bib")
	if stNow.ImageURL != f.srv.BaseURL+"/s/bib/logo" {
		t.Errorf("image_url = %q", stNow.ImageURL)
	}
	if !bytes.Contains(pdf(before.ID), []byte("/Subtype /Image")) {
		t.Error("the card does not draw the logo")
	}
	var after struct{ JWT string }
	f.api(tok, "POST", "/api/v1/credentials", map[string]any{"learner_id": l.ID, "framework": "digcomp-2.2", "levels": map[string]any{"1.1": 3}}, &after)
	res := f.srv.Verifier.Verify(context.Background(), []byte(after.JWT))
	if !res.Valid || res.Credential == nil || res.Credential.Issuer.Image == nil || res.Credential.Issuer.Image.ID != stNow.ImageURL {
		t.Errorf("new credentials do not carry the logo in the issuer profile")
	}
}
