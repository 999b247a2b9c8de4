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
		want int
	}{
		{"text file", []byte("not an image at all"), http.StatusBadRequest},
		{"too large", append(pngOf(10, 10), make([]byte, 210<<10)...), http.StatusRequestEntityTooLarge},
		{"too many pixels", pngOf(2500, 10), http.StatusBadRequest},
		{"truncated png", pngOf(200, 100)[:300], http.StatusBadRequest},
		{"no file", nil, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, _ := b.upload("/structures/bib/logo", b.csrf("/structures/bib"), "logo", tc.data); code != tc.want {
				t.Errorf("got %d, want %d", code, tc.want)
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

// TestLogoTooLarge: a logo larger than the body limit of other forms used to
// be cut before its CSRF token and answered "the form has expired". The
// administrator now sees the size limit, in their language, with a 413, and
// nothing changes; a big upload without a valid token is still refused.
func TestLogoTooLarge(t *testing.T) {
	f := startFixture(t)
	st := f.structure("bib")
	admin := f.user("admin@example.org", false, schema.Membership{StructureID: st.ID, Role: schema.RoleAdmin})
	b := newBrowser(t, f.srv.BaseURL)
	b.login(admin.Email)
	before, _ := f.sts.FindStructure(context.Background(), "bib")
	photo := append(pngOf(10, 10), make([]byte, 3<<20)...) // a phone photo: far above the 256 KB of other forms
	for _, tc := range []struct {
		lang, want string
	}{
		{"fr", "le logo dépasse la taille maximale de 200 Ko"},
		{"en", "the logo is larger than the maximum size of 200 KB"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			code, page := b.uploadLang("/structures/bib/logo", b.csrf("/structures/bib"), tc.lang, photo)
			if code != http.StatusRequestEntityTooLarge {
				t.Fatalf("got %d, want 413\n%.800s", code, page)
			}
			if !strings.Contains(strings.ToLower(page), strings.ToLower(tc.want)) {
				t.Errorf("the page does not say %q:\n%.2000s", tc.want, page)
			}
			if strings.Contains(page, "expir") {
				t.Error("the page speaks of an expired form")
			}
		})
	}
	t.Run("bad CSRF token", func(t *testing.T) {
		if code, _ := b.upload("/structures/bib/logo", "forged", "logo", photo); code != http.StatusForbidden {
			t.Errorf("big upload with a forged token: %d, want 403", code)
		}
		if code, _ := b.upload("/structures/bib/logo", "", "logo", pngOf(200, 100)); code != http.StatusForbidden {
			t.Errorf("upload without a token: %d, want 403", code)
		}
	})
	if code, _, _ := b.get("/s/bib/logo"); code != http.StatusNotFound {
		t.Errorf("a refused upload left a logo: %d", code)
	}
	if after, _ := f.sts.FindStructure(context.Background(), "bib"); after.ImageURL != before.ImageURL {
		t.Errorf("image_url changed to %q", after.ImageURL)
	}
	// A logo within the limit is still taken.
	logo := pngOf(300, 120)
	if code, page := b.upload("/structures/bib/logo", b.csrf("/structures/bib"), "logo", logo); code != http.StatusSeeOther {
		t.Fatalf("upload within the limit: %d\n%.500s", code, page)
	}
	if code, served, _ := b.get("/s/bib/logo"); code != 200 || served != string(logo) {
		t.Errorf("served logo: %d, %d bytes", code, len(served))
	}
}

// uploadLang posts a logo as upload does, asking for a language.
func (b *browser) uploadLang(path, token, lang string, data []byte) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf_token", token)
	fw, _ := mw.CreateFormFile("logo", "photo.png")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", lang)
	code, page, _ := b.do(req)
	return code, page
}
