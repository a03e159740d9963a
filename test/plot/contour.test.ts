import { expect } from 'chai';
import type { ContourPlot, Grid } from '../../src/plot';
import { contourGridPng, contourGridSvg, contourLevels, contourPng, contourSvg, gridSlice, sliceChart, slicePng, sliceSvg } from '../../src/plot';
import { colormap } from '../../src/plot/colors';
import { MISSING_COLOR } from '../../src/plot/contour';
import { normalizeGrid, refineGrid, sampleGrid } from '../../src/plot/grid';
import { assertTextInside, assertWellFormedSvg, clipRects, colorDistance, decodePng, parseColor } from './helpers';

function makeGrid(n: number, f: (x: number, y: number) => number, lo = -1, hi = 1): Grid {
  const x = Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  return { x, y: x, z: x.map((a) => x.map((b) => f(a, b))) };
}

const bowl: ContourPlot = {
  title: 'bowl & <landscape>',
  xLabel: 'direction 1 (d₁)',
  yLabel: 'direction 2 (d₂)',
  zLabel: 'loss',
  ...makeGrid(31, (a, b) => a * a + 2 * b * b),
  marks: [{ x: 0, y: 0, label: 'trained' }],
};

type Img = ReturnType<typeof decodePng>;
/** Pixel at fractions (fx, fy) of a plot area, fy measured from the top. */
const at = (img: Img, area: { x: number; y: number; w: number; h: number }, fx: number, fy: number): [number, number, number] =>
  img.rgb(Math.round(area.x + fx * area.w), Math.round(area.y + fy * area.h));

describe('plot/grid', () => {
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
  it('produces well-formed SVG with title, direction labels and a colour bar', () => {
    const svg = contourSvg(bowl);
    assertWellFormedSvg(svg);
    expect(svg).to.include('bowl &#38; &#60;landscape&#62;');
    for (const s of ['>loss<', '>trained<', '>direction 1 (d₁)<', '>direction 2 (d₂)<', '>3.0<']) expect(svg).to.include(s);
    expect(svg).to.not.match(/NaN|Infinity/);
    expect(svg.length).to.be.below(400_000);
    assertTextInside(svg, 720, 560);
    assertTextInside(contourSvg(bowl, { width: 300, height: 240 }), 300, 240);
    assertTextInside(contourGridSvg([bowl, bowl, bowl], { title: 'SGD / SAM / CR-SAM', width: 900, height: 320 }), 900, 320);
  });

  it('renders a PNG of the requested size with low values dark and high values bright', () => {
    const opts = { width: 500, height: 400, logZ: false, isolines: false } as const;
    const [area] = clipRects(contourSvg(bowl, opts));
    const img = decodePng(contourPng(bowl, opts));
    expect([img.width, img.height]).to.deep.equal([500, 400]);
    // Just left of the centre: the centre itself carries the 'trained' mark and its label.
    expect(colorDistance(at(img, area, 0.45, 0.5), parseColor(colormap('viridis', 0)))).to.be.below(30);
    expect(colorDistance(at(img, area, 0.01, 0.01), parseColor(colormap('viridis', 1)))).to.be.below(30);
  });

  it('puts band edges where the data crosses the level (d3-contour grid offset undone)', () => {
    // z = x: with levels -1, 0, 1 the band edge is the line x = 0, a third of the way across.
    const plane: ContourPlot = makeGrid(7, (x) => x, -1, 2);
    const opts = { width: 500, height: 400, levels: [-1, 0, 1, 2], isolines: false };
    const [area] = clipRects(contourSvg(plane, opts));
    const img = decodePng(contourPng(plane, opts));
    const band = (k: number): [number, number, number] => parseColor(colormap('viridis', k / 2));
    expect(colorDistance(at(img, area, 1 / 3 - 0.01, 0.5), band(0))).to.be.below(20);
    expect(colorDistance(at(img, area, 1 / 3 + 0.01, 0.5), band(1))).to.be.below(20);
    expect(colorDistance(at(img, area, 2 / 3 + 0.01, 0.5), band(2))).to.be.below(20);
  });

  it('leaves missing values grey and still draws the rest', () => {
    const plot: ContourPlot = { ...makeGrid(21, (x, y) => (x > 0.5 && y > 0.5 ? NaN : x + y)) };
    const opts = { width: 400, height: 400 };
    const [area] = clipRects(contourSvg(plot, opts));
    const img = decodePng(contourPng(plot, opts));
    expect(at(img, area, 0.95, 0.05)).to.deep.equal(parseColor(MISSING_COLOR));
    expect(colorDistance(at(img, area, 0.05, 0.95), parseColor(MISSING_COLOR))).to.be.above(30);
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
    expect(contourLevels([steep])?.log).to.equal(true);
    expect(contourSvg(bowl, { levels: [0, 0.25, 1, 3], logZ: false })).to.include('>0.25<');
  });

  it('shares one colour scale when given a value range, and across side-by-side panels', () => {
    const flat = { ...makeGrid(21, (a, b) => a * a + b * b), title: 'CR-SAM' };
    const sharp = { ...makeGrid(21, (a, b) => 4 * (a * a + b * b)), title: 'SGD' };
    // Each on its own scale, both corners take the top colour: the figures cannot be compared.
    const own = [flat, sharp].map((p) => {
      const [area] = clipRects(contourSvg(p, { isolines: false }));
      return at(decodePng(contourPng(p, { isolines: false })), area, 0.01, 0.01);
    });
    expect(colorDistance(own[0], own[1])).to.be.below(20);
    // With one range the levels are identical and the flat landscape's corner is darker.
    const range = { zRange: [0, 8] as const, isolines: false };
    expect(contourLevels([flat], range)).to.deep.equal(contourLevels([sharp], range));
    const shared = [flat, sharp].map((p) => {
      const [area] = clipRects(contourSvg(p, range));
      return at(decodePng(contourPng(p, range)), area, 0.01, 0.01);
    });
    expect(colorDistance(shared[0], shared[1])).to.be.above(60);
    // Side by side: the common levels span both, one colour bar, and the panel colours match the
    // single figures drawn on that range.
    const lv = contourLevels([flat, sharp]);
    expect(lv?.values[0]).to.be.at.most(0);
    expect(lv?.values[lv.values.length - 1]).to.be.at.least(8);
    const fig = { title: 'Fig. 4', isolines: false };
    const svg = contourGridSvg([sharp, flat], fig);
    assertWellFormedSvg(svg);
    for (const s of ['>SGD<', '>CR-SAM<', '>Fig. 4<']) expect(svg).to.include(s);
    const areas = clipRects(svg);
    expect(areas).to.have.length(2);
    const img = decodePng(contourGridPng([sharp, flat], fig));
    expect(colorDistance(at(img, areas[0], 0.01, 0.01), shared[1])).to.be.below(20);
    expect(colorDistance(at(img, areas[1], 0.01, 0.01), shared[0])).to.be.below(20);
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
    const slice = { title: 'slice', xLabel: 'direction 1 (d₁)', yLabel: 'loss', series: [{ name: 'train', points: gridSlice(bowl, 'x', 0) }] };
    expect(sliceChart(slice).panels[0].series[0].markers).to.equal(false);
    const svg = sliceSvg(slice);
    assertWellFormedSvg(svg);
    expect(svg).to.include('>train<');
    const img = decodePng(slicePng(slice, { width: 320, height: 240 }));
    expect([img.width, img.height]).to.deep.equal([320, 240]);
  });
});
