// The one font every chart uses, bundled with the package (DejaVu Sans, assets/fonts/), so text
// looks the same on every machine: resvg renders with it and nothing else, and layout measures
// with its own advance widths (opentype.js), so margins and legend boxes fit the rendered text.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, type Font } from 'opentype.js';

// The package root is two folders up from src/plot (tsx, mocha on sources) and three from
// dist/src/plot (the compiled package).
const FONT_DIR = [2, 3].map((up) => path.resolve(__dirname, ...Array<string>(up).fill('..'), 'assets', 'fonts')).find((d) => fs.existsSync(d)) ?? '';

/** Absolute paths of the bundled font files. */
export const FONT_FILES: readonly string[] = [path.join(FONT_DIR, 'DejaVuSans.ttf')];

/** The family name the SVG asks for; the bundled file provides it. */
export const FONT_FAMILY = 'DejaVu Sans';

let font: Font | undefined;

function loaded(): Font {
  if (!font) {
    const buf = fs.readFileSync(FONT_FILES[0]);
    // lowMemory parses glyphs on demand: ~0.2 s once instead of ~0.7 s for the whole font.
    font = parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, { lowMemory: true });
  }
  return font;
}

const widths = new Map<string, number>();

/** Advance width of `text` in px at font size `size` px (per character, no kerning: within ~1 %). */
export function textWidth(text: string, size: number): number {
  let em = 0;
  for (const ch of text) {
    let w = widths.get(ch);
    if (w === undefined) {
      const f = loaded();
      w = (f.charToGlyph(ch).advanceWidth ?? 0) / f.unitsPerEm;
      widths.set(ch, w);
    }
    em += w;
  }
  return em * size;
}

/** Characters of `text` the bundled font has no glyph for (they would render as a box). */
export function missingGlyphs(text: string): string[] {
  return [...new Set(text)].filter((ch) => ch.trim() !== '' && loaded().charToGlyph(ch).index === 0);
}

/** The largest size ≤ `size` (at least 8 px) at which `text` fits in `maxWidth` px. */
export function fitFont(text: string, maxWidth: number, size: number): number {
  return Math.max(8, Math.min(size, (size * maxWidth) / Math.max(1, textWidth(text, size))));
}
