package card

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// sheetJoin writes one PDF from a sequence of small ones, the parts fpdf
// writes of a group's sheets, as each part comes: a part's pages, their
// contents and resources are written out as soon as it is added, so the
// memory a group takes does not grow with its number of cards (fpdf keeps
// a whole document's pages, uncompressed, until it writes it). Only the
// object offsets, the page numbers and one hash per written object are
// kept to the end, for the page tree and the cross-reference table.
//
// Each part is read by pdfcpu; its objects are copied, renumbered, and an
// object identical to one already written (a logo, a font of the same
// characters) is written once. Object 1 is the page tree, written last.
type sheetJoin struct {
	w       *bufio.Writer
	off     int64
	offsets []int64 // offsets[n-1]: where object n starts
	kids    []int   // the page objects, in order
	catalog int
	info    int
	seen    map[[sha256.Size]byte]int // an object's bytes → its number
	conf    *model.Configuration
}

var errJoinCycle = errors.New("card: a part of the sheets refers to itself")

func newSheetJoin(w io.Writer) *sheetJoin {
	j := &sheetJoin{w: bufio.NewWriterSize(w, 64<<10), seen: map[[sha256.Size]byte]int{}, conf: model.NewStatelessConfiguration()}
	j.conf.ValidationMode = model.ValidationRelaxed
	j.reserve() // 1: the page tree
	return j
}

// reserve allocates the next object number.
func (j *sheetJoin) reserve() int {
	j.offsets = append(j.offsets, -1)
	return len(j.offsets)
}

// write writes s; bufio keeps its first error, which the next Flush
// returns.
func (j *sheetJoin) write(s string) {
	n, _ := j.w.WriteString(s)
	j.off += int64(n)
}

// writeObject writes object num: a dictionary, an array or a stream (a
// write error is kept by bufio, for the next Flush).
func (j *sheetJoin) writeObject(num int, o types.Object) {
	j.offsets[num-1] = j.off
	j.write(strconv.Itoa(num) + " 0 obj\n")
	if sd, ok := o.(types.StreamDict); ok {
		j.write(sd.Dict.PDFString())
		j.write("\nstream\n")
		n, _ := j.w.Write(sd.Raw)
		j.off += int64(n)
		j.write("\nendstream")
	} else {
		j.write(o.PDFString())
	}
	j.write("\nendobj\n")
}

// writeShared writes o under a new number unless an identical object was
// written already, and returns its number.
func (j *sheetJoin) writeShared(o types.Object) (int, error) {
	h := sha256.New()
	if sd, ok := o.(types.StreamDict); ok {
		h.Write([]byte(sd.Dict.PDFString()))
		h.Write([]byte{0})
		h.Write(sd.Raw)
	} else {
		h.Write([]byte(o.PDFString()))
	}
	var k [sha256.Size]byte
	h.Sum(k[:0])
	if n, ok := j.seen[k]; ok {
		return n, nil
	}
	n := j.reserve()
	j.seen[k] = n
	j.writeObject(n, o)
	return n, nil
}

// copyObject returns o with every indirect object it refers to written
// out, under the numbers of the joined document; memo maps the part's
// object numbers to them (0 while an object is being copied).
func (j *sheetJoin) copyObject(x *model.XRefTable, o types.Object, memo map[int]int) (types.Object, error) {
	switch o := o.(type) {
	case types.IndirectRef:
		old := o.ObjectNumber.Value()
		if n, ok := memo[old]; ok {
			if n == 0 {
				return nil, errJoinCycle
			}
			return *types.NewIndirectRef(n, 0), nil
		}
		memo[old] = 0
		d, err := x.Dereference(o)
		if err != nil {
			return nil, err
		}
		c, err := j.copyObject(x, d, memo)
		if err != nil {
			return nil, err
		}
		if c == nil {
			delete(memo, old)
			return nil, nil // an undefined object is null (PDF 7.3.10)
		}
		n, err := j.writeShared(c)
		if err != nil {
			return nil, err
		}
		memo[old] = n
		return *types.NewIndirectRef(n, 0), nil
	case types.Dict:
		return j.copyDict(x, o, memo)
	case types.Array:
		a := make(types.Array, len(o))
		for i, v := range o {
			c, err := j.copyObject(x, v, memo)
			if err != nil {
				return nil, err
			}
			a[i] = c
		}
		return a, nil
	case types.StreamDict:
		if o.Raw == nil {
			return nil, fmt.Errorf("card: a stream of the sheets was not read")
		}
		d, err := j.copyDict(x, o.Dict, memo)
		if err != nil {
			return nil, err
		}
		d["Length"] = types.Integer(len(o.Raw))
		return types.StreamDict{Dict: d, Raw: o.Raw}, nil
	default: // names, numbers, strings, booleans, null
		return o, nil
	}
}

func (j *sheetJoin) copyDict(x *model.XRefTable, d types.Dict, memo map[int]int) (types.Dict, error) {
	c := types.Dict{}
	for k, v := range d {
		o, err := j.copyObject(x, v, memo)
		if err != nil {
			return nil, err
		}
		if o != nil {
			c[k] = o
		}
	}
	return c, nil
}

// add writes the pages of part, a PDF as fpdf writes it (one flat page
// tree); the first part also gives the document its catalog and
// information dictionary.
func (j *sheetJoin) add(part []byte) error {
	if j.off == 0 {
		// The version of the first part, and a binary comment line.
		line, _, _ := bytes.Cut(part, []byte("\n"))
		if !bytes.HasPrefix(line, []byte("%PDF-1.")) {
			return fmt.Errorf("card: a part of the sheets is not a PDF")
		}
		j.write(string(line) + "\n%\xe2\xe3\xcf\xd3\n")
	}
	ctx, err := api.ReadContext(context.Background(), bytes.NewReader(part), j.conf)
	if err != nil {
		return fmt.Errorf("card: reading a part of the sheets: %w", err)
	}
	x := ctx.XRefTable
	cat, err := x.Catalog()
	if err != nil {
		return fmt.Errorf("card: reading a part of the sheets: %w", err)
	}
	treeRef, err := x.Pages()
	if err != nil {
		return fmt.Errorf("card: reading a part of the sheets: %w", err)
	}
	tree, err := x.DereferenceDict(*treeRef)
	if err != nil || tree == nil {
		return fmt.Errorf("card: reading a part of the sheets: no page tree (%v)", err)
	}
	kids, err := x.DereferenceArray(tree["Kids"])
	if err != nil {
		return fmt.Errorf("card: reading a part of the sheets: %w", err)
	}
	memo := map[int]int{treeRef.ObjectNumber.Value(): 1}
	// Number the pages first: an annotation or the catalog may name one.
	refs := make([]types.IndirectRef, len(kids))
	for i, k := range kids {
		ref, ok := k.(types.IndirectRef)
		if !ok {
			return fmt.Errorf("card: a part of the sheets has a page that is not an object")
		}
		refs[i] = ref
		n := j.reserve()
		memo[ref.ObjectNumber.Value()] = n
		j.kids = append(j.kids, n)
	}
	for _, ref := range refs {
		page, err := x.DereferenceDict(ref)
		if err != nil || page == nil || page.Type() == nil || *page.Type() != "Page" {
			return fmt.Errorf("card: a part of the sheets has a page tree that is not flat (%v)", err)
		}
		// What a page inherits from its part's tree, it gets itself.
		for _, k := range []string{"MediaBox", "Resources", "CropBox", "Rotate"} {
			if _, ok := page[k]; !ok && tree[k] != nil {
				page = page.Clone().(types.Dict)
				page[k] = tree[k]
			}
		}
		c, err := j.copyDict(x, page, memo)
		if err != nil {
			return err
		}
		c["Parent"] = *types.NewIndirectRef(1, 0)
		j.writeObject(memo[ref.ObjectNumber.Value()], c)
	}
	if j.catalog == 0 {
		c, err := j.copyDict(x, cat, memo)
		if err != nil {
			return err
		}
		c["Pages"] = *types.NewIndirectRef(1, 0)
		if j.catalog, err = j.writeShared(c); err != nil {
			return err
		}
		if x.Info != nil {
			info, err := j.copyObject(x, *x.Info, memo)
			if err != nil {
				return err
			}
			if ref, ok := info.(types.IndirectRef); ok {
				j.info = ref.ObjectNumber.Value()
			}
		}
	}
	return j.w.Flush() // the part's pages go out now
}

// close writes the page tree, the cross-reference table and the trailer.
func (j *sheetJoin) close() error {
	if j.catalog == 0 {
		return fmt.Errorf("card: no page in the sheets")
	}
	var kids bytes.Buffer
	kids.WriteString("<</Type /Pages /Count ")
	kids.WriteString(strconv.Itoa(len(j.kids)))
	kids.WriteString(" /Kids [")
	for i, n := range j.kids {
		if i > 0 {
			kids.WriteByte(' ')
		}
		kids.WriteString(strconv.Itoa(n))
		kids.WriteString(" 0 R")
	}
	kids.WriteString("]>>")
	j.offsets[0] = j.off
	j.write("1 0 obj\n" + kids.String() + "\nendobj\n")
	xref := j.off
	j.write("xref\n0 " + strconv.Itoa(len(j.offsets)+1) + "\n0000000000 65535 f \n")
	for _, o := range j.offsets {
		if o < 0 {
			return fmt.Errorf("card: an object of the sheets was not written")
		}
		j.write(fmt.Sprintf("%010d 00000 n \n", o))
	}
	trailer := "trailer\n<</Size " + strconv.Itoa(len(j.offsets)+1) + " /Root " + strconv.Itoa(j.catalog) + " 0 R"
	if j.info != 0 {
		trailer += " /Info " + strconv.Itoa(j.info) + " 0 R"
	}
	j.write(trailer + ">>\nstartxref\n" + strconv.FormatInt(xref, 10) + "\n%%EOF\n")
	return j.w.Flush()
}
