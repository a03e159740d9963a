import { expect } from 'chai';
import type { LineChart } from '../../src/plot';
import { lineChartPng, lineChartSvg, SERIES_PALETTE, toSeries } from '../../src/plot';
import { fitAxis } from '../../src/plot/axes';
import { missingGlyphs, textWidth } from '../../src/plot/font';
import { svgToPng } from '../../src/plot/svg';
import { assertTextInside, assertWellFormedSvg, clipRects, colorDistance, decodePng, parseColor, svgTexts } from './helpers';

const WHITE = [255, 255, 255];

const trainTest: LineChart = {
  title: 'CR-SAM <mnist> & friends',
  xLabel: 'step',
  panels: [
    {
      title: 'loss',
      yLabel: 'loss',
      series: [
        toSeries('train', Array.from({ length: 500 }, (_, i) => 2 * Math.exp(-i / 100) + 0.1 * Math.sin(i))),
        { name: 'test', points: [[100, 1], [200, 0.5], [300, 0.3], [400, 0.25]] },
      ],
    },
    { title: 'accuracy', yLabel: 'accuracy', series: [{ name: 'train', points: [[0, 0.1], [499, 0.95]] }, { name: 'test', points: [[100, 0.5], [400, 0.9]] }] },
  ],
};

/** Ink darkness summed down one pixel column of a decoded PNG (0 = white), the frame left out. */
function columnInk(img: ReturnType<typeof decodePng>, x: number, y0: number, y1: number): number {
  let ink = 0;
  for (let y = Math.round(y0) + 2; y < y1 - 2; y++) ink += (255 - img.rgb(x, y)[0]) / 255;
  return ink;
}

/** True when v is 1, 2 or 5 × 10^k. */
function isNiceStep(step: number): boolean {
  const p = Math.pow(10, Math.floor(Math.log10(step) + 1e-12));
  return [1, 2, 5, 10].includes(Math.round((step / p) * 1e6) / 1e6);
}

describe('plot/axes', () => {
  it('ticks are evenly spaced nice numbers inside and covering the domain', () => {
    const cases: [number, number][] = [[0, 1], [0.0123, 2.71], [-3.3, 17.9], [937, 1021], [1e-6, 7e-6], [-0.5, -0.1]];
    for (const [lo, hi] of cases) {
      const t = fitAxis({ domain: [lo, hi] }, [0, 500], 8, true, 12).ticks;
      expect(t.length, `${lo}..${hi}`).to.be.within(3, 11);
      const step = t[1] - t[0];
      expect(isNiceStep(step), `step ${step}`).to.equal(true);
      for (let i = 1; i < t.length; i++) expect(t[i] - t[i - 1]).to.be.closeTo(step, step * 1e-9);
      expect(t[0]).to.be.within(lo - 1e-12, lo + step);
      expect(t[t.length - 1]).to.be.within(hi - step, hi + 1e-12);
    }
  });

  it('gives integer ticks on an epoch axis, even over a short range', () => {
    const plain = fitAxis({ domain: [0.96, 2.04] }, [0, 500], 10, true, 12);
    expect(plain.ticks).to.include(1.5); // what an epoch axis must not show
    for (const domain of [[0.96, 2.04], [0.5, 3.5], [1, 10], [0.6, 200.4]] as const) {
      const axis = fitAxis({ domain, integer: true }, [0, 500], 10, true, 12);
      expect(axis.ticks.length, String(domain)).to.be.at.least(2);
      for (const [i, v] of axis.ticks.entries()) {
        expect(Number.isInteger(v), `${v}`).to.equal(true);
        expect(axis.labels[i]).to.equal(String(v));
      }
    }
  });

  it('drops ticks until the labels do not collide', () => {
    const axis = fitAxis({ domain: [0, 123456] }, [0, 160], 20, true, 12);
    const pos = axis.ticks.map(axis.map);
    for (let i = 1; i < pos.length; i++) expect(pos[i] - pos[i - 1]).to.be.at.least((textWidth(axis.labels[i], 12) + textWidth(axis.labels[i - 1], 12)) / 2);
    expect(axis.labels.every((l) => /^[\d.]+k?$/.test(l))).to.equal(true);
  });

  it('log axes label decades', () => {
    const axis = fitAxis({ domain: [1e-4, 10], log: true }, [400, 0], 8, false, 12);
    expect(axis.labels).to.include.members(['0.0001', '0.001', '0.01', '0.1', '1', '10']);
    expect(axis.minor).to.include(0.02);
  });
});

describe('plot/font', () => {
  it('the bundled font has the glyphs the charts use, and says when one is missing', () => {
    expect(missingGlyphs('‖g‖ ρ² λ_max Tr(H) C(w) d₁ d₂ ± − ≥ · α β %')).to.deep.equal([]);
    expect(missingGlyphs('a\uE000')).to.deep.equal(['\uE000']);
  });

  it('renders ‖ as a glyph, not as the missing-glyph box, with no system fonts', () => {
    const doc = (t: string): string => `<svg xmlns="http://www.w3.org/2000/svg" width="60" height="40" font-family="DejaVu Sans"><rect width="60" height="40" fill="#fff"/><text x="10" y="30" font-size="24">${t}</text></svg>`;
    const ink = (t: string): number[] => {
      const img = decodePng(svgToPng(doc(t)));
      const out: number[] = [];
      for (let y = 0; y < 40; y++) for (let x = 0; x < 60; x++) out.push(255 - img.rgb(x, y)[0]);
      return out;
    };
    const bars = ink('‖');
    const box = ink('\uE000');
    expect(bars.reduce((a, b) => a + b)).to.be.above(255 * 20); // the glyph is drawn
    expect(bars.filter((v, i) => Math.abs(v - box[i]) > 64).length).to.be.above(20); // and it is not the box
  });
});

describe('plot/line-chart', () => {
  it('produces well-formed SVG with the title, labels and series names (escaped)', () => {
    const svg = lineChartSvg(trainTest);
    assertWellFormedSvg(svg);
    expect(svg).to.include('CR-SAM &#60;mnist&#62; &#38; friends');
    for (const s of ['>train<', '>test<', '>loss<', '>accuracy<', '>step<']) expect(svg).to.include(s);
    expect(svg).to.not.include('NaN');
    expect(svg).to.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="1120" height="\d+"/);
  });

  it('is deterministic and gives clip paths document-specific ids', () => {
    const a = lineChartSvg(trainTest);
    expect(lineChartSvg(trainTest)).to.equal(a);
    const other = lineChartSvg({ ...trainTest, title: 'other' });
    const ids = (s: string): string[] => [...s.matchAll(/clipPath id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids(a)).to.have.length(2);
    expect(ids(a).filter((id) => ids(other).includes(id))).to.deep.equal([]);
  });

  it('gives a series the same colour in every panel', () => {
    const svg = lineChartSvg(trainTest);
    expect(svg).to.include(`stroke="${SERIES_PALETTE[0]}"`);
    expect(svg).to.include(`stroke="${SERIES_PALETTE[1]}"`);
    expect(svg).to.not.include(`stroke="${SERIES_PALETTE[2]}"`);
  });

  it('keeps every label inside the image, edge tick labels included', () => {
    const wide: LineChart = {
      title: 'a long figure title that has to shrink to fit into a narrow image at all',
      xLabel: 'examples seen',
      panels: [{ yLabel: 'Tr(H)', series: [{ name: 'trace with a long legend name', points: [[0, 123456], [987654, 7]] }] }],
    };
    for (const [chart, width, height] of [[trainTest, 1120, 400], [wide, 300, 220], [wide, 640, 420]] as const) assertTextInside(lineChartSvg(chart, { width, height }), width, height);
  });

  it('renders a PNG of the requested size', () => {
    const img = decodePng(lineChartPng(trainTest, { width: 700, height: 300 }));
    expect([img.width, img.height]).to.deep.equal([700, 300]);
  });

  it('draws ink where a line passes, about 1.75 px thick, and leaves background where none does', () => {
    const chart: LineChart = {
      panels: [{ series: [{ name: 'flat', points: [[0, 0.5], [1, 0.5]], color: '#ff0000', markers: false }], xRange: [0, 1], yRange: [0, 1], legend: false }],
    };
    const opts = { width: 400, height: 300, grid: false };
    const [clip] = clipRects(lineChartSvg(chart, opts));
    const img = decodePng(lineChartPng(chart, opts));
    const midX = Math.round(clip.x + clip.w / 2);
    expect(colorDistance(img.rgb(midX, Math.floor(clip.y + clip.h / 2)), [255, 0, 0])).to.be.below(60);
    expect(img.rgb(midX, Math.round(clip.y + clip.h / 4))).to.deep.equal(WHITE);
    expect(img.rgb(midX, Math.round(clip.y + (3 * clip.h) / 4))).to.deep.equal(WHITE);
    // Green channel: red ink darkens it fully, so its total down the column is the thickness.
    let ink = 0;
    for (let y = Math.round(clip.y + 2); y < clip.y + clip.h - 2; y++) ink += (255 - img.rgb(midX, y)[1]) / 255;
    expect(ink).to.be.within(1.5, 2.1);
  });

  it('skips NaN and Infinity points, leaving a gap', () => {
    const ys = Array.from({ length: 101 }, (_, i) => (i >= 40 && i <= 60 ? (i % 2 ? NaN : Infinity) : 0.5));
    const chart: LineChart = { panels: [{ series: [{ ...toSeries('gappy', ys), color: '#0000ff', markers: false }], xRange: [0, 100], yRange: [0, 1], legend: false }] };
    const opts = { width: 500, height: 300, grid: false };
    const svg = lineChartSvg(chart, opts);
    assertWellFormedSvg(svg);
    expect(svg).to.not.match(/NaN|Infinity/);
    const [clip] = clipRects(svg);
    const img = decodePng(lineChartPng(chart, opts));
    const xAt = (v: number): number => Math.round(clip.x + (v / 100) * clip.w);
    expect(columnInk(img, xAt(20), clip.y, clip.y + clip.h)).to.be.above(1);
    expect(columnInk(img, xAt(50), clip.y, clip.y + clip.h)).to.equal(0);
    expect(columnInk(img, xAt(80), clip.y, clip.y + clip.h)).to.be.above(1);
  });

  it('draws error bars, and the y range makes room for them', () => {
    const points = [[1, 10], [2, 12], [3, 11]] as const;
    const bars: LineChart = { integerX: true, panels: [{ series: [{ name: 'Tr(H)', points, errors: [4, NaN, 1], color: '#000000', markers: false }], legend: false }] };
    const none: LineChart = { ...bars, panels: [{ ...bars.panels[0], series: [{ ...bars.panels[0].series[0], errors: undefined }] }] };
    const opts = { width: 400, height: 300, grid: false };
    const svg = lineChartSvg(bars, opts);
    const [clip] = clipRects(svg);
    const img = decodePng(lineChartPng(bars, opts));
    const yTicks = (s: string): number[] => svgTexts(s).filter((t) => t.anchor === 'end').map((t) => Number(t.content));
    expect(Math.min(...yTicks(svg))).to.be.at.most(6);
    expect(Math.min(...yTicks(lineChartSvg(none, opts)))).to.be.above(6);
    // Epoch 1's bar spans 6..14: a vertical run of ink well beyond the line's own 2 px.
    const x1 = Math.round(clip.x + 6 + ((1 - 0.92) / (3.08 - 0.92)) * (clip.w - 12));
    const ink = Math.max(...[-1, 0, 1].map((d) => columnInk(img, x1 + d, clip.y, clip.y + clip.h)));
    expect(ink).to.be.above(20);
    const band = lineChartSvg({ ...bars, panels: [{ ...bars.panels[0], series: [{ ...bars.panels[0].series[0], errorStyle: 'band', errors: [1, 1, 1] }] }] }, opts);
    expect(band).to.match(/fill-opacity="0.2"/);
  });

  it('handles a single point, a constant series, empty and all-NaN series', () => {
    const chart: LineChart = {
      title: 'edge cases',
      panels: [
        { series: [{ name: 'one', points: [[3, 7]] }] },
        { series: [{ name: 'flat', points: [[0, 2], [1, 2], [2, 2]] }] },
        { series: [{ name: 'nothing', points: [] }, { name: 'nan', points: [[0, NaN], [1, NaN]] }] },
        { series: [] },
      ],
    };
    const svg = lineChartSvg(chart);
    assertWellFormedSvg(svg);
    expect(svg).to.not.match(/NaN|Infinity/);
    expect(svg).to.include('>no data<');
    expect(svg).to.include('nothing (no data)');
    const img = decodePng(lineChartPng(chart, { width: 800, height: 600, columns: 2 }));
    expect([img.width, img.height]).to.deep.equal([800, 600]);
    // The lone point shows up as a marker of its series colour.
    expect(svg).to.match(new RegExp(`<circle [^>]*fill="${SERIES_PALETTE[0]}"`));
  });

  it('puts a constant series inside the frame, not on it', () => {
    const svg = lineChartSvg({ panels: [{ series: [{ name: 'c', points: [[0, 1], [1, 1]] }] }] });
    const [clip] = clipRects(svg);
    const y = Number(/<path d="M[\d.]+ ([\d.]+)L[^"]*" fill="none" stroke="#1f77b4"/.exec(svg)?.[1]);
    expect(y).to.be.within(clip.y + 16, clip.y + clip.h - 16);
  });

  it('supports log y, dropping values ≤ 0', () => {
    const svg = lineChartSvg({ panels: [{ logY: true, series: [toSeries('loss', [10, 1, 0, -1, 0.1, 0.01])] }] });
    assertWellFormedSvg(svg);
    expect(svg).to.include('>0.01<');
    expect(svg).to.include('>10<');
  });

  it('keeps SVG small for long per-step series', () => {
    const ys = Array.from({ length: 50000 }, (_, i) => Math.exp(-i / 10000) + Math.sin(i * 12.9898) * 0.1);
    const svg = lineChartSvg({ panels: [{ series: [toSeries('train', ys)] }] }, { width: 600, height: 400 });
    expect(svg.length).to.be.below(150_000);
  });

  it('rejects malformed colours instead of drawing black', () => {
    expect(() => lineChartSvg({ panels: [{ series: [{ name: 'x', points: [[0, 1]], color: 'red' }] }] })).to.throw(RangeError);
    expect(parseColor(SERIES_PALETTE[0])).to.deep.equal([31, 119, 180]);
  });

  it('survives tiny images and rejects invalid sizes', () => {
    for (const [width, height] of [[60, 40], [1, 1], [100, 2000]]) {
      const img = decodePng(lineChartPng(trainTest, { width, height }));
      expect([img.width, img.height]).to.deep.equal([width, height]);
    }
    expect(() => lineChartPng(trainTest, { width: 0 })).to.throw(RangeError);
    expect(() => lineChartSvg(trainTest, { height: NaN })).to.throw(RangeError);
  });

  it('toSeries checks lengths', () => {
    expect(toSeries('a', [5, 6]).points).to.deep.equal([[0, 5], [1, 6]]);
    expect(toSeries('a', [5, 6], [10, 20]).points).to.deep.equal([[10, 5], [20, 6]]);
    expect(() => toSeries('a', [1], [1, 2])).to.throw(RangeError);
  });

  it('smoothing draws the raw curve faintly under the smoothed one', () => {
    const svg = lineChartSvg({ panels: [{ series: [{ ...toSeries('s', [1, 3, 1, 3, 1, 3]), smoothing: 0.6 }] }] });
    const lines = [...svg.matchAll(/<path d="M[^"]*" fill="none" stroke="#1f77b4"([^>]*)>/g)];
    expect(lines.length).to.be.at.least(2);
    expect(lines[0][1]).to.match(/stroke-opacity="0.25"/);
    expect(lines[1][1]).to.not.match(/stroke-opacity/);
  });
});
