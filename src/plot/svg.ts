// SVG is the one source of truth for every chart: charts build SVG text with these helpers, and
// the PNG is that same SVG rendered by resvg with the bundled font only (no system fonts), so the
// two outputs agree and text renders identically on any machine.

import { createHash } from 'node:crypto';
import { Resvg } from '@resvg/resvg-js';
import { FONT_FAMILY, FONT_FILES } from './font';

/** Chart chrome, matplotlib-like: dark frame and text, light grid. */
export const THEME = { text: '#262626', muted: '#595959', frame: '#3d3d3d', grid: '#e6e6e6', legendBorder: '#cccccc' } as const;

/** A rectangle in image pixels. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const ESCAPES: Record<string, string> = { '&': '&#38;', '<': '&#60;', '>': '&#62;', '"': '&#34;' };

/** Escapes text for XML content and attribute values. */
export const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ESCAPES[c]);

/** Rounds to 0.01 px: enough for any display, and keeps the SVG compact. */
export const num = (v: number): string => String(Math.round(v * 100) / 100);

type Attr = string | number | undefined;

/** One SVG element; undefined attributes are left out, numbers are rounded. */
export function el(tag: string, attrs: Readonly<Record<string, Attr>>, ...children: string[]): string {
  const a = Object.entries(attrs)
    .filter((kv): kv is [string, string | number] => kv[1] !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? num(v) : esc(v)}"`)
    .join('');
  return children.length > 0 ? `<${tag}${a}>${children.join('')}</${tag}>` : `<${tag}${a}/>`;
}

/** Options of one text element. */
export interface TextStyle {
  readonly size: number;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly color?: string;
  /** Rotation in degrees about the anchor point (-90: reads bottom to top). */
  readonly rotate?: number;
  /** Vertical alignment of y: the baseline (default), the middle of the digits, or the top. */
  readonly valign?: 'baseline' | 'middle' | 'top';
}

/** A text element; y is moved from the requested alignment to the baseline with the font's metrics. */
export function text(x: number, y: number, content: string, s: TextStyle): string {
  // DejaVu Sans digits are 0.729 em tall; ascent of capitals ~0.73 em.
  const shift = s.valign === 'middle' ? 0.36 * s.size : s.valign === 'top' ? 0.76 * s.size : 0;
  return el(
    'text',
    { x, y: y + shift, 'font-size': s.size, 'text-anchor': s.anchor === 'start' ? undefined : s.anchor, fill: s.color ?? THEME.text, transform: s.rotate ? `rotate(${s.rotate} ${num(x)} ${num(y)})` : undefined },
    esc(content),
  );
}

/** A polyline or polygon path from pixel points ('M x y L ...', 'Z' to close). */
export function pathData(points: readonly (readonly [number, number])[], close = false): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${num(p[0])} ${num(p[1])}`).join('') + (close ? 'Z' : '');
}

/**
 * Prefix of the clip and gradient ids of one document: they must differ between documents
 * inlined into one HTML page, yet the same content must give the same bytes, so it is derived
 * from the content.
 */
export function documentId(prefix: string, content: unknown): string {
  return `${prefix}${createHash('sha1').update(JSON.stringify(content)).digest('hex').slice(0, 8)}`;
}

/** The document: page size, white (or given) background, the bundled font for all text. */
export function svgDocument(width: number, height: number, title: string | undefined, background: string, body: string[]): string {
  return el(
    'svg',
    // Browsers without DejaVu Sans fall back to their sans-serif; resvg always has the bundled one.
    { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': `${FONT_FAMILY}, sans-serif` },
    ...(title ? [el('title', {}, esc(title))] : []),
    el('rect', { width, height, fill: background }),
    ...body,
  );
}

/** Renders SVG text to PNG bytes at its own size, with the bundled font only. */
export function svgToPng(svg: string): Buffer {
  const r = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: [...FONT_FILES], defaultFontFamily: FONT_FAMILY }, shapeRendering: 2, textRendering: 1 });
  return r.render().asPng();
}

/** Validates an image dimension option (px): a finite number ≥ 1, rounded. */
export function pixelSize(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 1) throw new RangeError(`plot: ${name} must be a finite number ≥ 1 px, got ${v}`);
  return Math.round(v);
}

/** Checks a colour option so a typo fails loudly instead of drawing black. */
export function checkColor(color: string): string {
  if (!/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color)) throw new RangeError(`plot: colour must be '#rgb' or '#rrggbb', got '${color}'`);
  return color;
}
