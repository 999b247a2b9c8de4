// Package ttf cuts TrueType fonts down to the characters a document uses.
//
// fpdf parses the whole of every font it is given, again for each PDF, and
// the work grows with the font's character map. The card's fonts are cut
// twice: once ahead of time to the scripts Carnet prints (go generate, see
// ../fontsubset), and once per card to the characters of that card, so
// fpdf reads a font of a hundred glyphs instead of thousands.
//
// A subset keeps .notdef, the glyphs of the characters asked for and the
// glyphs their composite glyphs use, renumbered in character order, and the
// tables fpdf reads: cmap (one Windows Unicode BMP subtable, format 4),
// glyf, loca, hmtx, head, hhea, maxp, OS/2, post (version 3, without glyph
// names), name and gasp. It leaves out the OpenType layout tables (GSUB,
// GPOS, GDEF, kern…), which fpdf does not use, and the TrueType hinting
// (fpgm, prep, cvt and each glyph's instructions), which printers and PDF
// viewers do without at these sizes.
package ttf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
)

var be = binary.BigEndian

// Font is a parsed TrueType font.
type Font struct {
	tables   map[string][]byte
	cmap     map[rune]uint16 // BMP characters and their glyphs
	loca     []uint32        // glyph offsets into glyf, numGlyphs+1
	nMetrics int             // hhea.numberOfHMetrics
}

// Parse reads a TrueType font. The font keeps references into data.
func Parse(data []byte) (*Font, error) {
	if len(data) < 12 || be.Uint32(data) != 0x00010000 {
		return nil, errors.New("ttf: not a TrueType font")
	}
	n := int(be.Uint16(data[4:]))
	if len(data) < 12+16*n {
		return nil, errors.New("ttf: truncated table directory")
	}
	f := &Font{tables: map[string][]byte{}}
	for i := range n {
		rec := data[12+16*i:]
		off, length := be.Uint32(rec[8:]), be.Uint32(rec[12:])
		if uint64(off)+uint64(length) > uint64(len(data)) {
			return nil, fmt.Errorf("ttf: table %q out of bounds", rec[:4])
		}
		f.tables[string(rec[:4])] = data[off : off+length]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "name", "post", "OS/2"} {
		if f.tables[t] == nil {
			return nil, fmt.Errorf("ttf: no %q table", t)
		}
	}
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return nil, errors.New("ttf: short head, hhea or maxp table")
	}
	numGlyphs := int(be.Uint16(maxp[4:]))
	f.nMetrics = int(be.Uint16(hhea[34:]))
	if f.nMetrics < 1 || f.nMetrics > numGlyphs || len(f.tables["hmtx"]) < 4*f.nMetrics+2*(numGlyphs-f.nMetrics) {
		return nil, errors.New("ttf: bad horizontal metrics")
	}
	loca, glyf := f.tables["loca"], f.tables["glyf"]
	f.loca = make([]uint32, numGlyphs+1)
	long := be.Uint16(head[50:]) != 0
	if long && len(loca) < 4*(numGlyphs+1) || !long && len(loca) < 2*(numGlyphs+1) {
		return nil, errors.New("ttf: short loca table")
	}
	for g := range f.loca {
		if long {
			f.loca[g] = be.Uint32(loca[4*g:])
		} else {
			f.loca[g] = 2 * uint32(be.Uint16(loca[2*g:]))
		}
		if f.loca[g] > uint32(len(glyf)) || g > 0 && f.loca[g] < f.loca[g-1] {
			return nil, errors.New("ttf: bad loca table")
		}
	}
	var err error
	if f.cmap, err = parseCmap(f.tables["cmap"], numGlyphs); err != nil {
		return nil, err
	}
	return f, nil
}

// parseCmap reads the format 4 Unicode BMP subtable, as fpdf does.
func parseCmap(t []byte, numGlyphs int) (map[rune]uint16, error) {
	bad := errors.New("ttf: no valid format 4 Unicode cmap")
	u16 := func(off int) (int, bool) {
		if off < 0 || off+2 > len(t) {
			return 0, false
		}
		return int(be.Uint16(t[off:])), true
	}
	n, ok := u16(2)
	if !ok {
		return nil, bad
	}
	for i := range n {
		rec := 4 + 8*i
		platform, ok1 := u16(rec)
		encoding, ok2 := u16(rec + 2)
		if rec+8 > len(t) || !ok1 || !ok2 {
			return nil, bad
		}
		sub := int(be.Uint32(t[rec+4:]))
		if format, ok := u16(sub); !ok || format != 4 || !(platform == 3 && encoding == 1 || platform == 0) {
			continue
		}
		segX2, ok := u16(sub + 6)
		if !ok {
			return nil, bad
		}
		ends, starts, deltas, ranges := sub+14, sub+16+segX2, sub+16+2*segX2, sub+16+3*segX2
		m := map[rune]uint16{}
		for s := 0; s < segX2; s += 2 {
			end, ok1 := u16(ends + s)
			start, ok2 := u16(starts + s)
			delta, ok3 := u16(deltas + s)
			ro, ok4 := u16(ranges + s)
			if !(ok1 && ok2 && ok3 && ok4) {
				return nil, bad
			}
			for c := start; c <= end && c < 0xFFFF; c++ {
				g := c
				if ro != 0 {
					if g, ok = u16(ranges + s + ro + 2*(c-start)); !ok {
						return nil, bad
					}
					if g == 0 {
						continue
					}
				}
				if g = (g + delta) & 0xFFFF; g != 0 && g < numGlyphs {
					m[rune(c)] = uint16(g)
				}
			}
		}
		return m, nil
	}
	return nil, bad
}

// Has reports whether the font has a glyph for r.
func (f *Font) Has(r rune) bool {
	_, ok := f.cmap[r]
	return ok
}

// Runes returns the characters the font has a glyph for, in order.
func (f *Font) Runes() []rune {
	rs := make([]rune, 0, len(f.cmap))
	for r := range f.cmap {
		rs = append(rs, r)
	}
	slices.Sort(rs)
	return rs
}

func (f *Font) glyph(g int) []byte { return f.tables["glyf"][f.loca[g]:f.loca[g+1]] }

// Composite glyph flags.
const (
	argWords      = 0x0001
	haveScale     = 0x0008
	moreComps     = 0x0020
	haveXYScale   = 0x0040
	haveTwoByTwo  = 0x0080
	haveInstructs = 0x0100
)

// components calls fn with the offset of each component's glyph index in
// the composite glyph d, and returns the end of the last component, or -1
// when d is malformed.
func components(d []byte, fn func(off int)) int {
	off := 10
	for {
		if off+4 > len(d) {
			return -1
		}
		flags := be.Uint16(d[off:])
		fn(off + 2)
		off += 4
		if flags&argWords != 0 {
			off += 4
		} else {
			off += 2
		}
		switch {
		case flags&haveScale != 0:
			off += 2
		case flags&haveXYScale != 0:
			off += 4
		case flags&haveTwoByTwo != 0:
			off += 8
		}
		if flags&moreComps == 0 {
			if off > len(d) {
				return -1
			}
			return off
		}
	}
}

// appendGlyph appends glyph data without its hinting instructions, with
// component glyph ids renumbered by remap.
func appendGlyph(out, d []byte, remap map[int]int) ([]byte, error) {
	if len(d) == 0 {
		return out, nil
	}
	if len(d) < 10 {
		return nil, errors.New("ttf: short glyph")
	}
	contours := int16(be.Uint16(d))
	if contours >= 0 {
		endPts := 10 + 2*int(contours)
		if endPts+2 > len(d) {
			return nil, errors.New("ttf: short glyph")
		}
		rest := endPts + 2 + int(be.Uint16(d[endPts:]))
		if rest > len(d) {
			return nil, errors.New("ttf: short glyph")
		}
		out = append(out, d[:endPts]...)
		out = append(out, 0, 0) // no instructions
		return append(out, d[rest:]...), nil
	}
	start := len(out)
	out = append(out, d...)
	g := out[start:]
	end := components(g, func(off int) {
		be.PutUint16(g[off-2:], be.Uint16(g[off-2:])&^haveInstructs)
		be.PutUint16(g[off:], uint16(remap[int(be.Uint16(g[off:]))]))
	})
	if end < 0 {
		return nil, errors.New("ttf: bad composite glyph")
	}
	return out[:start+end], nil
}

// Subset returns the font cut down to the glyphs of runes (those it has)
// and the number of glyphs kept.
func (f *Font) Subset(runes []rune) ([]byte, int, error) {
	chars := make([]rune, 0, len(runes))
	for _, r := range runes {
		if f.Has(r) {
			chars = append(chars, r)
		}
	}
	slices.Sort(chars)
	chars = slices.Compact(chars)
	// Glyphs numbered in the order of the first character that uses them,
	// so that runs of characters get runs of glyph ids (few cmap segments).
	remap := map[int]int{0: 0}
	order := []int{0}
	var keep func(g, depth int) error
	keep = func(g, depth int) error {
		if _, ok := remap[g]; ok {
			return nil
		}
		if g >= len(f.loca)-1 || depth > 8 {
			return errors.New("ttf: bad component glyph")
		}
		remap[g] = len(order)
		order = append(order, g)
		d := f.glyph(g)
		if len(d) < 10 || int16(be.Uint16(d)) >= 0 {
			return nil
		}
		var err error
		if components(d, func(off int) {
			if err == nil {
				err = keep(int(be.Uint16(d[off:])), depth+1)
			}
		}) < 0 {
			return errors.New("ttf: bad composite glyph")
		}
		return err
	}
	for _, c := range chars {
		if err := keep(int(f.cmap[c]), 0); err != nil {
			return nil, 0, err
		}
	}

	hmtxIn := f.tables["hmtx"]
	glyf := make([]byte, 0, 64*len(order))
	loca := make([]byte, 0, 4*(len(order)+1))
	hmtx := make([]byte, 0, 4*len(order))
	for _, g := range order {
		loca = be.AppendUint32(loca, uint32(len(glyf)))
		var err error
		if glyf, err = appendGlyph(glyf, f.glyph(g), remap); err != nil {
			return nil, 0, err
		}
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
		adv := be.Uint16(hmtxIn[4*min(g, f.nMetrics-1):])
		var lsb uint16
		if g < f.nMetrics {
			lsb = be.Uint16(hmtxIn[4*g+2:])
		} else {
			lsb = be.Uint16(hmtxIn[4*f.nMetrics+2*(g-f.nMetrics):])
		}
		hmtx = be.AppendUint16(be.AppendUint16(hmtx, adv), lsb)
	}
	loca = be.AppendUint32(loca, uint32(len(glyf)))

	head := slices.Clone(f.tables["head"])
	be.PutUint16(head[50:], 1) // indexToLocFormat: long offsets
	hhea := slices.Clone(f.tables["hhea"])
	be.PutUint16(hhea[34:], uint16(len(order)))
	maxp := slices.Clone(f.tables["maxp"])
	be.PutUint16(maxp[4:], uint16(len(order)))
	if len(maxp) >= 32 { // version 1.0: no instructions left
		be.PutUint16(maxp[14:], 1) // maxZones: no twilight zone
		for off := 16; off <= 26; off += 2 {
			be.PutUint16(maxp[off:], 0) // twilight points… size of instructions
		}
	}
	post := make([]byte, 32)
	copy(post, f.tables["post"])
	be.PutUint32(post, 0x00030000)

	cmapIDs := make([]int, len(chars))
	for i, c := range chars {
		cmapIDs[i] = remap[int(f.cmap[c])]
	}
	tables := map[string][]byte{
		"cmap": cmapTable(chars, cmapIDs),
		"glyf": glyf,
		"head": head,
		"hhea": hhea,
		"hmtx": hmtx,
		"loca": loca,
		"maxp": maxp,
		"name": f.tables["name"],
		"OS/2": f.tables["OS/2"],
		"post": post,
	}
	if gasp := f.tables["gasp"]; gasp != nil {
		tables["gasp"] = gasp
	}
	return assemble(tables), len(order), nil
}

// cmapTable returns a cmap with one Windows Unicode BMP subtable, format 4,
// mapping the sorted chars to their glyph ids.
func cmapTable(chars []rune, ids []int) []byte {
	type seg struct{ start, end, delta int }
	var segs []seg
	for i, c := range chars {
		g := ids[i]
		if n := len(segs); n > 0 && int(c) == segs[n-1].end+1 && g-int(c) == segs[n-1].delta {
			segs[n-1].end++
			continue
		}
		segs = append(segs, seg{int(c), int(c), g - int(c)})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1})
	n := len(segs)
	search, sel := 1, 0
	for search*2 <= n {
		search *= 2
		sel++
	}
	b := make([]byte, 0, 12+16+8*n)
	w := func(v ...int) {
		for _, x := range v {
			b = be.AppendUint16(b, uint16(x))
		}
	}
	w(0, 1, 3, 1, 0, 12) // version, one subtable: platform 3 encoding 1 at offset 12
	w(4, 16+8*n, 0, 2*n, 2*search, sel, 2*n-2*search)
	for _, s := range segs {
		w(s.end)
	}
	w(0)
	for _, s := range segs {
		w(s.start)
	}
	for _, s := range segs {
		w(s.delta & 0xFFFF)
	}
	for range segs {
		w(0)
	}
	return b
}

// KeepNames drops from the font's name table all records but the Windows
// English ones whose ids are listed.
func (f *Font) KeepNames(ids ...int) {
	t := f.tables["name"]
	if len(t) < 6 {
		return
	}
	count, strOff := int(be.Uint16(t[2:])), int(be.Uint16(t[4:]))
	type rec struct {
		id int
		s  []byte
	}
	var recs []rec
	for i := range count {
		if 6+12*i+12 > len(t) {
			break
		}
		r := t[6+12*i:]
		p, e, l, id := be.Uint16(r), be.Uint16(r[2:]), be.Uint16(r[4:]), int(be.Uint16(r[6:]))
		length, off := int(be.Uint16(r[8:])), int(be.Uint16(r[10:]))
		if p == 3 && e == 1 && l == 0x409 && slices.Contains(ids, id) && strOff+off+length <= len(t) {
			recs = append(recs, rec{id, t[strOff+off : strOff+off+length]})
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].id < recs[j].id })
	b := be.AppendUint16(nil, 0)
	b = be.AppendUint16(b, uint16(len(recs)))
	b = be.AppendUint16(b, uint16(6+12*len(recs)))
	off := 0
	for _, r := range recs {
		for _, v := range []int{3, 1, 0x409, r.id, len(r.s), off} {
			b = be.AppendUint16(b, uint16(v))
		}
		off += len(r.s)
	}
	for _, r := range recs {
		b = append(b, r.s...)
	}
	f.tables["name"] = b
}

// assemble writes a TrueType file of tables, sorted by tag, each padded to
// four bytes, with their checksums and head's checkSumAdjustment.
func assemble(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	size := 12
	for t, d := range tables {
		tags = append(tags, t)
		size += 16 + (len(d)+3)&^3
	}
	slices.Sort(tags)
	n := len(tags)
	search, sel := 1, 0
	for search*2 <= n {
		search *= 2
		sel++
	}
	b := make([]byte, 0, size)
	b = be.AppendUint32(b, 0x00010000)
	for _, v := range []int{n, 16 * search, sel, 16*n - 16*search} {
		b = be.AppendUint16(b, uint16(v))
	}
	off := 12 + 16*n
	headOff := -1
	for _, t := range tags {
		d := tables[t]
		if t == "head" { // its checksum is taken with checkSumAdjustment zero
			headOff = off
			d = slices.Clone(d)
			be.PutUint32(d[8:], 0)
			tables[t] = d
		}
		b = append(b, t...)
		b = be.AppendUint32(b, checksum(d))
		b = be.AppendUint32(b, uint32(off))
		b = be.AppendUint32(b, uint32(len(d)))
		off += (len(d) + 3) &^ 3
	}
	for _, t := range tags {
		b = append(b, tables[t]...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	if headOff >= 0 {
		be.PutUint32(b[headOff+8:], 0xB1B0AFBA-checksum(b))
	}
	return b
}

func checksum(d []byte) uint32 {
	var sum uint32
	for i := 0; i < len(d); i += 4 {
		var w [4]byte
		copy(w[:], d[i:])
		sum += be.Uint32(w[:])
	}
	return sum
}
