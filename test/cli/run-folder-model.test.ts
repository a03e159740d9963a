// `crsam eval` and `crsam analyze` resolve a run folder to the same weights (train/restore.ts):
// in a folder whose checkpoints/last.ckpt and model.onnx hold different weights, both load the
// checkpoint, the documented choice.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeSyntheticDataset } from '../../src/data';
import { datasetBatches } from '../../src/geometry/sources';
import { saveModel } from '../../src/onnx/io';
import { saveRunCheckpoint } from '../../src/train/checkpoint';
import { Trainer } from '../../src/train/trainer';
import { buildZooModel } from '../../src/zoo';
import { runCli as cli } from './in-process';

/** The loss `crsam eval` prints for `spec` on the whole synthetic test split. */
async function evalLoss(spec: string): Promise<number> {
  const r = await cli(['eval', spec, '--data', 'synthetic', '--threads', '2']);
  expect(r.code, r.out).to.equal(0);
  const m = /loss (\S+),/.exec(r.out);
  expect(m, r.out).to.not.equal(null);
  return Number((m as RegExpExecArray)[1]);
}

describe('crsam eval and crsam analyze: one run-folder resolver', function () {
  this.timeout(300000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-run-folder-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('load the same weights (checkpoints/last.ckpt) from a folder whose last.ckpt and model.onnx differ', async () => {
    const pair = makeSyntheticDataset();
    const shape = { inputSize: pair.train.height, channels: pair.train.channels, numClasses: pair.train.numClasses };
    const run = path.join(tmp, 'run');
    fs.mkdirSync(path.join(run, 'checkpoints'), { recursive: true });
    const forward = buildZooModel('mlp', { ...shape, seed: 1 });
    saveModel(forward, path.join(run, 'forward_model.onnx'));
    const trainer = await Trainer.create({ model: forward, optimizer: 'sgd', parallel: 'off', threads: 2, lr: 0.1 });
    try {
      for (const b of datasetBatches(pair.train, pair.train, { batchSize: 32, seed: 1 })) await trainer.step(b);
      saveRunCheckpoint(path.join(run, 'checkpoints', 'last.ckpt'), { trainer: trainer.getState(), epoch: 1, meta: {} });
    } finally {
      await trainer.close();
    }
    // A model.onnx with other (untrained) weights, as after a run trained further than its export.
    saveModel(buildZooModel('mlp', { ...shape, seed: 2 }), path.join(run, 'model.onnx'));

    const folder = await evalLoss(run);
    const checkpoint = await evalLoss(path.join(run, 'checkpoints', 'last.ckpt'));
    const exported = await evalLoss(path.join(run, 'model.onnx'));
    expect(folder).to.equal(checkpoint);
    expect(Math.abs(exported - checkpoint)).to.be.above(0.05); // the two candidates really differ

    const out = path.join(tmp, 'geometry');
    const a = await cli(['analyze', run, '--data', 'synthetic', '--samples', '0', '--batch-size', '128', '--no-trace', '--top-k', '0', '--threads', '2', '--out', out]);
    expect(a.code, a.out).to.equal(0);
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'geometry-test.json'), 'utf8')) as { reports: { loss: number }[] };
    // eval prints 4 decimals; both see the same 128 test images with the same normalization.
    expect(saved.reports[0].loss).to.be.closeTo(checkpoint, 5e-5 + 1e-6);
    expect(Math.abs(saved.reports[0].loss - exported)).to.be.above(0.05);
  });
});
