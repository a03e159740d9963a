import { expect } from 'chai';
import { CAP_HEIGHT, forEachTextCell, glyphFor, hasGlyph, textWidth } from '../../src/plot/bitmap-font';
import { Raster } from '../../src/plot/raster';
import { sceneToPng } from '../../src/plot';
import { decodePng } from './helpers';

describe('plot/bitmap-font', () => {
  it('covers printable ASCII and the symbols used in labels', () => {
    for (let c = 32; c < 127; c++) expect(hasGlyph(String.fromCharCode(c)), JSON.stringify(String.fromCharCode(c))).to.equal(true);
    for (const ch of 'ρλη±×αβ') expect(hasGlyph(ch)).to.equal(true);
    expect(hasGlyph('\u4e2d')).to.equal(false);
    expect(glyphFor('\u4e2d').width).to.be.above(0);
  });

  it('has consistent glyph shapes', () => {
    for (let c = 33; c < 127; c++) {
      const g = glyphFor(String.fromCharCode(c));
      expect(g.rows.length).to.be.within(CAP_HEIGHT, CAP_HEIGHT + 2);
      expect(g.rows.some((r) => r !== 0), String.fromCharCode(c)).to.equal(true);
      for (const r of g.rows) expect(r).to.be.below(1 << g.width);
    }
    for (const d of '0123456789') expect(glyphFor(d).width).to.equal(5);
  });

  it('measures text', () => {
    expect(textWidth('')).to.equal(0);
    expect(textWidth('00', 2)).to.equal(22);
    let cells = 0;
    forEachTextCell('1', () => cells++);
    expect(cells).to.be.above(5);
  });
});

describe('plot/raster', () => {
  it('draws an anti-aliased thick line inside its clip only', () => {
    const r = new Raster(20, 20, [255, 255, 255]);
    const old = r.pushClip(0, 0, 10, 20);
    r.strokeRuns([[[0, 10], [20, 10]]], 2, [0, 0, 0]);
    r.popClip(old);
    expect(r.pixel(5, 9)).to.deep.equal([0, 0, 0]);
    expect(r.pixel(5, 10)).to.deep.equal([0, 0, 0]);
    expect(r.pixel(5, 5)).to.deep.equal([255, 255, 255]);
    expect(r.pixel(15, 9)).to.deep.equal([255, 255, 255]);
  });

  it('dashes lines', () => {
    const r = new Raster(40, 5, [255, 255, 255]);
    r.strokeRuns([[[0, 2.5], [40, 2.5]]], 1, [0, 0, 0], 1, [5, 5]);
    expect(r.pixel(2, 2)[0]).to.be.below(50);
    expect(r.pixel(7, 2)).to.deep.equal([255, 255, 255]);
    expect(r.pixel(12, 2)[0]).to.be.below(50);
  });

  it('fills polygons and rectangles with partial edge coverage', () => {
    const r = new Raster(10, 10, [255, 255, 255]);
    r.fillPolygon([[[2, 2], [8, 2], [8, 8], [2, 8]]], [0, 0, 0]);
    expect(r.pixel(5, 5)).to.deep.equal([0, 0, 0]);
    expect(r.pixel(1, 5)).to.deep.equal([255, 255, 255]);
    r.fillRect(0.5, 0, 1, 1, [0, 0, 0]);
    expect(r.pixel(0, 0)[0]).to.be.within(100, 160);
  });

  it('renders text, including rotated text, as ink', () => {
    const png = sceneToPng({
      width: 60,
      height: 60,
      background: '#ffffff',
      shapes: [
        { kind: 'text', x: 2, y: 12, text: 'Ab', scale: 1, color: '#000000', anchor: 'start' },
        { kind: 'text', x: 40, y: 30, text: 'loss', scale: 2, color: '#000000', anchor: 'middle', rotate: -90 },
      ],
    });
    const img = decodePng(png);
    const inkIn = (x0: number, y0: number, x1: number, y1: number): number => {
      let n = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (img.rgb(x, y)[0] < 128) n++;
      return n;
    };
    expect(inkIn(2, 5, 14, 12)).to.be.above(10);
    // Rotated: glyphs sit left of the baseline x and span vertically around y.
    expect(inkIn(26, 10, 40, 50)).to.be.above(20);
    expect(inkIn(44, 0, 60, 60)).to.equal(0);
  });
});
