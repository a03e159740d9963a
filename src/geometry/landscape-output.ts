// Writes a landscape to a folder: the data (JSON, CSV) and the pictures (SVG and PNG): a filled
// contour plot for 2-D landscapes and a loss slice along direction 1 for both kinds.
import { writeFileAtomic } from '../core/atomic-file';
import * as path from 'node:path';
import { contourPng, contourSvg, ContourPlot, gridSlice, SlicePlot, slicePng, sliceSvg } from '../plot';
import { Landscape } from './landscape';
import { makeOutputDirectory } from '../core/safe-fs';

export interface LandscapeFiles {
  readonly json: string;
  readonly csv: string;
  /** The 1-D slice along direction 1 (through the origin). */
  readonly sliceSvg: string;
  readonly slicePng: string;
  /** The 2-D contour plot (2-D landscapes only). */
  readonly contourSvg?: string;
  readonly contourPng?: string;
}

export interface WriteLandscapeOptions {
  /** Figure title. Default: 'loss landscape'. */
  readonly title?: string;
  /** File name stem. Default: 'landscape'. */
  readonly name?: string;
}

/** The landscape as CSV: one row per grid point (x, y, loss, accuracy); y is 0 in 1-D. */
export function landscapeCsv(l: Landscape): string {
  const rows = ['x,y,loss,accuracy'];
  l.x.forEach((x, i) => l.loss[i].forEach((loss, j) => rows.push(`${x},${l.dimensions === 2 ? l.y[j] : 0},${loss},${l.accuracy[i][j]}`)));
  return `${rows.join('\n')}\n`;
}

/** The contour plot of a 2-D landscape, the trained weights marked at the origin. */
export function landscapeContour(l: Landscape, title = 'loss landscape'): ContourPlot {
  return { x: l.x, y: l.y, z: l.loss, title, xLabel: 'direction 1 (d₁)', yLabel: 'direction 2 (d₂)', zLabel: 'loss', marks: [{ x: 0, y: 0, label: 'w' }] };
}

/** The loss along direction 1 through the origin. */
export function landscapeSlice(l: Landscape, title = 'loss landscape'): SlicePlot {
  const points = l.dimensions === 2 ? gridSlice({ x: l.x, y: l.y, z: l.loss }, 'x', 0) : l.x.map((x, i) => [x, l.loss[i][0]] as const);
  return { title: `${title}, along direction 1`, xLabel: 'direction 1 (d₁)', yLabel: 'loss', series: [{ name: 'loss', points }] };
}

export function writeLandscape(l: Landscape, dir: string, options: WriteLandscapeOptions = {}): LandscapeFiles {
  makeOutputDirectory(dir);
  const stem = path.join(dir, options.name ?? 'landscape');
  const title = options.title ?? 'loss landscape';
  const files = { json: `${stem}.json`, csv: `${stem}.csv`, sliceSvg: `${stem}-slice.svg`, slicePng: `${stem}-slice.png` };
  writeFileAtomic(files.json, `${JSON.stringify(l, null, 1)}\n`);
  writeFileAtomic(files.csv, landscapeCsv(l));
  const slice = landscapeSlice(l, title);
  writeFileAtomic(files.sliceSvg, sliceSvg(slice));
  writeFileAtomic(files.slicePng, slicePng(slice));
  if (l.dimensions !== 2) return files;
  const contour = landscapeContour(l, title);
  const more = { contourSvg: `${stem}.svg`, contourPng: `${stem}.png` };
  writeFileAtomic(more.contourSvg, contourSvg(contour));
  writeFileAtomic(more.contourPng, contourPng(contour));
  return { ...files, ...more };
}
