package card

import "image"

// QRInfo tells the tests of package card_test what symbol a QR text is
// printed as: its version, error-correction level (L, M, Q, H), mask, and
// its module on the card and on the attestation, mm.
func QRInfo(text string) (version int, level string, mask int, cardModule, a4Module float64, err error) {
	q, err := encodeQR(text)
	if err != nil {
		return 0, "", 0, 0, 0, err
	}
	cardModule, _ = cardQRSize(q)
	a4Module, _ = a4QRSize(q)
	return q.Version, "LMQH"[q.Level : q.Level+1], q.Mask, cardModule, a4Module, nil
}

// ZXing33Decode decodes img as @zxing/library 0.21.3 does (zxing33Decode),
// for the decoder tests to check the port against it.
func ZXing33Decode(img *image.Gray) string { return zxing33Decode(img) }
