// A fixed-batch model (an export with a concrete batch of 8) on data sets whose sizes are not
// multiples of 8: evaluation pads the short last batch and counts only its real samples, so the
// metrics equal those of the same weights with a dynamic batch; training drops the short last
// batch. Through the library (evaluateModel) and the command line (crsam train, crsam eval).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeSyntheticDataset } from '../../src/data/synthetic';
import { Model } from '../../src/onnx/ir';
import { loadModel, saveModel } from '../../src/onnx/io';
import { evaluateModel } from '../../src/train/evaluate';
import { fixturePath } from '../repo-root';
import { runCrsam } from '../cli/run-crsam';
import { idxBytes, testBytes } from '../data/helpers';

const FIXED = fixturePath('interop', 'fixed_batch.onnx');

/** `m` with a dynamic batch: the same weights (the export has no batch-dependent shapes). */
function dynamic(m: Model): Model {
  m.graph.inputs = m.graph.inputs.map((v) => ({ ...v, shape: ['N', ...(v.shape ?? []).slice(1)] }));
  m.graph.outputs = m.graph.outputs.map((v) => ({ ...v, shape: ['N', ...(v.shape ?? []).slice(1)] }));
  return m;
}
const dynamicCopy = (): Model => dynamic(loadModel(FIXED));

// Float tolerance, not bit equality: the padded batch runs 8 rows where the dynamic model runs 5,
// and ONNX Runtime's kernels may block the rows differently (measured: equal to ~1e-7).
const TOL = 1e-5;

describe('fixed-batch models: a short last batch', function () {
  this.timeout(180000);

  it('library: evaluation of 13 test images in batches of 8 equals the dynamic-batch model with the same weights', async () => {
    const fixed = loadModel(FIXED);
    expect(fixed.graph.inputs[0].shape?.[0]).to.equal(8);
    const pair = makeSyntheticDataset({ numClasses: 10, trainSize: 21, testSize: 13, seed: 3 });
    const a = await evaluateModel(fixed, pair, 'test', 8);
    const b = await evaluateModel(dynamicCopy(), pair, 'test', 8);
    const c = await evaluateModel(dynamicCopy(), pair, 'test', 13); // one batch, no padding anywhere
    process.stdout.write(`      (fixed, padded: loss ${a.loss}, accuracy ${a.accuracy}; dynamic: ${b.loss}, ${b.accuracy}; dynamic in one batch: ${c.loss})\n`);
    expect(a.count).to.equal(13);
    expect(a.accuracy).to.equal(b.accuracy);
    expect(a.loss).to.be.closeTo(b.loss, TOL * Math.abs(b.loss));
    expect(a.loss).to.be.closeTo(c.loss, TOL * Math.abs(c.loss));
    // The train split (21 images) too, and a batch size the model does not have is replaced by its own.
    const t = await evaluateModel(fixed, pair, 'train', 500);
    const u = await evaluateModel(dynamicCopy(), pair, 'train', 21);
    expect(t.count).to.equal(21);
    expect(t.accuracy).to.equal(u.accuracy);
    expect(t.loss).to.be.closeTo(u.loss, TOL * Math.abs(u.loss));
  });

  it('command line: crsam train on 21 images (the short batch dropped) then crsam eval on 13 match the dynamic-batch model', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-fixed-'));
    try {
      const data = path.join(tmp, 'data');
      writeIdxSet(data, 21, 13);
      const run = path.join(tmp, 'run');
      const t = runCrsam(['train', '--model', FIXED, '--data', 'idx', '--data-dir', data, '--epochs', '2', '--val-split', '0', '--out', run, '--threads', '1', '--lr', '0.05']);
      expect(t.code, t.stderr).to.equal(0);
      expect(t.stdout).to.match(/fixed batch of 8: each epoch trains on 16 of the 21 training images/);
      expect(t.stdout).to.match(/on 13 test images/);
      const steps = fs.readFileSync(path.join(run, 'steps.csv'), 'utf8').trim().split('\n').length - 1;
      expect(steps, 'two steps of 8 per epoch').to.equal(4);
      const ev = runCrsam(['eval', run, '--data', 'idx', '--data-dir', data]);
      expect(ev.code, ev.stderr).to.equal(0);
      // The trained weights, exported, with the batch made dynamic: the same metrics in batches of 5, 8 or 13.
      const exported = path.join(tmp, 'trained.onnx');
      expect(runCrsam(['export', run, '-o', exported]).code).to.equal(0);
      const dyn = dynamic(loadModel(exported));
      const dynPath = path.join(tmp, 'dynamic.onnx');
      saveModel(dyn, dynPath);
      const metrics = (out: string) => out.match(/\((\d+) images\): loss ([\d.]+), accuracy ([\d.]+)%/)?.slice(1);
      const fixedMetrics = metrics(ev.stdout);
      expect(fixedMetrics, ev.stdout).to.not.equal(undefined);
      expect(fixedMetrics?.[0]).to.equal('13');
      for (const bs of ['5', '8', '13']) {
        const d = runCrsam(['eval', dynPath, '--data', 'idx', '--data-dir', data, '--batch-size', bs]);
        expect(d.code, d.stderr).to.equal(0);
        expect(metrics(d.stdout), `dynamic, batch ${bs}: ${d.stdout} vs fixed: ${ev.stdout}`).to.deep.equal(fixedMetrics);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

/** An IDX folder of 8×8 images in 10 classes: `train` and `test` images. */
function writeIdxSet(dir: string, train: number, test: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const write = (split: string, n: number, seed: number) => {
    fs.writeFileSync(path.join(dir, `${split}-images-idx3-ubyte`), idxBytes([n, 8, 8], testBytes(n * 64, seed)));
    fs.writeFileSync(path.join(dir, `${split}-labels-idx1-ubyte`), idxBytes([n], Array.from({ length: n }, (_, i) => i % 10)));
  };
  write('train', train, 1);
  write('t10k', test, 2);
}
