// Scene → SVG text. Output is deterministic (same input, same bytes) so it can be diffed and
// tested; clip-path ids derive from a hash of the document so several charts inlined into one
// HTML page do not capture each other's clip rectangles.

import { hashString } from '../core/rng';
import type { Pt, Scene, Shape, TextShape } from './scene';

/** SVG font size per unit of bitmap-font scale. */
const FONT_PX_PER_SCALE = 10;
// Helvetica/Arial (or metric-compatible Liberation Sans) have a ~0.72 em cap height and
// ~0.56 em digits: at 10 px per scale unit they match the bitmap font's 7-unit caps and 6-unit
// advance, so layout measured with the bitmap font also fits the SVG text.
const FONT_FAMILY = 'Helvetica, Arial, Liberation Sans, sans-serif';
const ID_TOKEN = '\u0000clip';

/** Escapes text for element content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Rounds coordinates to 0.1 px: finer than any display resolves, and keeps files small. */
function n(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

function pointsAttr(pts: readonly Pt[]): string {
  return pts.map(([x, y]) => `${n(x)},${n(y)}`).join(' ');
}

function opacityAttr(o: number | undefined, name = 'opacity'): string {
  return o === undefined || o >= 1 ? '' : ` ${name}="${n(o)}"`;
}

function textSvg(t: TextShape): string {
  const size = t.scale * FONT_PX_PER_SCALE;
  const attrs = [`x="${n(t.x)}"`, `y="${n(t.y)}"`, `font-size="${size}"`, `fill="${t.color}"`];
  if (t.anchor !== 'start') attrs.push(`text-anchor="${t.anchor}"`);
  if (t.bold) attrs.push('font-weight="bold"');
  if (t.rotate === -90) attrs.push(`transform="rotate(-90 ${n(t.x)} ${n(t.y)})"`);
  if (t.halo) {
    attrs.push(`stroke="${t.halo}"`, `stroke-width="${n(size / 4)}"`, 'stroke-linejoin="round"', 'paint-order="stroke"');
  }
  return `<text ${attrs.join(' ')}>${escapeXml(t.text)}</text>`;
}

function shapeSvg(s: Shape, out: string[], clipCount: { n: number }): void {
  switch (s.kind) {
    case 'rect': {
      const fill = s.fill ?? 'none';
      const stroke = s.stroke ? ` stroke="${s.stroke}" stroke-width="${n(s.strokeWidth ?? 1)}"` : '';
      out.push(`<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" fill="${fill}"${stroke}${opacityAttr(s.opacity)}/>`);
      return;
    }
    case 'line': {
      const runs = s.runs.filter((r) => r.length > 0);
      if (runs.length === 0) return;
      const d = runs
        .map((r) => (r.length === 1 ? `M${n(r[0][0])} ${n(r[0][1])}h0` : 'M' + pointsAttr(r).replace(/ /g, 'L')))
        .join('');
      const dash = s.dash ? ` stroke-dasharray="${s.dash.map(n).join(' ')}"` : '';
      out.push(
        `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${n(s.width)}" stroke-linejoin="round" stroke-linecap="round"${dash}${opacityAttr(s.opacity, 'stroke-opacity')}/>`,
      );
      return;
    }
    case 'polygon': {
      const d = s.rings.filter((r) => r.length >= 3).map((r) => 'M' + pointsAttr(r).replace(/ /g, 'L') + 'Z').join('');
      const rule = s.fillRule === 'evenodd' ? ' fill-rule="evenodd"' : '';
      if (d) out.push(`<path d="${d}" fill="${s.fill}"${rule}/>`);
      return;
    }
    case 'circle': {
      const stroke = s.stroke ? ` stroke="${s.stroke}" stroke-width="1.5"` : '';
      out.push(`<circle cx="${n(s.cx)}" cy="${n(s.cy)}" r="${n(s.r)}" fill="${s.fill}"${stroke}/>`);
      return;
    }
    case 'text':
      out.push(textSvg(s));
      return;
    case 'clip': {
      const id = `${ID_TOKEN}${clipCount.n++}`;
      out.push(`<clipPath id="${id}"><rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}"/></clipPath>`);
      out.push(`<g clip-path="url(#${id})">`);
      for (const c of s.children) shapeSvg(c, out, clipCount);
      out.push('</g>');
      return;
    }
    case 'field':
      shapeSvg({ kind: 'clip', x: s.x, y: s.y, w: s.w, h: s.h, children: s.svg }, out, clipCount);
      return;
  }
}

/** Serializes a scene as a standalone SVG document. `title` becomes the accessible <title>. */
export function sceneToSvg(scene: Scene, title?: string): string {
  const out: string[] = [];
  const w = n(scene.width);
  const h = n(scene.height);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="${FONT_FAMILY}">`,
  );
  if (title) out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect width="${w}" height="${h}" fill="${scene.background}"/>`);
  const clipCount = { n: 0 };
  for (const s of scene.shapes) shapeSvg(s, out, clipCount);
  out.push('</svg>');
  const body = out.join('\n') + '\n';
  const prefix = `p${hashString(body).toString(36)}-`;
  return body.split(ID_TOKEN).join(prefix);
}
