#!/usr/bin/env node
// Independent reference decoder for DecoderConformanceTest (no ImageIO, no libjpeg, no zlib
// image code of the JVM): PNG by pngjs 7.0.0, JPEG by jpeg-js 0.4.4, both pure JavaScript.
//
//   node decode.js FILE...   (pngjs and jpeg-js found through NODE_PATH)
//
// Prints one line per file: "<file> <width> <height> <base64 of RGBA, 8 bits per sample>".
// Conventions of the output, the ones DecoderConformanceTest compares with:
// - PNG: pngjs's RGBA (palette and tRNS applied, grey repeated into R, G, B); 16-bit samples are
//   read unscaled (skipRescale) and keep their high byte, the rule of Pillow's 16-bit unpackers.
//   1, 2 and 4-bit samples are scaled by pngjs with rounding. Colour profiles (iCCP) and gamma are
//   not applied.
// - JPEG: jpeg-js's RGB; alpha is 255. Four-component files are read by jpeg-js as Adobe files
//   (inverted CMYK, transform 2 = YCCK) and converted with R = C' K' / 255 on the stored values,
//   Pillow's formula; jpeg-js refuses four components without an Adobe segment. EXIF orientation
//   and ICC profiles are not applied. Chroma is upsampled by replication (libjpeg interpolates).
'use strict';
const fs = require('fs');
const { PNG } = require('pngjs');
const jpeg = require('jpeg-js');

function decodePng(bytes) {
  const depth = bytes[24]; // IHDR bit depth
  const png = PNG.sync.read(bytes, { skipRescale: depth === 16 });
  const n = png.width * png.height * 4;
  const rgba = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    rgba[i] = depth === 16 ? png.data[i] >>> 8 : png.data[i];
  }
  return { width: png.width, height: png.height, rgba };
}

function decodeJpeg(bytes) {
  const image = jpeg.decode(bytes, { formatAsRGBA: true, useTArray: true });
  return { width: image.width, height: image.height, rgba: Buffer.from(image.data) };
}

let failed = false;
for (const file of process.argv.slice(2)) {
  try {
    const bytes = fs.readFileSync(file);
    const isPng = bytes.length > 8 && bytes[0] === 0x89 && bytes.toString('latin1', 1, 4) === 'PNG';
    const image = isPng ? decodePng(bytes) : decodeJpeg(bytes);
    process.stdout.write(`${file} ${image.width} ${image.height} ${image.rgba.toString('base64')}\n`);
  } catch (e) {
    process.stderr.write(`${file}: ${e.message}\n`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
