import { expect } from 'chai';
import type { ContourPlot, Scene } from '../../src/plot';
import { contourPng, contourScene, contourSvg, gridSlice, sliceChart, slicePng, sliceSvg } from '../../src/plot';
import { colormap } from '../../src/plot/colors';
import type { DataPt, Grid } from '../../src/plot/marching-squares';
import { isolines, missingCells, normalizeGrid, refineGrid, sampleGrid, simplify, superlevelRings } from '../../src/plot/marching-squares';
import { assertWellFormedSvg, colorDistance, decodePng } from './helpers';

function makeGrid(n: number, f: (x: number, y: number) => number, lo = -1, hi = 1): Grid {
  const x = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  return { x, y: x, z: x.map((a) => x.map((b) => f(a, b))) };
}

function ringArea(r: readonly DataPt[]): number {
  let s = 0;
  for (let k = 0; k < r.length; k++) {
    const [x0, y0] = r[k];
    const [x1, y1] = r[(k + 1) % r.length];
    s += x0 * y1 - x1 * y0;
  }
  return Math.abs(s) / 2;
}

function insideEvenOdd(rings: readonly (readonly DataPt[])[], [px, py]: DataPt): boolean {
  let inside = false;
  for (const r of rings) {
    for (let k = 0, m = r.length - 1; k < r.length; m = k++) {
      const [xk, yk] = r[k];
      const [xm, ym] = r[m];
      if (yk > py !== ym > py && px < ((xm - xk) * (py - yk)) / (ym - yk) + xk) inside = !inside;
    }
  }
  return inside;
}

/** The plot-area rectangle (the grey 'missing data' underlay is its first rect). */
function plotArea(scene: Scene): { x: number; y: number; w: number; h: number } {
  const r = scene.shapes.find((s) => s.kind === 'rect' && s.fill === '#d4d4d4');
  if (!r || r.kind !== 'rect') throw new Error('no plot area');
  return r;
}

const bowl: ContourPlot = {
  title: 'bowl & <landscape>',
  xLabel: 'α',
  yLabel: 'β',
  zLabel: 'loss',
  ...makeGrid(31, (a, b) => a * a + 2 * b * b),
  marks: [{ x: 0, y: 0, label: 'trained' }],
};

describe('plot/marching-squares', () => {
  it('finds a straight iso-line of a plane', () => {
    const lines = isolines(makeGrid(5, (x) => x), 0.3);
    expect(lines).to.have.length(1);
    for (const [x] of lines[0]) expect(x).to.be.closeTo(0.3, 1e-12);
    const ys = lines[0].map((p) => p[1]).sort((a, b) => a - b);
    expect(ys[0]).to.equal(-1);
    expect(ys[ys.length - 1]).to.equal(1);
  });

  it('joins a closed loop around a minimum', () => {
    const lines = isolines(makeGrid(21, (x, y) => x * x + y * y), 0.25);
    expect(lines).to.have.length(1);
    const loop = lines[0];
    expect(loop[0]).to.deep.equal(loop[loop.length - 1]);
    for (const [x, y] of loop) expect(Math.hypot(x, y)).to.be.closeTo(0.5, 0.01);
  });

  it('resolves saddles and skips cells with missing values', () => {
    const saddle = isolines({ x: [0, 1], y: [0, 1], z: [[1, 0], [0, 1]] }, 0.5);
    expect(saddle).to.have.length(2);
    const holes = makeGrid(11, (x, y) => (Math.abs(x) < 0.15 ? NaN : x * x + y * y));
    for (const line of isolines(holes, 0.5)) for (const [x] of line) expect(Math.abs(x)).to.be.at.least(0.15);
  });

  it('superlevel rings filled even-odd cover exactly the region z ≥ level', () => {
    const fields: [Grid, number][] = [
      [makeGrid(9, (x) => x), 0.3],
      [makeGrid(21, (x, y) => x * x + y * y), 0.25],
      [makeGrid(17, (x, y) => Math.sin(3 * x) * Math.cos(2 * y) + 0.3 * y), 0.1],
    ];
    for (const [g, level] of fields) {
      const rings = superlevelRings(g, level);
      for (const r of rings) expect(r[0]).to.deep.equal(r[r.length - 1]);
      let checked = 0;
      for (let i = 0; i <= 40; i++) {
        for (let j = 0; j <= 40; j++) {
          const p: DataPt = [-0.999 + (1.998 * i) / 40, -0.999 + (1.998 * j) / 40];
          const v = sampleGrid(g, p[0], p[1]);
          if (Math.abs(v - level) < 0.05) continue; // marching squares cuts straight across cells
          expect(insideEvenOdd(rings, p), `${p} v=${v}`).to.equal(v >= level);
          checked++;
        }
      }
      expect(checked).to.be.above(1000);
    }
  });

  it('lists cells with missing corners and simplifies collinear runs', () => {
    const g = makeGrid(5, (x, y) => (x === 0 && y === 0 ? NaN : 1));
    const holes = missingCells(g);
    expect(holes).to.have.length(2); // two columns of two cells each, merged per column
    expect(holes.reduce((s, r) => s + ringArea(r), 0)).to.be.closeTo(1, 1e-12);
    const line: DataPt[] = Array.from({ length: 50 }, (_, i) => [i, i % 2 ? 0.01 : 0]);
    expect(simplify(line, 0.1)).to.deep.equal([line[0], line[49]]);
    expect(simplify([[0, 0], [1, 5], [2, 0]], 0.1)).to.have.length(3);
  });

  it('refines bilinearly and samples between grid points', () => {
    const g = { x: [0, 2], y: [0, 2], z: [[0, 2], [2, 4]] };
    const f = refineGrid(g, 2);
    expect(f.x).to.deep.equal([0, 1, 2]);
    expect(f.z[1][1]).to.equal(2);
    expect(sampleGrid(g, 0.5, 1)).to.equal(1.5);
    expect(Number.isNaN(sampleGrid(g, 3, 1))).to.equal(true);
  });

  it('validates and normalizes grids', () => {
    expect(() => normalizeGrid({ x: [0, 1], y: [0, 1, 2], z: [[0, 0], [0, 0]] })).to.throw(RangeError, /z\[0\]/);
    expect(() => normalizeGrid({ x: [0, 1, 2], y: [0, 1], z: [[0, 0], [0, 0]] })).to.throw(RangeError, /rows/);
    expect(() => normalizeGrid({ x: [0, 1, 1], y: [0, 1], z: [[0, 0], [0, 0], [0, 0]] })).to.throw(RangeError, /monotonic/);
    const n = normalizeGrid({ x: [1, 0], y: [0, 1], z: [[10, 11], [0, 1]] });
    expect(n.x).to.deep.equal([0, 1]);
    expect(n.z).to.deep.equal([[0, 1], [10, 11]]);
  });
});

describe('plot/contour', () => {
  it('produces well-formed SVG with title, labels and a colour bar', () => {
    const svg = contourSvg(bowl);
    assertWellFormedSvg(svg);
    expect(svg).to.include('bowl &#38; &#60;landscape&#62;');
    for (const s of ['>loss<', '>trained<', '>α<', '>β<']) expect(svg).to.include(s);
    expect(svg).to.not.match(/NaN|Infinity/);
    expect(svg.length).to.be.below(400_000);
  });

  it('renders a PNG heat map of the requested size with low values dark and high values bright', () => {
    const opts = { width: 500, height: 400, logZ: false, isolines: false } as const;
    const area = plotArea(contourScene(bowl, opts));
    const img = decodePng(contourPng(bowl, opts));
    expect([img.width, img.height]).to.deep.equal([500, 400]);
    // Just left of the centre: the centre itself carries the 'trained' mark and its label.
    const centre = img.rgb(Math.round(area.x + area.w / 2 - 20), Math.round(area.y + area.h / 2));
    const corner = img.rgb(Math.round(area.x + 3), Math.round(area.y + 3));
    expect(colorDistance(centre, colormap('viridis', 0))).to.be.below(30);
    expect(colorDistance(corner, colormap('viridis', 1))).to.be.below(30);
  });

  it('leaves missing values grey and still draws the rest', () => {
    const plot: ContourPlot = { ...makeGrid(21, (x, y) => (x > 0.5 && y > 0.5 ? NaN : x + y)) };
    const opts = { width: 400, height: 400 };
    const area = plotArea(contourScene(plot, opts));
    const img = decodePng(contourPng(plot, opts));
    const px = (fx: number, fy: number): [number, number, number] => img.rgb(Math.round(area.x + fx * area.w), Math.round(area.y + fy * area.h));
    expect(px(0.95, 0.05)).to.deep.equal([0xd4, 0xd4, 0xd4]);
    expect(colorDistance(px(0.05, 0.95), [0xd4, 0xd4, 0xd4])).to.be.above(30);
    assertWellFormedSvg(contourSvg(plot));
  });

  it('copes with all-missing and constant grids', () => {
    const empty = makeGrid(4, () => NaN);
    expect(contourSvg(empty)).to.include('>no data<');
    decodePng(contourPng(empty));
    const flat = makeGrid(4, () => 3);
    assertWellFormedSvg(contourSvg(flat));
    decodePng(contourPng(flat));
  });

  it('uses log levels for values spanning decades and honours explicit levels', () => {
    const steep = makeGrid(21, (x, y) => 0.01 * Math.exp(8 * (x * x + y * y)));
    const svg = contourSvg(steep);
    expect(svg).to.include('>0.01<');
    expect(svg).to.include('>100<');
    const fixed = contourSvg(bowl, { levels: [0, 0.25, 1, 3], logZ: false });
    expect(fixed).to.include('>0.25<');
  });

  it('rejects malformed grids', () => {
    expect(() => contourSvg({ x: [0, 1], y: [0, 1], z: [[1, 2]] })).to.throw(RangeError);
  });
});

describe('plot/slice', () => {
  it('cuts a slice out of a grid', () => {
    const g = makeGrid(5, (x, y) => x + 10 * y);
    expect(gridSlice(g, 'x', 0.25).map((p) => p[1])).to.deep.equal([1.5, 2, 2.5, 3, 3.5]);
    expect(gridSlice(g, 'y', 0).map((p) => p[1])).to.deep.equal([-10, -5, 0, 5, 10]);
    expect(gridSlice(g, 'x', 5).every((p) => Number.isNaN(p[1]))).to.equal(true);
  });

  it('renders through the line chart', () => {
    const slice = { title: 'slice', xLabel: 'α', yLabel: 'loss', series: [{ name: 'train', points: gridSlice(bowl, 'x', 0) }] };
    expect(sliceChart(slice).panels[0].series[0].markers).to.equal(false);
    const svg = sliceSvg(slice);
    assertWellFormedSvg(svg);
    expect(svg).to.include('>train<');
    const img = decodePng(slicePng(slice, { width: 320, height: 240 }));
    expect([img.width, img.height]).to.deep.equal([320, 240]);
  });
});
