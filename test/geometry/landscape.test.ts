// Loss landscapes: filter-normalized directions, the grid around w, and the files written.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeSyntheticDataset } from '../../src/data';
import { Landscape, lossLandscape, randomDirection } from '../../src/geometry/landscape';
import { landscapeCsv, writeLandscape } from '../../src/geometry/landscape-output';
import { OrtGeometryOracle } from '../../src/geometry/ort-geometry-oracle';
import { datasetBatches } from '../../src/geometry/sources';
import { norm } from '../../src/optim/vector';
import { Trainer } from '../../src/train/trainer';
import { buildZooModel } from '../../src/zoo';

const views = [
  { name: 'conv.weight', dims: [3, 2, 2, 2], data: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i + 1)) },
  { name: 'bn.weight', dims: [3], data: Float32Array.of(1, 2, 3) },
  { name: 'fc.weight', dims: [2, 3], data: Float32Array.of(1, 0, 0, 0, 2, 0) },
  { name: 'fc.bias', dims: [2], data: Float32Array.of(0.5, -0.5) },
];
const size = 24 + 3 + 6 + 2;

describe('loss landscape directions', () => {
  it('filter normalization: every filter of d has the norm of the same filter of w', () => {
    const d = randomDirection(views, size, 'test', { seed: 1 });
    const filters = (off: number, count: number, per: number) => Array.from({ length: count }, (_, f) => norm(d.subarray(off + f * per, off + (f + 1) * per)));
    filters(0, 3, 8).forEach((n, f) => expect(n).to.be.closeTo(norm(views[0].data.subarray(f * 8, (f + 1) * 8)), 1e-5));
    expect(filters(27, 2, 3)[0]).to.be.closeTo(1, 1e-5);
    expect(filters(27, 2, 3)[1]).to.be.closeTo(2, 1e-5);
  });

  it('biases and BatchNorm parameters get zero direction unless asked, then the weights themselves', () => {
    const d = randomDirection(views, size, 'test', { seed: 1 });
    expect([...d.subarray(24, 27)]).to.deep.equal([0, 0, 0]);
    expect([...d.subarray(33, 35)]).to.deep.equal([0, 0]);
    const withBn = randomDirection(views, size, 'test', { seed: 1, includeBiasAndNorm: true });
    expect([...withBn.subarray(24, 27)]).to.deep.equal([1, 2, 3]);
    expect([...withBn.subarray(0, 24)]).to.deep.equal([...d.subarray(0, 24)]);
  });

  it('are reproducible from the seed and differ between seeds and streams', () => {
    const a = randomDirection(views, size, 'test', { seed: 4 });
    expect([...randomDirection(views, size, 'test', { seed: 4 })]).to.deep.equal([...a]);
    expect([...randomDirection(views, size, 'test', { seed: 5 })]).to.not.deep.equal([...a]);
    expect([...randomDirection(views, size, 'other', { seed: 4 })]).to.not.deep.equal([...a]);
  });
});

describe('loss landscape of a model', () => {
  const pair = makeSyntheticDataset();
  let trainer: Trainer;
  let oracle: OrtGeometryOracle;
  let landscape: Landscape;
  const batches = datasetBatches(pair.train, pair.train, { samples: 96, batchSize: 40 });

  before(async () => {
    trainer = await Trainer.create({ model: buildZooModel('resnet-fmnist', { inputSize: 8, channels: 1, numClasses: 4 }), optimizer: 'sgd', parallel: 'off', threads: 2 });
    for (const b of batches.slice(0, 2)) await trainer.step(b); // non-trivial BatchNorm statistics
    oracle = new OrtGeometryOracle(trainer.artifacts, { threads: 2 });
    oracle.setBuffers(trainer.buffers());
    oracle.setBatches(batches);
    const w = oracle.flatten(trainer.parameters());
    landscape = await lossLandscape(oracle, w, oracle.views(w), { resolution: 5, range: 0.5, seed: 2 });
  });
  after(async () => { await oracle.close(); await trainer.close(); });

  it("the loss at the origin equals the model's loss (the trainer's evaluation), and the grid's centre", async () => {
    const ev = await trainer.evaluate(batches);
    expect(landscape.origin.loss).to.be.closeTo(ev.loss, 1e-6);
    expect(landscape.origin.accuracy).to.equal(ev.accuracy);
    expect(landscape.loss[2][2]).to.equal(landscape.origin.loss);
    expect(landscape.x).to.deep.equal([-0.5, -0.25, 0, 0.25, 0.5]);
    expect(landscape.samples).to.equal(96);
  });

  it('filter-normalized directions move the loss, and are nearly orthogonal', () => {
    expect(landscape.loss.flat().every(Number.isFinite)).to.equal(true);
    expect(Math.max(...landscape.loss.flat())).to.be.above(landscape.origin.loss);
    expect(Math.abs(landscape.directions.cosine)).to.be.below(0.2);
  });

  it('writes JSON, CSV, the contour plot and the slice (SVG and PNG)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-landscape-'));
    const files = writeLandscape(landscape, dir, { title: 'test' });
    for (const f of Object.values(files)) expect(fs.statSync(f).size, f).to.be.above(100);
    expect(landscapeCsv(landscape).trim().split('\n')).to.have.length(26);
    expect((JSON.parse(fs.readFileSync(files.json, 'utf8')) as Landscape).origin.loss).to.equal(landscape.origin.loss);
    expect(fs.readFileSync(files.contourSvg as string, 'utf8')).to.match(/^<svg/);
    fs.rmSync(dir, { recursive: true });
  });

  it('1-D slices', async () => {
    const w = oracle.flatten(trainer.parameters());
    const l = await lossLandscape(oracle, w, oracle.views(w), { dimensions: 1, resolution: 3 });
    expect(l.loss.map((r) => r.length)).to.deep.equal([1, 1, 1]);
    expect(l.loss[1][0]).to.equal(l.origin.loss);
    expect(l.y).to.deep.equal([]);
  });
});
