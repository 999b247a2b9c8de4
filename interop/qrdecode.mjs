// qrdecode.mjs decodes the QR code of grey-level images with two decoders
// that share no code with carnet: jsQR and ZXing (@zxing/library, the
// TypeScript port of the decoder behind many Android scanners, with
// TRY_HARDER). The card tests of issuer/card run it on renderings of cards.
//
//   node interop/qrdecode.mjs FILE.pgm...
//
// For each file it prints one JSON line:
//   {"file":"...","jsqr":"<text>"|null,"zxing":"<text>"|null}
// A decoder that finds no QR code, or throws, gives null.

import { readFileSync } from 'node:fs';
import jsQR from 'jsqr';
import {
  BinaryBitmap, DecodeHintType, HybridBinarizer, QRCodeReader, RGBLuminanceSource,
} from '@zxing/library';

// readPGM reads a binary (P5) 8-bit PGM, as `pdftoppm -gray` writes it.
function readPGM(path) {
  const b = readFileSync(path);
  let off = 0;
  const fields = [];
  while (fields.length < 4) {
    while (b[off] === 0x23 || b[off] === 0x20 || b[off] === 0x0a || b[off] === 0x0d || b[off] === 0x09) {
      if (b[off] === 0x23) while (b[off] !== 0x0a) off++; // comment
      off++;
    }
    let s = '';
    while (off < b.length && b[off] > 0x20) s += String.fromCharCode(b[off++]);
    fields.push(s);
  }
  off++; // the single whitespace after maxval
  const [magic, w, h, max] = [fields[0], Number(fields[1]), Number(fields[2]), Number(fields[3])];
  if (magic !== 'P5' || max !== 255) throw new Error(`${path}: not an 8-bit binary PGM`);
  return { width: w, height: h, grey: new Uint8ClampedArray(b.buffer, b.byteOffset + off, w * h) };
}

function withJsQR({ width, height, grey }) {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < grey.length; i++) {
    rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = grey[i];
    rgba[4 * i + 3] = 255;
  }
  const r = jsQR(rgba, width, height, { inversionAttempts: 'dontInvert' });
  return r ? r.data : null;
}

const hints = new Map([[DecodeHintType.TRY_HARDER, true]]);

function withZXing({ width, height, grey }) {
  try {
    const source = new RGBLuminanceSource(grey, width, height);
    const r = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)), hints);
    return r.getText();
  } catch (e) {
    return null;
  }
}

for (const file of process.argv.slice(2)) {
  const img = readPGM(file);
  process.stdout.write(`${JSON.stringify({ file, jsqr: withJsQR(img), zxing: withZXing(img) })}\n`);
}
