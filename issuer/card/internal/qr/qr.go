// Package qr encodes text as a QR code symbol (ISO/IEC 18004:2015), fast
// enough to draw one per card request: a typical card's 1,000-character QR
// text takes well under a millisecond, where github.com/skip2/go-qrcode
// spends 10 ms or more in its polynomial Reed-Solomon and mask search.
//
// It does what Carnet's card needs and no more: error-correction levels L
// and M, byte and numeric segments chosen to make the smallest symbol,
// versions 1 to 40, the mask with the lowest penalty score. The algorithm
// follows Project Nayuki's reference QR Code generator (MIT licence).
package qr

import (
	"errors"
	"fmt"
)

// Level is an error-correction level.
type Level int

const (
	L Level = iota // about 7% of the symbol can be lost
	M              // about 15%
)

func (l Level) String() string { return [...]string{"L", "M"}[l] }

// formatBits are the two bits of the format information.
func (l Level) formatBits() int { return [...]int{1, 0}[l] }

// Code is an encoded symbol: Size×Size modules, without the quiet zone.
type Code struct {
	Version int
	Level   Level
	Mask    int
	Size    int
	dark    []bool // row-major
}

// Dark reports whether the module at column x, row y is dark.
func (c *Code) Dark(x, y int) bool { return c.dark[y*c.Size+x] }

// ErrTooLong is returned when a text does not fit in the versions allowed.
var ErrTooLong = errors.New("qr: text too long")

// Encode encodes text at level l in the smallest version from minVersion to
// maxVersion (1 to 40) that holds it.
func Encode(text string, l Level, minVersion, maxVersion int) (*Code, error) {
	if l != L && l != M {
		return nil, fmt.Errorf("qr: unknown level %d", l)
	}
	minVersion, maxVersion = max(minVersion, 1), min(maxVersion, 40)
	data := []byte(text)
	var segs []segment
	ver := 0
	for class := range 3 { // the three ranges of character-count widths
		lo, hi := classVersions[class][0], classVersions[class][1]
		lo, hi = max(lo, minVersion), min(hi, maxVersion)
		if lo > hi {
			continue
		}
		s := segmentation(data, class)
		bits, ok := bitLength(s, class)
		if !ok {
			continue
		}
		for v := lo; v <= hi; v++ {
			if bits <= dataCodewords(v, l)*8 {
				segs, ver = s, v
				break
			}
		}
		if ver != 0 {
			break
		}
	}
	if ver == 0 {
		return nil, ErrTooLong
	}
	return build(data, segs, ver, l, -1), nil
}

// classVersions are the versions of each character-count width class.
var classVersions = [3][2]int{{1, 9}, {10, 26}, {27, 40}}

// Segment modes.
const (
	modeNumeric = 1
	modeByte    = 4
)

// countBits is the width of a segment's character count, by mode and class.
func countBits(mode, class int) int {
	if mode == modeNumeric {
		return [...]int{10, 12, 14}[class]
	}
	return [...]int{8, 16, 16}[class]
}

// segment is a run of data bytes [start, end) in one mode.
type segment struct {
	mode, start, end int
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// segmentation splits data into numeric and byte segments with the fewest
// bits for a version class: a dynamic programme over the two modes, costs in
// thirds of a bit (a digit costs 10/3 bits in numeric mode).
func segmentation(data []byte, class int) []segment {
	n := len(data)
	if n == 0 {
		return nil
	}
	const inf = 1 << 60
	modes := [2]int{modeByte, modeNumeric}
	header := func(m int) int { return (4 + countBits(modes[m], class)) * 3 }
	// cost[i][m]: least cost of data[:i+1] with data[i] in mode m;
	// from[i][m]: the mode of data[i-1] on that path.
	cost := make([][2]int, n)
	from := make([][2]int8, n)
	for i, b := range data {
		for m := range 2 {
			c := 24
			if modes[m] == modeNumeric {
				if !isDigit(b) {
					cost[i][m] = inf
					continue
				}
				c = 10
			}
			if i == 0 {
				cost[i][m] = header(m) + c
				continue
			}
			best, bestFrom := inf, 0
			for p := range 2 {
				v := cost[i-1][p]
				if v == inf {
					continue
				}
				if p != m {
					v += header(m)
				}
				if v < best {
					best, bestFrom = v, p
				}
			}
			cost[i][m], from[i][m] = best+c, int8(bestFrom)
		}
	}
	m := 0
	if cost[n-1][1] < cost[n-1][0] {
		m = 1
	}
	var segs []segment
	end := n
	for i := n - 1; i >= 0; i-- {
		prev := int(from[i][m])
		if i == 0 || prev != m {
			segs = append(segs, segment{modes[m], i, end})
			end = i
		}
		m = prev
	}
	for i, j := 0, len(segs)-1; i < j; i, j = i+1, j-1 {
		segs[i], segs[j] = segs[j], segs[i]
	}
	return segs
}

// bitLength is the exact number of data bits of segs in a version class; ok
// is false when a segment is too long for its count field.
func bitLength(segs []segment, class int) (int, bool) {
	bits := 0
	for _, s := range segs {
		n, cb := s.end-s.start, countBits(s.mode, class)
		if n >= 1<<cb {
			return 0, false
		}
		bits += 4 + cb
		if s.mode == modeNumeric {
			bits += n/3*10 + [...]int{0, 4, 7}[n%3]
		} else {
			bits += n * 8
		}
	}
	return bits, true
}

// bitBuffer accumulates bits, most significant first.
type bitBuffer struct {
	bytes []byte
	n     int // bits written
}

func (b *bitBuffer) put(v, bits int) {
	for i := bits - 1; i >= 0; i-- {
		if b.n%8 == 0 {
			b.bytes = append(b.bytes, 0)
		}
		if v>>i&1 != 0 {
			b.bytes[b.n/8] |= 0x80 >> (b.n % 8)
		}
		b.n++
	}
}

// codewords returns the data codewords of segs in version v at level l:
// segments, terminator, bit padding and pad bytes.
func codewords(data []byte, segs []segment, v int, l Level) []byte {
	class := 0
	if v >= 27 {
		class = 2
	} else if v >= 10 {
		class = 1
	}
	capacity := dataCodewords(v, l) * 8
	b := &bitBuffer{bytes: make([]byte, 0, capacity/8)}
	for _, s := range segs {
		b.put(s.mode, 4)
		b.put(s.end-s.start, countBits(s.mode, class))
		d := data[s.start:s.end]
		if s.mode == modeByte {
			for _, c := range d {
				b.put(int(c), 8)
			}
			continue
		}
		for i := 0; i < len(d); i += 3 {
			k := min(3, len(d)-i)
			v := 0
			for _, c := range d[i : i+k] {
				v = v*10 + int(c-'0')
			}
			b.put(v, k*3+1)
		}
	}
	b.put(0, min(4, capacity-b.n))
	b.put(0, (8-b.n%8)%8)
	for pad := 0xEC; b.n < capacity; pad ^= 0xEC ^ 0x11 {
		b.put(pad, 8)
	}
	return b.bytes
}

// Error-correction codewords per block and number of blocks, by level and
// version (index 0 unused); ISO/IEC 18004 table 9.
var (
	eccPerBlock = [2][41]int8{
		{-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
		{-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28},
	}
	eccBlocks = [2][41]int8{
		{-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25},
		{-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49},
	}
)

// rawModules is the number of modules of version v that hold codewords
// (data and error correction, plus remainder bits).
func rawModules(v int) int {
	n := (16*v+128)*v + 64
	if v >= 2 {
		align := v/7 + 2
		n -= (25*align-10)*align - 55
		if v >= 7 {
			n -= 36
		}
	}
	return n
}

// dataCodewords is the number of data codewords of version v at level l.
func dataCodewords(v int, l Level) int {
	return rawModules(v)/8 - int(eccPerBlock[l][v])*int(eccBlocks[l][v])
}

// interleave splits the data codewords into blocks, appends each block's
// Reed-Solomon codewords and interleaves them.
func interleave(data []byte, v int, l Level) []byte {
	blocks, ecc := int(eccBlocks[l][v]), int(eccPerBlock[l][v])
	raw := rawModules(v) / 8
	short := blocks - raw%blocks // blocks of shortLen codewords; the others have one more
	shortLen := raw / blocks
	div := rsDivisor(ecc)
	type block struct{ data, ecc []byte }
	bs := make([]block, blocks)
	k := 0
	for i := range bs {
		n := shortLen - ecc
		if i >= short {
			n++
		}
		bs[i] = block{data[k : k+n], rsRemainder(data[k:k+n], div)}
		k += n
	}
	out := make([]byte, 0, raw)
	for i := 0; i <= shortLen-ecc; i++ {
		for _, b := range bs {
			if i < len(b.data) {
				out = append(out, b.data[i])
			}
		}
	}
	for i := range ecc {
		for _, b := range bs {
			out = append(out, b.ecc[i])
		}
	}
	return out
}

// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
var gfExp, gfLog = func() (exp [512]byte, log [256]byte) {
	x := 1
	for i := range 255 {
		exp[i], exp[i+255] = byte(x), byte(x)
		log[x] = byte(i)
		x <<= 1
		if x&0x100 != 0 {
			x ^= 0x11D
		}
	}
	return
}()

func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gfExp[int(gfLog[a])+int(gfLog[b])]
}

// rsDivisor returns the coefficients of the Reed-Solomon generator
// polynomial of the given degree, highest first, without the leading 1.
func rsDivisor(degree int) []byte {
	d := make([]byte, degree)
	d[degree-1] = 1
	root := byte(1)
	for range degree {
		for j := range d {
			d[j] = gfMul(d[j], root)
			if j+1 < len(d) {
				d[j] ^= d[j+1]
			}
		}
		root = gfMul(root, 2)
	}
	return d
}

// rsRemainder returns the error-correction codewords of data.
func rsRemainder(data, div []byte) []byte {
	r := make([]byte, len(div))
	for _, b := range data {
		f := b ^ r[0]
		copy(r, r[1:])
		r[len(r)-1] = 0
		if f == 0 {
			continue
		}
		lf := int(gfLog[f])
		for i, c := range div {
			if c != 0 {
				r[i] ^= gfExp[int(gfLog[c])+lf]
			}
		}
	}
	return r
}

// symbol is a symbol being built: module colours (1 = dark) and which
// modules belong to function patterns (1), as bytes so that scoring the
// masks runs without branches.
type symbol struct {
	size     int
	dark, fn []byte
	version  int
	level    Level
}

func (s *symbol) set(x, y int, dark bool) {
	s.dark[y*s.size+x] = b2u(dark)
	s.fn[y*s.size+x] = 1
}

// build draws the symbol of segs in version v at level l with the given
// mask, or with the best one when mask is negative.
func build(data []byte, segs []segment, v int, l Level, mask int) *Code {
	size := 4*v + 17
	s := &symbol{size: size, dark: make([]byte, size*size), fn: make([]byte, size*size), version: v, level: l}
	s.functionPatterns()
	s.placeCodewords(interleave(codewords(data, segs, v, l), v, l))
	if mask < 0 {
		best := -1
		masked := make([]byte, size*size)
		for m := range 8 {
			s.mask(masked, m)
			if p := penalty(masked, size); best < 0 || p < best {
				best, mask = p, m
			}
		}
	}
	out := make([]byte, size*size)
	s.mask(out, mask)
	c := &Code{Version: v, Level: l, Mask: mask, Size: size, dark: make([]bool, size*size)}
	for i, d := range out {
		c.dark[i] = d != 0
	}
	return c
}

// alignmentPositions are the centre coordinates of the alignment patterns.
func alignmentPositions(v int) []int {
	if v == 1 {
		return nil
	}
	n := v/7 + 2
	step := (v*8 + n*3 + 5) / (n*4 - 4) * 2
	pos := make([]int, n)
	pos[0] = 6
	for i, p := n-1, 4*v+17-7; i >= 1; i, p = i-1, p-step {
		pos[i] = p
	}
	return pos
}

func (s *symbol) functionPatterns() {
	n := s.size
	for i := range n { // timing patterns
		s.set(6, i, i%2 == 0)
		s.set(i, 6, i%2 == 0)
	}
	for _, c := range [][2]int{{3, 3}, {n - 4, 3}, {3, n - 4}} { // finders and separators
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				x, y := c[0]+dx, c[1]+dy
				if x < 0 || x >= n || y < 0 || y >= n {
					continue
				}
				d := max(abs(dx), abs(dy))
				s.set(x, y, d != 2 && d != 4)
			}
		}
	}
	align := alignmentPositions(s.version)
	last := len(align) - 1
	for i, cx := range align {
		for j, cy := range align {
			if i == 0 && j == 0 || i == 0 && j == last || i == last && j == 0 {
				continue // the finder patterns' corners
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					s.set(cx+dx, cy+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
	s.formatBits(s.dark, 0) // reserve the format areas; drawn again with the mask
	if s.version >= 7 {
		rem := s.version
		for range 12 {
			rem = rem<<1 ^ (rem>>11)*0x1F25
		}
		bits := s.version<<12 | rem
		for i := range 18 {
			dark := bits>>i&1 != 0
			a, b := n-11+i%3, i/3
			s.set(a, b, dark)
			s.set(b, a, dark)
		}
	}
}

// formatBits draws into m the two copies of the format information for
// mask, and the dark module.
func (s *symbol) formatBits(m []byte, mask int) {
	n := s.size
	data := s.level.formatBits()<<3 | mask
	rem := data
	for range 10 {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	bits := (data<<10 | rem) ^ 0x5412
	set := func(x, y, i int) {
		m[y*n+x] = byte(bits >> i & 1)
		s.fn[y*n+x] = 1
	}
	for i := 0; i <= 5; i++ {
		set(8, i, i)
	}
	set(8, 7, 6)
	set(8, 8, 7)
	set(7, 8, 8)
	for i := 9; i < 15; i++ {
		set(14-i, 8, i)
	}
	for i := range 8 {
		set(n-1-i, 8, i)
	}
	for i := 8; i < 15; i++ {
		set(8, n-15+i, i)
	}
	m[(n-8)*n+8] = 1
	s.fn[(n-8)*n+8] = 1
}

// placeCodewords fills the non-function modules with the codewords' bits in
// the zigzag order of the standard, right to left in two-column strips.
func (s *symbol) placeCodewords(cw []byte) {
	n := s.size
	i := 0
	for right := n - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		upward := (right+1)&2 == 0
		for vert := range n {
			y := vert
			if upward {
				y = n - 1 - vert
			}
			for j := range 2 {
				x := right - j
				if s.fn[y*n+x] != 0 {
					continue
				}
				if i < len(cw)*8 {
					s.dark[y*n+x] = cw[i>>3] >> (7 - i&7) & 1
				}
				i++ // remainder bits stay light
			}
		}
	}
}

// maskPatterns[m][y%12][x%6] is 1 where mask m inverts a module: every
// mask repeats every 6 columns and 12 rows.
var maskPatterns = func() (p [8][12][6]byte) {
	for m := range 8 {
		for y := range 12 {
			for x := range 6 {
				var inv bool
				switch m {
				case 0:
					inv = (x+y)%2 == 0
				case 1:
					inv = y%2 == 0
				case 2:
					inv = x%3 == 0
				case 3:
					inv = (x+y)%3 == 0
				case 4:
					inv = (x/3+y/2)%2 == 0
				case 5:
					inv = x*y%2+x*y%3 == 0
				case 6:
					inv = (x*y%2+x*y%3)%2 == 0
				case 7:
					inv = ((x+y)%2+x*y%3)%2 == 0
				}
				p[m][y][x] = b2u(inv)
			}
		}
	}
	return p
}()

// mask writes into out the symbol with mask m applied to the data modules
// and the format information of m.
func (s *symbol) mask(out []byte, m int) {
	n := s.size
	var rows [12][]byte // the mask's pattern, repeated across the width
	for y := range rows {
		rows[y] = make([]byte, n)
		for x := range n {
			rows[y][x] = maskPatterns[m][y][x%6]
		}
	}
	for y := range n {
		pat := rows[y%12]
		row, fn, o := s.dark[y*n:y*n+n], s.fn[y*n:y*n+n], out[y*n:y*n+n]
		for x := range row {
			o[x] = row[x] ^ pat[x]&^fn[x]
		}
	}
	s.formatBits(out, m)
}

// Penalty weights of ISO/IEC 18004 7.8.3.
const (
	penaltyN1 = 3
	penaltyN2 = 3
	penaltyN3 = 40
	penaltyN4 = 10
)

// penalty scores a masked symbol: runs of five or more modules of one
// colour, 2×2 blocks of one colour, finder-like 1:1:3:1:1 patterns with
// four light modules on one side (the quiet zone counts as light), and
// imbalance of dark and light.
func penalty(m []byte, n int) int {
	score := 0
	for i := range n {
		score += linePenalty(m, i*n, 1, n) // row i
		score += linePenalty(m, i, n, n)   // column i
	}
	dark := 0
	for y := range n - 1 {
		a, b := m[y*n:y*n+n], m[(y+1)*n:(y+1)*n+n]
		for x := range n - 1 {
			score += blockPenalty[a[x]+a[x+1]+b[x]+b[x+1]]
		}
	}
	for _, d := range m {
		dark += int(d)
	}
	total := n * n
	// k is the number of 5% steps the dark share deviates from 50%.
	k := (abs(dark*20-total*10)+total-1)/total - 1
	return score + max(k, 0)*penaltyN4
}

// blockPenalty scores a 2×2 block by its number of dark modules.
var blockPenalty = [5]int{penaltyN2, 0, 0, 0, penaltyN2}

// linePenalty scores the runs and finder-like patterns of the n modules
// m[start], m[start+step]…
func linePenalty(m []byte, start, step, n int) int {
	var (
		score   int
		eq      uint32 // the last four "same as the previous module" bits
		prevW   int
		pattern uint32 // the last 11 modules, 1 = dark, light quiet zone before
	)
	prev := m[start]
	for i, k := 0, start; i < n; i, k = i+1, k+step {
		d := m[k]
		if i > 0 {
			eq = (eq<<1 | uint32(1^(d^prev))) & 0xF
			// w: the five modules ending here are the same colour. A run
			// of length L ≥ 5 has L-4 such windows and scores 3 + L-5.
			w := int((eq + 1) >> 4)
			score += w + 2*(w&^prevW)
			prevW = w
		}
		prev = d
		pattern = (pattern<<1 | uint32(d)) & 0x7FF
		score += finder(pattern)
	}
	for range 4 { // the light quiet zone after the line
		pattern = pattern << 1 & 0x7FF
		score += finder(pattern)
	}
	return score
}

// finder scores 11 modules that are a finder-like pattern with four light
// modules on one side: 1011101 0000 or 0000 1011101.
func finder(p uint32) int {
	if p == 0x5D0 || p == 0x05D {
		return penaltyN3
	}
	return 0
}

func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
