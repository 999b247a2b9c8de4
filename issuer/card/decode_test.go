package card_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"carnet/issuer"
	"carnet/issuer/card"
	"carnet/keys"
	"carnet/schema"
	"carnet/verifier"
)

// The decoders of TestDecoders, and the images they are given.
var (
	decoders = []string{"zbarimg", "gozxing", "zxing-js", "jsqr"}
	views    = []string{"120dpi", "200dpi-rot5-blur"}

	// For measurements (BENCHMARKS.md): more cards, another seed.
	decodeN    = flag.Int("decode-n", 24, "TestDecoders: the number of random cards")
	decodeSeed = flag.Uint64("decode-seed", 11, "TestDecoders: the seed of the random cards")
)

// nodeDecoders checks that Node and interop/'s pinned QR decoders (jsQR,
// @zxing/library) are installed, and returns interop/. Without them the
// test skips, except under CI=true, where it fails.
func nodeDecoders(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "interop")
	_, errNode := exec.LookPath("node")
	_, errJS := os.Stat(filepath.Join(dir, "node_modules", "jsqr", "package.json"))
	_, errZX := os.Stat(filepath.Join(dir, "node_modules", "@zxing", "library", "package.json"))
	if errNode != nil || errJS != nil || errZX != nil {
		msg := "node or interop/node_modules (jsqr, @zxing/library) not found: run `make deps` (npm ci --prefix interop) to decode the cards with jsQR and ZXing"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

// TestDecoders issues random credentials (1 to 21 DigComp competencies,
// short, long, accented, Arabic and Cyrillic names, each layout), renders
// each card's PDF with pdftoppm, and decodes its QR code with four
// decoders that share no code with Carnet: zbarimg, ZXing (the Go port
// gozxing and the TypeScript @zxing/library, both with TRY_HARDER) and
// jsQR; from a 120 dpi rendering, and from a 200 dpi rendering turned by
// 5° and lightly blurred, as a phone held a little askew sees it. Every
// decoder must read exactly the card's QR text in every view, and that
// text must verify. As a phone's scanner decodes frame after frame while
// it is aimed, a decoder that reads nothing in a view gets the next frames
// (the view a moment later: 3.5 % and 7 % closer, moved a pixel, turned
// half a degree more when askew); any other text than the card's fails.
func TestDecoders(t *testing.T) {
	tools(t, "pdftoppm", "zbarimg")
	interop := nodeDecoders(t)
	n := *decodeN
	if testing.Short() && n > 6 {
		n = 6
	}
	// A real address and slug of a mid-sized library network; the QR code
	// keeps modules of 0.6 mm up to version 15, about 1,100 characters of
	// QR text (see BENCHMARKS.md).
	base := "https://carnet.bm-lille.fr"
	now := time.Date(2026, 3, 14, 10, 30, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(*decodeSeed, 2026))
	svc := &issuer.Service{Frameworks: schema.NewFrameworks(), Keys: keys.NewMemStore(), BaseURL: base,
		Now: func() time.Time { return now }, Rand: rand.NewChaCha8([32]byte{'q', 'r', byte(*decodeSeed), byte(*decodeSeed >> 8)})}
	st := &schema.Structure{Slug: "mediatheque-jean-levy", Name: "Médiathèque Jean Lévy"}
	fw, err := svc.Frameworks.Get("digcomp-2.2")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, a := range fw.Areas {
		for _, c := range a.Competences {
			codes = append(codes, c.Code)
		}
	}
	// Names: the longest allowed, in each script, then random ones.
	long := func(w string) string {
		s := strings.Repeat(w+" ", schema.MaxNameLength)
		return strings.TrimSpace(string([]rune(s)[:schema.MaxNameLength]))
	}
	names := []string{long("Éloïse-Bérénice"), long("محمد عبد الله"), long("Шевченко-Ковальчук"), "Zoé Ñúñez"}
	cards := make([]*card.Card, n)
	for i := range cards {
		name := randomName(r)
		if i < len(names) {
			name = names[i]
		}
		a := schema.Assessment{LearnerName: name, Framework: fw.ID}
		k := 1 + r.IntN(len(codes))
		if i%6 == 0 {
			k = len(codes) // every competency: the largest card
		}
		for _, j := range r.Perm(len(codes))[:k] {
			a.Results = append(a.Results, schema.LevelResult{Competency: codes[j], Level: strconv.Itoa(1 + r.IntN(len(fw.Levels)))})
		}
		if r.IntN(3) == 0 {
			a.ValidUntil = now.AddDate(3, 0, 0)
		}
		iss, err := svc.Issue(context.Background(), st, a)
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		c, err := card.FromRecord(iss.Record, st, svc.Frameworks, nil, base, []string{"fr", "en"}[i/2%2])
		if err != nil {
			t.Fatal(err)
		}
		c.Layout = layouts[i%2]
		cards[i] = c
		if v, l, mask, cm, am, err := card.QRInfo(c.QRText); err == nil {
			t.Logf("card %02d: %s, %d competencies, %d-character QR text, version %d-%s mask %d, module %.3f mm (card) %.3f mm (A4)",
				i, c.Layout, len(c.Levels), len(c.QRText), v, l, mask, cm, am)
		}
	}
	ring, err := svc.Keys.Ring(st.Slug)
	if err != nil {
		t.Fatal(err)
	}
	profile, err := svc.Profile(st)
	if err != nil {
		t.Fatal(err)
	}
	reg := verifier.NewRegistry()
	if err := reg.Add(verifier.LocalIssuer(profile.ID, st.Name, ring)); err != nil {
		t.Fatal(err)
	}
	v := &verifier.Verifier{Trust: reg, Frameworks: svc.Frameworks, Now: func() time.Time { return now }}

	dir := t.TempDir()
	if *keep != "" {
		dir = *keep
	}
	// got[image][decoder] is the text a decoder read, "" for nothing.
	var mu sync.Mutex
	got := map[string]map[string]string{}
	record := func(img, decoder, text string) {
		mu.Lock()
		defer mu.Unlock()
		if got[img] == nil {
			got[img] = map[string]string{}
		}
		got[img][decoder] = text
	}
	// A view is what a phone aimed at the card sees; frame k of a view is
	// the same view a moment later, as between two frames of its camera:
	// the phone about 3.5 % closer each frame, moved by a pixel across and
	// down, and, askew, turned half a degree more. (Frames that differ by
	// scale alone fall on much the same pixel phases, and ZXing's misses
	// come in pockets of pixel phase: see BENCHMARKS.md.)
	imageOf := func(i int, view string, k int) string {
		return filepath.Join(dir, fmt.Sprintf("decode-%02d-%s-f%d.pgm", i, view, k))
	}
	pdfOf := func(i int) string { return filepath.Join(dir, fmt.Sprintf("decode-%02d.pdf", i)) }
	// frame renders frame k of a view of card i and decodes it with the
	// Go decoders among those named; the Node decoders come after.
	frame := func(t *testing.T, i int, view string, k int, want []string) string {
		c := cards[i]
		dpi := 120 + 4*k // about 3.5 % closer a frame
		if view != "120dpi" {
			dpi = 200 + 7*k
		}
		img := renderGray(t, pdfOf(i), dpi)
		moved := float64(k) * 25.4 / float64(dpi) // k pixels, mm
		if c.Layout == card.LayoutCard {
			img = cropMM(img, dpi, stripX-4+moved, stripY-4+moved, stripX+2*cardW+4+moved, stripY+cardH+4+moved) // the strip, as cut
		} else {
			// The lower third of the page, its full width: the QR code
			// and the text around it, what a phone aimed at the
			// attestation's code has in view.
			img = cropMM(img, dpi, moved, 2*297.0/3+moved, 210, 297)
		}
		if view != "120dpi" {
			img = blur(rotate(img, 5+0.5*float64(k)))
		}
		path := imageOf(i, view, k)
		writePGM(t, path, img)
		if slices.Contains(want, "zbarimg") {
			record(path, "zbarimg", zbar(t, path))
		}
		if slices.Contains(want, "gozxing") {
			record(path, "gozxing", gozxingDecode(img))
		}
		if slices.Contains(want, "zxing-js") {
			// The Go port of @zxing/library's finder search that chooses
			// the symbols at issuance, on the same image: it must read
			// what @zxing/library reads (checked below).
			record(path, "zxing33-go", card.ZXing33Decode(img))
		}
		return path
	}
	t.Run("render", func(t *testing.T) {
		for i, c := range cards {
			t.Run(fmt.Sprintf("%02d-%s-%d", i, c.Layout, len(c.Levels)), func(t *testing.T) {
				t.Parallel() // two at a time on two cores: -parallel defaults to GOMAXPROCS
				pdf, err := card.RenderBytes(c)
				if err != nil {
					t.Fatal(err)
				}
				if res := v.Verify(context.Background(), []byte(c.QRText)); !res.Valid {
					t.Errorf("the QR text does not verify: %s", res.Reason)
				}
				if err := os.WriteFile(pdfOf(i), pdf, 0o644); err != nil {
					t.Fatal(err)
				}
				for _, view := range views {
					frame(t, i, view, 0, decoders)
				}
			})
		}
	})
	var files []string
	for i := range cards {
		for _, view := range views {
			files = append(files, imageOf(i, view, 0))
		}
	}
	nodeDecode(t, interop, files, record)

	// A decoder that read nothing in a frame gets the next frame of the
	// same view, up to frames frames: a phone's scanner decodes frame
	// after frame while it is aimed, and the ZXing family's finder search
	// now and then misses in one frame what it reads in the next (how the
	// module grid falls on the pixels; see BENCHMARKS.md). Wrong text in
	// any frame fails at once.
	const frames = 3
	for k := 1; k < frames; k++ {
		type retry struct {
			i    int
			view string
		}
		need := map[retry][]string{}
		for i, c := range cards {
			for _, view := range views {
				for _, d := range decoders {
					if got[imageOf(i, view, k-1)][d] == "" && !readBefore(got, imageOf, i, view, d, c.QRText, k-1) {
						need[retry{i, view}] = append(need[retry{i, view}], d)
					}
				}
			}
		}
		var more []string
		for r, want := range need {
			path := frame(t, r.i, r.view, k, want)
			if slices.Contains(want, "jsqr") || slices.Contains(want, "zxing-js") {
				more = append(more, path)
			}
		}
		if len(more) > 0 {
			nodeDecode(t, interop, more, record)
		}
	}

	// The issuance check (issuer/card/zxing33.go) ports @zxing/library's
	// finder search to Go: on every image, port and original must agree.
	agree, compared := 0, 0
	for path, img := range got {
		js, ok1 := img["zxing-js"]
		port, ok2 := img["zxing33-go"]
		if !ok1 || !ok2 {
			continue
		}
		compared++
		if js == port {
			agree++
		} else {
			t.Errorf("%s: @zxing/library read %d characters, its Go port %d", filepath.Base(path), len(js), len(port))
		}
	}
	t.Logf("the Go port of @zxing/library's finder search agrees on %d of %d images", agree, compared)
	if compared == 0 {
		t.Error("no image compared between @zxing/library and its Go port")
	}

	// Success rates, by decoder and view, on the first frame and within
	// the frames, for BENCHMARKS.md; then every failure.
	first, within := map[string]int{}, map[string]int{}
	var failures []string
	for i, c := range cards {
		for _, view := range views {
			for _, d := range decoders {
				describe := func(what string) string {
					v, l, mask, cm, am, _ := card.QRInfo(c.QRText)
					m := cm
					if c.Layout == card.LayoutA4 {
						m = am
					}
					return fmt.Sprintf("card %02d (%s, %d competencies, %d-character QR text, version %d-%s mask %d, module %.3f mm): %s at %s %s",
						i, c.Layout, len(c.Levels), len(c.QRText), v, l, mask, m, d, view, what)
				}
				read := -1
				for k := range frames {
					img, ok := got[imageOf(i, view, k)]
					if !ok {
						break
					}
					text, tried := img[d]
					if !tried {
						continue
					}
					if text != "" && text != c.QRText {
						failures = append(failures, describe(fmt.Sprintf("read %d other characters in frame %d", len(text), k+1)))
						break
					}
					if text == c.QRText {
						read = k
						break
					}
				}
				switch {
				case read < 0:
					failures = append(failures, describe(fmt.Sprintf("read nothing in %d frames", frames)))
				case read == 0:
					first[d+" "+view]++
					within[d+" "+view]++
				default:
					within[d+" "+view]++
					t.Logf("%s", describe(fmt.Sprintf("read it in frame %d", read+1)))
				}
			}
		}
	}
	for _, d := range decoders {
		for _, view := range views {
			t.Logf("%-9s %-17s first frame %2d/%d, within %d frames %2d/%d", d, view, first[d+" "+view], len(cards), frames, within[d+" "+view], len(cards))
		}
	}
	for _, f := range failures {
		t.Error(f)
	}
}

// readBefore reports whether decoder d read want in one of the frames
// before frame k (included) of a view.
func readBefore(got map[string]map[string]string, imageOf func(int, string, int) string, i int, view, d, want string, k int) bool {
	for j := 0; j <= k; j++ {
		if got[imageOf(i, view, j)][d] == want {
			return true
		}
	}
	return false
}

// nodeDecode decodes images with interop/'s Node decoders (jsQR and
// @zxing/library), two processes at a time, and records what each read.
func nodeDecode(t *testing.T, interop string, files []string, record func(img, decoder, text string)) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for k := 0; k < len(files); k += 6 {
		batch := files[k:min(k+6, len(files))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			// A process that dies on a signal (Node 20 was seen to die of a
			// segmentation fault twice in some 17,000 decodes) is run again
			// once: that is the decoder's process failing, not a decoder
			// missing a code.
			var stderr bytes.Buffer
			var out []byte
			var err error
			for try := range 2 {
				cmd := exec.Command("node", append([]string{filepath.Join(interop, "qrdecode.mjs")}, batch...)...)
				stderr.Reset()
				cmd.Stderr = &stderr
				out, err = cmd.Output()
				var exit *exec.ExitError
				if err == nil || !errors.As(err, &exit) || exit.ProcessState.Exited() || try == 1 {
					break
				}
				t.Logf("node qrdecode.mjs: %v; run again", err)
			}
			if err != nil {
				t.Errorf("node qrdecode.mjs: %v\n%s", err, stderr.String())
				return
			}
			sc := bufio.NewScanner(bytes.NewReader(out))
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				var line struct {
					File  string  `json:"file"`
					JsQR  *string `json:"jsqr"`
					ZXing *string `json:"zxing"`
				}
				if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
					t.Errorf("qrdecode.mjs: %v: %s", err, sc.Bytes())
					continue
				}
				deref := func(s *string) string {
					if s == nil {
						return ""
					}
					return *s
				}
				record(line.File, "jsqr", deref(line.JsQR))
				record(line.File, "zxing-js", deref(line.ZXing))
			}
		}()
	}
	wg.Wait()
}

// renderGray renders the page of a PDF at dpi with pdftoppm, grey levels.
func renderGray(t *testing.T, pdf string, dpi int) *image.Gray {
	t.Helper()
	stem := strings.TrimSuffix(pdf, ".pdf") + "-" + strconv.Itoa(dpi)
	if out, err := exec.Command("pdftoppm", "-r", strconv.Itoa(dpi), "-gray", "-singlefile", pdf, stem).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	defer os.Remove(stem + ".pgm")
	img, err := readPGM(stem + ".pgm")
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// readPGM reads a binary 8-bit PGM (P5), as pdftoppm -gray writes it.
func readPGM(path string) (*image.Gray, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var fields []string
	i := 0
	for len(fields) < 4 {
		for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t' || b[i] == '#') {
			if b[i] == '#' {
				for i < len(b) && b[i] != '\n' {
					i++
				}
			}
			i++
		}
		j := i
		for j < len(b) && b[j] > ' ' {
			j++
		}
		fields = append(fields, string(b[i:j]))
		i = j
	}
	i++
	w, _ := strconv.Atoi(fields[1])
	h, _ := strconv.Atoi(fields[2])
	if fields[0] != "P5" || fields[3] != "255" || len(b)-i < w*h {
		return nil, fmt.Errorf("%s: not an 8-bit binary PGM", path)
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	copy(img.Pix, b[i:i+w*h])
	return img, nil
}

func writePGM(t *testing.T, path string, img *image.Gray) {
	t.Helper()
	w, h := img.Rect.Dx(), img.Rect.Dy()
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "P5\n%d %d\n255\n", w, h)
	for y := range h {
		buf.Write(img.Pix[y*img.Stride : y*img.Stride+w])
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// cropMM returns the part of img (rendered at dpi) between two corners in
// mm from the page's top left, as a new image.
func cropMM(img *image.Gray, dpi int, x0, y0, x1, y1 float64) *image.Gray {
	px := func(mm float64) int { return int(math.Round(mm / 25.4 * float64(dpi))) }
	r := image.Rect(px(x0), px(y0), px(x1), px(y1)).Intersect(img.Rect)
	out := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for y := range r.Dy() {
		copy(out.Pix[y*out.Stride:], img.Pix[(r.Min.Y+y)*img.Stride+r.Min.X:(r.Min.Y+y)*img.Stride+r.Max.X])
	}
	return out
}

// rotate turns img by deg degrees about its centre, bilinear, on a white
// canvas large enough to hold it.
func rotate(img *image.Gray, deg float64) *image.Gray {
	w, h := float64(img.Rect.Dx()), float64(img.Rect.Dy())
	s, c := math.Sincos(deg * math.Pi / 180)
	W := int(math.Ceil(w*math.Abs(c) + h*math.Abs(s)))
	H := int(math.Ceil(w*math.Abs(s) + h*math.Abs(c)))
	out := image.NewGray(image.Rect(0, 0, W, H))
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= int(w) || y >= int(h) {
			return 255
		}
		return float64(img.Pix[y*img.Stride+x])
	}
	for Y := range H {
		for X := range W {
			dx, dy := float64(X)-float64(W)/2, float64(Y)-float64(H)/2
			sx, sy := c*dx+s*dy+w/2, -s*dx+c*dy+h/2
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			v := (at(x0, y0)*(1-fx)+at(x0+1, y0)*fx)*(1-fy) + (at(x0, y0+1)*(1-fx)+at(x0+1, y0+1)*fx)*fy
			out.Pix[Y*out.Stride+X] = uint8(math.Round(v))
		}
	}
	return out
}

// blur is a light blur: the 3 × 3 binomial kernel (1 2 1)ᵀ(1 2 1)/16, a
// Gaussian of σ ≈ 0.85 pixel, 0.1 mm at 200 dpi.
func blur(img *image.Gray) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	tmp := make([]int, w*h)
	px := func(x, y int) int {
		x, y = min(max(x, 0), w-1), min(max(y, 0), h-1)
		return int(img.Pix[y*img.Stride+x])
	}
	for y := range h {
		for x := range w {
			tmp[y*w+x] = px(x-1, y) + 2*px(x, y) + px(x+1, y)
		}
	}
	out := image.NewGray(img.Rect)
	for y := range h {
		for x := range w {
			a, b, c := tmp[max(y-1, 0)*w+x], tmp[y*w+x], tmp[min(y+1, h-1)*w+x]
			out.Pix[y*out.Stride+x] = uint8((a + 2*b + c + 8) / 16)
		}
	}
	return out
}

// zbar decodes the QR codes of an image with zbarimg; "" for none.
func zbar(t *testing.T, path string) string {
	out, err := exec.Command("zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", path).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 4 { // no symbol found
			return ""
		}
		t.Errorf("zbarimg %s: %v", path, err)
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

// gozxingDecode decodes img with gozxing, ZXing's Go port, TRY_HARDER;
// "" for nothing.
func gozxingDecode(img *image.Gray) string {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return ""
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return ""
	}
	return res.GetText()
}
