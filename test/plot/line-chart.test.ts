import { expect } from 'chai';
import type { LineChart, Scene, Shape } from '../../src/plot';
import { lineChartPng, lineChartScene, lineChartSvg, SERIES_PALETTE, toSeries } from '../../src/plot';
import { parseHex } from '../../src/plot/scene';
import { assertWellFormedSvg, colorDistance, decodePng } from './helpers';

const WHITE = [255, 255, 255];

/** The data clip rectangles of a scene, in panel order (the plot areas, plus any slack). */
function clips(scene: Scene): Extract<Shape, { kind: 'clip' }>[] {
  return scene.shapes.filter((s): s is Extract<Shape, { kind: 'clip' }> => s.kind === 'clip');
}

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

  it('renders a PNG of the requested size', () => {
    const img = decodePng(lineChartPng(trainTest, { width: 700, height: 300 }));
    expect([img.width, img.height]).to.deep.equal([700, 300]);
  });

  it('draws ink where a line passes and leaves background where none does', () => {
    const chart: LineChart = {
      panels: [{ series: [{ name: 'flat', points: [[0, 0.5], [1, 0.5]], color: '#ff0000', markers: false }], xRange: [0, 1], yRange: [0, 1], legend: false }],
    };
    const opts = { width: 400, height: 300, grid: false };
    const [clip] = clips(lineChartScene(chart, opts));
    const img = decodePng(lineChartPng(chart, opts));
    const midX = Math.round(clip.x + clip.w / 2);
    const lineY = Math.floor(clip.y + clip.h / 2);
    expect(colorDistance(img.rgb(midX, lineY), [255, 0, 0])).to.be.below(40);
    expect(img.rgb(midX, Math.round(clip.y + clip.h / 4))).to.deep.equal(WHITE);
    expect(img.rgb(midX, Math.round(clip.y + (3 * clip.h) / 4))).to.deep.equal(WHITE);
  });

  it('draws lines at least 2 px thick by default', () => {
    const chart: LineChart = { panels: [{ series: [{ name: 'd', points: [[0, 0.5], [1, 0.5]], color: '#000000', markers: false }], xRange: [0, 1], yRange: [0, 1], legend: false }] };
    const opts = { width: 400, height: 300, grid: false };
    const [clip] = clips(lineChartScene(chart, opts));
    const img = decodePng(lineChartPng(chart, opts));
    const x = Math.round(clip.x + clip.w / 3);
    // Total ink across the column = line thickness in px, however the line straddles rows.
    let ink = 0;
    for (let y = Math.round(clip.y); y < clip.y + clip.h; y++) ink += (255 - img.rgb(x, y)[0]) / 255;
    expect(ink).to.be.within(1.8, 2.3);
  });

  it('skips NaN and Infinity points, leaving a gap', () => {
    const ys = Array.from({ length: 101 }, (_, i) => (i >= 40 && i <= 60 ? (i % 2 ? NaN : Infinity) : 0.5));
    const chart: LineChart = { panels: [{ series: [{ ...toSeries('gappy', ys), color: '#0000ff', markers: false }], xRange: [0, 100], yRange: [0, 1], legend: false }] };
    const opts = { width: 500, height: 300, grid: false };
    const svg = lineChartSvg(chart, opts);
    assertWellFormedSvg(svg);
    expect(svg).to.not.match(/NaN|Infinity/);
    const [clip] = clips(lineChartScene(chart, opts));
    const img = decodePng(lineChartPng(chart, opts));
    const y = Math.floor(clip.y + clip.h / 2);
    const xAt = (v: number): number => Math.round(clip.x + (v / 100) * clip.w);
    expect(colorDistance(img.rgb(xAt(20), y), [0, 0, 255])).to.be.below(40);
    expect(img.rgb(xAt(50), y)).to.deep.equal(WHITE);
    expect(colorDistance(img.rgb(xAt(80), y), [0, 0, 255])).to.be.below(40);
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
    // The lone point must show up as a marker of its series colour.
    const scene = lineChartScene(chart);
    const marker = clips(scene)[0].children.find((s) => s.kind === 'circle');
    expect(marker).to.not.equal(undefined);
  });

  it('puts a constant series inside the frame, not on it', () => {
    const scene = lineChartScene({ panels: [{ series: [{ name: 'c', points: [[0, 1], [1, 1]] }] }] });
    const [clip] = clips(scene);
    const line = clip.children.find((s) => s.kind === 'line');
    if (!line || line.kind !== 'line') throw new Error('no line');
    const y = line.runs[0][0][1];
    const top = clip.y + 6;
    const bottom = clip.y + clip.h - 6;
    expect(y).to.be.within(top + 10, bottom - 10);
  });

  it('supports log y, dropping values ≤ 0', () => {
    const chart: LineChart = { panels: [{ logY: true, series: [toSeries('loss', [10, 1, 0, -1, 0.1, 0.01])] }] };
    const svg = lineChartSvg(chart);
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
    const [clip] = clips(lineChartScene({ panels: [{ series: [{ ...toSeries('s', [1, 3, 1, 3, 1, 3]), smoothing: 0.6 }] }] }));
    const lines = clip.children.filter((s) => s.kind === 'line');
    expect(lines).to.have.length(2);
    expect(lines[0].kind === 'line' && lines[0].opacity).to.be.below(1);
  });

  it('parses colours', () => {
    expect(parseHex('#f80')).to.deep.equal([255, 136, 0]);
    expect(parseHex('#1f77b4')).to.deep.equal([31, 119, 180]);
  });
});
