// Test helpers: a strict little XML well-formedness check (no XML parser dependency) and PNG
// pixel access.

import { expect } from 'chai';
import { PNG } from 'pngjs';
import { textWidth } from '../../src/plot/font';

/** Throws with a reason unless `svg` is one well-formed XML element tree rooted at <svg>. */
export function assertWellFormedSvg(svg: string): void {
  const stack: string[] = [];
  let roots = 0;
  let pos = 0;
  const tag = /<[^>]*>/g;
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    checkText(svg.slice(pos, m.index));
    pos = m.index + m[0].length;
    const t = m[0];
    const close = /^<\/([A-Za-z][\w:-]*)\s*>$/.exec(t);
    if (close) {
      const open = stack.pop();
      if (open !== close[1]) throw new Error(`</${close[1]}> closes <${open}>`);
      continue;
    }
    const open = /^<([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(t);
    if (!open) throw new Error(`malformed tag ${t.slice(0, 80)}`);
    const names = [...open[2].matchAll(/([\w:-]+)=/g)].map((a) => a[1]);
    if (new Set(names).size !== names.length) throw new Error(`duplicate attribute in ${t.slice(0, 80)}`);
    if (stack.length === 0) roots++;
    if (open[3] !== '/') stack.push(open[1]);
    else if (stack.length === 0 && open[1] !== 'svg') throw new Error('content outside the root');
  }
  checkText(svg.slice(pos));
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('> <')}>`);
  if (roots !== 1 || !svg.trimStart().startsWith('<svg')) throw new Error(`expected one <svg> root, found ${roots}`);
}

function checkText(text: string): void {
  if (text.includes('<') || text.includes('>')) throw new Error(`stray angle bracket in text '${text.slice(0, 40)}'`);
  const amp = /&(?!#\d+;|#x[0-9a-f]+;|amp;|lt;|gt;|quot;|apos;)/i.exec(text);
  if (amp) throw new Error(`unescaped & in text '${text.slice(0, 40)}'`);
}

/** A decoded PNG with RGB pixel access. */
export interface Image {
  width: number;
  height: number;
  rgb(x: number, y: number): [number, number, number];
}

export function decodePng(buf: Buffer): Image {
  const png = PNG.sync.read(buf);
  return {
    width: png.width,
    height: png.height,
    rgb: (x, y) => {
      const i = (y * png.width + x) * 4;
      return [png.data[i], png.data[i + 1], png.data[i + 2]];
    },
  };
}

/** Largest per-channel difference between two colours. */
export function colorDistance(a: readonly number[], b: readonly number[]): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

/** A <text> element of a chart's SVG, as written by src/plot/svg.ts. */
export interface SvgText {
  x: number;
  y: number;
  size: number;
  anchor: 'start' | 'middle' | 'end';
  rotated: boolean;
  content: string;
}

/** Every text element of `svg`, content unescaped. */
export function svgTexts(svg: string): SvgText[] {
  return [...svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)].map((m) => {
    const attr = (name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(m[1])?.[1];
    return {
      x: Number(attr('x')),
      y: Number(attr('y')),
      size: Number(attr('font-size')),
      anchor: (attr('text-anchor') ?? 'start') as SvgText['anchor'],
      rotated: attr('transform') !== undefined,
      content: m[2].replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c))),
    };
  });
}

/** The rectangles of the chart's clip paths (the plot areas), in document order. */
export function clipRects(svg: string): { x: number; y: number; w: number; h: number }[] {
  return [...svg.matchAll(/<clipPath id="[^"]+"><rect x="([-\d.]+)" y="([-\d.]+)" width="([-\d.]+)" height="([-\d.]+)"\/><\/clipPath>/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    w: Number(m[3]),
    h: Number(m[4]),
  }));
}

/** Parses 'rgb(r, g, b)' or '#rrggbb'. */
export function parseColor(c: string): [number, number, number] {
  const m = /^rgb\((\d+), (\d+), (\d+)\)$/.exec(c);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  const h = /^#([0-9a-f]{6})$/i.exec(c);
  if (!h) throw new Error(`not a colour: ${c}`);
  return [0, 2, 4].map((k) => parseInt(h[1].slice(k, k + 2), 16)) as [number, number, number];
}

/** Asserts every text of `svg` (measured with the bundled font) lies inside the image. */
export function assertTextInside(svg: string, width: number, height: number): void {
  const texts = svgTexts(svg);
  expect(texts.length).to.be.above(5);
  for (const t of texts) {
    const w = textWidth(t.content, t.size);
    const start = t.anchor === 'middle' ? -w / 2 : t.anchor === 'end' ? -w : 0;
    const [lo, hi, limit] = t.rotated ? [t.y - w / 2, t.y + w / 2, height] : [t.x + start, t.x + start + w, width];
    expect(lo, `'${t.content}' starts at ${lo}`).to.be.at.least(0);
    expect(hi, `'${t.content}' ends at ${hi} of ${limit}`).to.be.at.most(limit);
    if (!t.rotated) expect(t.y, `'${t.content}' baseline`).to.be.within(0.7 * t.size, height);
  }
}
