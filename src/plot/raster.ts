// A small software rasterizer: just what the charts need (rects, thick anti-aliased polylines,
// discs, polygons, bitmap text, per-pixel shaders), in plain TypeScript so PNG output works on any
// Node install without canvas/cairo binaries.

import { PNG } from 'pngjs';
import { forEachTextCell, textWidth } from './bitmap-font';
import type { Pt, Rgb, TextShape } from './scene';
import { parseHex } from './scene';

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** An RGBA8 image with source-over blending and a rectangular clip. */
export class Raster {
  readonly data: Buffer;
  /** Per-pixel coverage scratch: strokes take the max coverage over their segments and blend
   *  once, so joints and overlapping segments of one polyline do not darken. */
  private readonly cover: Float32Array;
  private clip: Box;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb,
  ) {
    this.data = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      this.data[i * 4] = background[0];
      this.data[i * 4 + 1] = background[1];
      this.data[i * 4 + 2] = background[2];
      this.data[i * 4 + 3] = 255;
    }
    this.cover = new Float32Array(width * height);
    this.clip = { x0: 0, y0: 0, x1: width, y1: height };
  }

  /** Restricts drawing to the intersection of the current clip and a rectangle; returns the old clip. */
  pushClip(x: number, y: number, w: number, h: number): Box {
    const old = this.clip;
    this.clip = {
      x0: Math.max(old.x0, Math.floor(x)),
      y0: Math.max(old.y0, Math.floor(y)),
      x1: Math.min(old.x1, Math.ceil(x + w)),
      y1: Math.min(old.y1, Math.ceil(y + h)),
    };
    return old;
  }

  popClip(old: Box): void {
    this.clip = old;
  }

  /** Blends colour `c` at alpha `a` onto pixel (x, y), respecting the clip. */
  blend(x: number, y: number, c: Rgb, a: number): void {
    const { x0, y0, x1, y1 } = this.clip;
    if (a <= 0 || x < x0 || y < y0 || x >= x1 || y >= y1) return;
    const i = (y * this.width + x) * 4;
    const d = this.data;
    if (a >= 1) {
      d[i] = c[0];
      d[i + 1] = c[1];
      d[i + 2] = c[2];
      return;
    }
    d[i] = Math.round(d[i] + (c[0] - d[i]) * a);
    d[i + 1] = Math.round(d[i + 1] + (c[1] - d[i + 1]) * a);
    d[i + 2] = Math.round(d[i + 2] + (c[2] - d[i + 2]) * a);
  }

  /** Reads pixel (x, y) as RGB. */
  pixel(x: number, y: number): Rgb {
    const i = (y * this.width + x) * 4;
    return [this.data[i], this.data[i + 1], this.data[i + 2]];
  }

  /** Fills a rectangle; fractional edges get partial coverage. */
  fillRect(x: number, y: number, w: number, h: number, c: Rgb, alpha = 1): void {
    if (w <= 0 || h <= 0) return;
    const xa = Math.floor(x);
    const xb = Math.ceil(x + w);
    const ya = Math.floor(y);
    const yb = Math.ceil(y + h);
    for (let py = ya; py < yb; py++) {
      const cy = Math.min(py + 1, y + h) - Math.max(py, y);
      for (let px = xa; px < xb; px++) {
        const cx = Math.min(px + 1, x + w) - Math.max(px, x);
        this.blend(px, py, c, alpha * clamp01(cx) * clamp01(cy));
      }
    }
  }

  /** Strokes a rectangle outline of width `lw` centred on the rectangle's edges. */
  strokeRect(x: number, y: number, w: number, h: number, c: Rgb, lw = 1, alpha = 1): void {
    const hw = lw / 2;
    this.fillRect(x - hw, y - hw, w + lw, lw, c, alpha);
    this.fillRect(x - hw, y + h - hw, w + lw, lw, c, alpha);
    this.fillRect(x - hw, y + hw, lw, h - lw, c, alpha);
    this.fillRect(x + w - hw, y + hw, lw, h - lw, c, alpha);
  }

  /** Strokes polylines with round joins and caps; `dash` is [on, off, ...] in px. */
  strokeRuns(runs: readonly (readonly Pt[])[], width: number, c: Rgb, alpha = 1, dash?: readonly number[]): void {
    const pieces = dash && dash.length > 0 ? runs.flatMap((r) => dashRun(r, dash)) : runs;
    const hw = Math.max(width, 1) / 2;
    const thin = Math.min(1, width); // sub-pixel lines fade instead of thinning
    const box: Box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    for (const run of pieces) {
      if (run.length === 1) this.coverSegment(run[0], run[0], hw, thin, box);
      for (let k = 1; k < run.length; k++) this.coverSegment(run[k - 1], run[k], hw, thin, box);
    }
    for (let y = box.y0; y < box.y1; y++) {
      for (let x = box.x0; x < box.x1; x++) {
        const i = y * this.width + x;
        const cv = this.cover[i];
        if (cv > 0) {
          this.blend(x, y, c, cv * alpha);
          this.cover[i] = 0;
        }
      }
    }
  }

  private coverSegment(a: Pt, b: Pt, hw: number, thin: number, box: Box): void {
    const r = hw + 1;
    const [ax, ay] = a;
    const dx = b[0] - ax;
    const dy = b[1] - ay;
    const len2 = dx * dx + dy * dy;
    const { x0: cx0, y0: cy0, x1: cx1, y1: cy1 } = this.clip;
    const ya = Math.max(cy0, Math.floor(Math.min(ay, b[1]) - r));
    const yb = Math.min(cy1, Math.ceil(Math.max(ay, b[1]) + r));
    for (let py = ya; py < yb; py++) {
      const yc = py + 0.5;
      // Only the part of the segment within r vertically can reach this row.
      let t0 = 0;
      let t1 = 1;
      if (dy !== 0) {
        const u = (yc - r - ay) / dy;
        const v = (yc + r - ay) / dy;
        t0 = Math.max(0, Math.min(u, v));
        t1 = Math.min(1, Math.max(u, v));
        if (t0 > t1) continue;
      } else if (Math.abs(ay - yc) > r) continue;
      const xa = Math.max(cx0, Math.floor(Math.min(ax + dx * t0, ax + dx * t1) - r));
      const xb = Math.min(cx1, Math.ceil(Math.max(ax + dx * t0, ax + dx * t1) + r));
      if (xa >= xb) continue;
      box.x0 = Math.min(box.x0, xa);
      box.x1 = Math.max(box.x1, xb);
      box.y0 = Math.min(box.y0, py);
      box.y1 = Math.max(box.y1, py + 1);
      for (let px = xa; px < xb; px++) {
        const xc = px + 0.5;
        let t = len2 > 0 ? ((xc - ax) * dx + (yc - ay) * dy) / len2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = xc - (ax + dx * t);
        const ey = yc - (ay + dy * t);
        const cov = clamp01(hw + 0.5 - Math.sqrt(ex * ex + ey * ey)) * thin;
        const i = py * this.width + px;
        if (cov > this.cover[i]) this.cover[i] = cov;
      }
    }
  }

  /** Fills a disc, optionally with a 1.5 px outline. */
  fillCircle(cx: number, cy: number, r: number, fill: Rgb, stroke?: Rgb): void {
    const ro = stroke ? r + 0.75 : r;
    for (let py = Math.floor(cy - ro - 1); py <= Math.ceil(cy + ro + 1); py++) {
      for (let px = Math.floor(cx - ro - 1); px <= Math.ceil(cx + ro + 1); px++) {
        const d = Math.hypot(px + 0.5 - cx, py + 0.5 - cy);
        this.blend(px, py, fill, clamp01(r + 0.5 - d));
        if (stroke) this.blend(px, py, stroke, clamp01(Math.min(ro + 0.5 - d, d - (r - 0.75) + 0.5)));
      }
    }
  }

  /** Fills rings (non-zero or even-odd), 4 sub-scanlines per row for anti-aliased edges. */
  fillPolygon(rings: readonly (readonly Pt[])[], c: Rgb, alpha = 1, evenOdd = false): void {
    const edges: [Pt, Pt][] = [];
    let lo = Infinity;
    let hi = -Infinity;
    for (const ring of rings) {
      if (ring.length < 3) continue;
      ring.forEach((p, k) => {
        edges.push([p, ring[(k + 1) % ring.length]]);
        lo = Math.min(lo, p[1]);
        hi = Math.max(hi, p[1]);
      });
    }
    if (edges.length === 0) return;
    const ya = Math.max(this.clip.y0, Math.floor(lo));
    const yb = Math.min(this.clip.y1, Math.ceil(hi));
    const row = new Float32Array(this.width + 1);
    for (let py = ya; py < yb; py++) {
      row.fill(0);
      for (let s = 0; s < 4; s++) {
        const sy = py + (s + 0.5) / 4;
        const xs: { x: number; w: number }[] = [];
        for (const [[x0, y0], [x1, y1]] of edges) {
          if ((y0 <= sy && y1 > sy) || (y1 <= sy && y0 > sy)) {
            xs.push({ x: x0 + ((sy - y0) / (y1 - y0)) * (x1 - x0), w: y1 > y0 ? 1 : -1 });
          }
        }
        xs.sort((p, q) => p.x - q.x);
        let wind = 0;
        for (let k = 0; k + 1 < xs.length; k++) {
          wind += xs[k].w;
          if (evenOdd ? wind % 2 !== 0 : wind !== 0) addSpan(row, xs[k].x, xs[k + 1].x, 0.25, this.width);
        }
      }
      for (let px = 0; px < this.width; px++) if (row[px] > 0) this.blend(px, py, c, clamp01(row[px]) * alpha);
    }
  }

  /** Colours every pixel of a rectangle whose centre the shader maps to a colour. */
  shade(x: number, y: number, w: number, h: number, fn: (x: number, y: number) => Rgb | null): void {
    for (let py = Math.floor(y); py < Math.ceil(y + h); py++) {
      for (let px = Math.floor(x); px < Math.ceil(x + w); px++) {
        const c = fn(px + 0.5, py + 0.5);
        if (c) this.blend(px, py, c, 1);
      }
    }
  }

  /** Draws bitmap-font text; cells land on whole pixels so glyphs stay crisp. */
  drawText(t: TextShape): void {
    const s = Math.max(1, Math.round(t.scale));
    const w = textWidth(t.text, s);
    const shift = t.anchor === 'middle' ? w / 2 : t.anchor === 'end' ? w : 0;
    const ox = Math.round(t.x - (t.rotate === -90 ? 0 : shift));
    const oy = Math.round(t.y + (t.rotate === -90 ? shift : 0));
    const cells: [number, number][] = [];
    forEachTextCell(t.text, (fx, fy) => cells.push([fx * s, fy * s]));
    const put = (u: number, v: number, grow: number, c: Rgb): void => {
      // (u, v): offset along and across the baseline, in px; rotation maps along → up.
      if (t.rotate === -90) this.fillRect(ox + v - grow, oy - u - s - grow, s + 2 * grow, s + 2 * grow, c);
      else this.fillRect(ox + u - grow, oy + v - grow, s + 2 * grow, s + 2 * grow, c);
    };
    const bold = t.bold ? Math.max(1, Math.floor(s / 2)) : 0;
    if (t.halo) {
      const halo = parseHex(t.halo);
      const grow = Math.max(1, Math.round(s * 0.75));
      for (const [u, v] of cells) {
        put(u, v, grow, halo);
        if (bold) put(u + bold, v, grow, halo);
      }
    }
    const color = parseHex(t.color);
    for (const [u, v] of cells) {
      put(u, v, 0, color);
      if (bold) put(u + bold, v, 0, color);
    }
  }

  /** Encodes the image as an RGB PNG (no alpha channel: charts are opaque). */
  toPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    this.data.copy(png.data);
    return PNG.sync.write(png, { colorType: 2 });
  }
}

function addSpan(row: Float32Array, xa: number, xb: number, weight: number, width: number): void {
  const a = Math.max(0, xa);
  const b = Math.min(width, xb);
  if (b <= a) return;
  const ia = Math.floor(a);
  const ib = Math.floor(b);
  if (ia === ib) {
    row[ia] += (b - a) * weight;
    return;
  }
  row[ia] += (ia + 1 - a) * weight;
  for (let k = ia + 1; k < ib; k++) row[k] += weight;
  if (ib < width) row[ib] += (b - ib) * weight;
}

/** Splits a polyline into its visible dashes, carrying the dash phase across vertices. */
function dashRun(run: readonly Pt[], dash: readonly number[]): Pt[][] {
  const out: Pt[][] = [];
  let k = 0;
  let left = dash[0];
  let on = true;
  let cur: Pt[] = on ? [run[0]] : [];
  for (let i = 1; i < run.length; i++) {
    let [x0, y0] = run[i - 1];
    const [x1, y1] = run[i];
    let segLen = Math.hypot(x1 - x0, y1 - y0);
    while (segLen > left) {
      const f = left / segLen;
      const p: Pt = [x0 + (x1 - x0) * f, y0 + (y1 - y0) * f];
      if (on) {
        cur.push(p);
        out.push(cur);
      }
      cur = [p];
      on = !on;
      segLen -= left;
      [x0, y0] = p;
      k = (k + 1) % dash.length;
      left = Math.max(dash[k], 1e-3);
    }
    left -= segLen;
    if (on) cur.push([x1, y1]);
  }
  if (on && cur.length > 1) out.push(cur);
  return out;
}
