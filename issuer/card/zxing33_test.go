package card

import (
	"image"

	"github.com/makiuchi-d/gozxing"
	zxdecoder "github.com/makiuchi-d/gozxing/qrcode/decoder"
	zxdetector "github.com/makiuchi-d/gozxing/qrcode/detector"

	"carnet/issuer/card/internal/zxfinder"
)

// zxing33Decode decodes the QR code of img as @zxing/library 0.21.3 (ZXing
// 3.3) does with TRY_HARDER: gozxing's hybrid binarizer, the finder-pattern
// search of ZXing 3.3 (zxfinder), then gozxing's detector and decoder,
// which do what ZXing 3.3's do. It returns "" when it reads nothing.
func zxing33Decode(img *image.Gray) string {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	src, err := gozxing.NewPlanarYUVLuminanceSource(img.Pix, img.Stride, h, 0, 0, w, h, false)
	if err != nil {
		return ""
	}
	bm, err := gozxing.NewHybridBinarizer(src).GetBlackMatrix()
	if err != nil {
		return ""
	}
	bits := &zxfinder.Image{W: w, H: h, Pix: make([]byte, w*h)}
	for y := range h {
		for x := range w {
			if bm.Get(x, y) {
				bits.Pix[y*w+x] = 1
			}
		}
	}
	info, _, err := zxfinder.Find(bits)
	if err != nil {
		return ""
	}
	det, err := zxdetector.NewDetector(bm).ProcessFinderPatternInfo(info)
	if err != nil {
		return ""
	}
	res, err := zxdecoder.NewDecoder().Decode(det.GetBits(), nil)
	if err != nil {
		return ""
	}
	return res.GetText()
}
