// Iso-line labels for contour plots: placement that avoids collisions, and cutting the lines so
// each label sits in a gap.

import type { Rect } from './axes';
import { CAP_HEIGHT, textWidth } from './bitmap-font';
import type { Pt, Shape } from './scene';

const overlaps = (a: Rect, b: Rect): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Iso-lines of one level, in pixels, with the label text and its colour. */
export interface LabelledLines {
  readonly runs: readonly Pt[][];
  readonly text: string;
  readonly color: string;
}

/**
 * Places each level's value on up to two of its longest lines, choosing among several positions
 * the one farthest from labels already placed (so labels spread out instead of lining up) and
 * never overlapping `taken`. Returns the texts and the boxes to cut out of the lines, so labels
 * sit in a gap as in matplotlib's clabel.
 */
export function placeLineLabels(levels: readonly LabelledLines[], area: Rect, taken: Rect[], scale: number): { shapes: Shape[]; gaps: Rect[] } {
  const shapes: Shape[] = [];
  const gaps: Rect[] = [];
  const centres: Pt[] = [];
  const h = (CAP_HEIGHT + 2) * scale;
  for (const level of levels) {
    const w = textWidth(level.text, scale) + 4 * scale;
    const lengths = level.runs.map(runLength);
    const order = level.runs.map((_, k) => k).sort((a, b) => lengths[b] - lengths[a]);
    let count = 0;
    for (const k of order) {
      if (count >= 2 || lengths[k] < 3 * w) break;
      let best: { p: Pt; box: Rect; score: number } | null = null;
      for (let f = 0.05; f < 1; f += 0.1) {
        const p = pointAt(level.runs[k], lengths[k] * f);
        const box: Rect = { x: p[0] - w / 2, y: p[1] - h / 2, w, h };
        const inside = box.x > area.x + 2 && box.y > area.y + 2 && box.x + w < area.x + area.w - 2 && box.y + h < area.y + area.h - 2;
        if (!inside || taken.some((b) => overlaps(b, box))) continue;
        const score = Math.min(Infinity, ...centres.map((c) => Math.hypot(c[0] - p[0], c[1] - p[1])));
        if (!best || score > best.score) best = { p, box, score };
      }
      if (!best) continue;
      const { p, box } = best;
      taken.push({ x: box.x - 4 * scale, y: box.y - 2 * scale, w: box.w + 8 * scale, h: box.h + 4 * scale });
      gaps.push(box);
      centres.push(p);
      const baseline = Math.round(p[1] + (CAP_HEIGHT * scale) / 2);
      shapes.push({ kind: 'text', x: Math.round(p[0]), y: baseline, text: level.text, scale, color: level.color, anchor: 'middle' });
      count++;
    }
  }
  return { shapes, gaps };
}

function runLength(r: readonly Pt[]): number {
  let s = 0;
  for (let k = 1; k < r.length; k++) s += Math.hypot(r[k][0] - r[k - 1][0], r[k][1] - r[k - 1][1]);
  return s;
}

/** Parameter interval [t0, t1] of segment a→b inside `box` (Liang–Barsky), or null. */
function clipSegment(a: Pt, b: Pt, box: Rect): [number, number] | null {
  let t0 = 0;
  let t1 = 1;
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const ps = [-dx, dx, -dy, dy];
  const qs = [a[0] - box.x, box.x + box.w - a[0], a[1] - box.y, box.y + box.h - a[1]];
  for (let i = 0; i < 4; i++) {
    if (ps[i] === 0) {
      if (qs[i] < 0) return null;
    } else {
      const r = qs[i] / ps[i];
      if (ps[i] < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
    }
  }
  return t0 < t1 ? [t0, t1] : null;
}

/** Removes the parts of polylines that pass through any of `boxes`. */
export function cutRuns(runs: readonly Pt[][], boxes: readonly Rect[]): Pt[][] {
  let out: Pt[][] = [...runs];
  const lerp = (a: Pt, b: Pt, t: number): Pt => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
  for (const box of boxes) {
    const next: Pt[][] = [];
    for (const run of out) {
      let cur: Pt[] = [];
      const start = run[0];
      if (!(start[0] > box.x && start[0] < box.x + box.w && start[1] > box.y && start[1] < box.y + box.h)) cur.push(start);
      for (let k = 1; k < run.length; k++) {
        const a = run[k - 1];
        const b = run[k];
        const hit = clipSegment(a, b, box);
        if (!hit) {
          if (cur.length === 0) cur.push(a);
          cur.push(b);
          continue;
        }
        if (hit[0] > 0) {
          if (cur.length === 0) cur.push(a);
          cur.push(lerp(a, b, hit[0]));
        }
        if (cur.length > 1) next.push(cur);
        cur = hit[1] < 1 ? [lerp(a, b, hit[1]), b] : [];
      }
      if (cur.length > 1) next.push(cur);
    }
    out = next;
  }
  return out;
}

function pointAt(run: readonly Pt[], dist: number): Pt {
  let left = dist;
  for (let k = 1; k < run.length; k++) {
    const seg = Math.hypot(run[k][0] - run[k - 1][0], run[k][1] - run[k - 1][1]);
    if (seg >= left && seg > 0) {
      const f = left / seg;
      return [run[k - 1][0] + (run[k][0] - run[k - 1][0]) * f, run[k - 1][1] + (run[k][1] - run[k - 1][1]) * f];
    }
    left -= seg;
  }
  return run[run.length - 1];
}
