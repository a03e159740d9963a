// Data parallel on one machine (docs/scale-out.md): a batch split across replicas, their gradients
// averaged by shard size, gives the single-session full-batch step to 1e-6 for a model without
// BatchNorm, for SGD, SAM and CR-SAM, also for an uneven split; concurrent and one-after-the-other
// replicas agree; a resumed data-parallel run is exact; BatchNorm running means stay the full batch's.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Trainer, TrainerOptions } from '../../src/train/trainer';
import { RunOptions, runTraining } from '../../src/train/run';
import { loadRunCheckpoint } from '../../src/train/checkpoint';
import { buildZooModel } from '../../src/zoo';
import { repoRoot } from '../repo-root';

const root = repoRoot();
const mlp = path.join(root, 'models', 'mlp.onnx');
const cnnBn = path.join(root, 'test', 'fixtures', 'geometry', 'exact', 'cnn-bn.onnx');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-dp-'));

function batch(n: number, step: number, dims: readonly number[] = [1, 28, 28], classes = 10) {
  const per = dims.reduce((a, b) => a * b, 1);
  return {
    inputs: { input: { data: new Float32Array(n * per).map((_, i) => Math.sin(0.37 * i + step) * (1 + (i % 7) / 7)), dims: [n, ...dims] } },
    labels: BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 3 + step) % classes)),
  };
}

/** max |Δw| / max(|w|, 1) over all parameters (the measure of docs/device-step.md). */
function maxRelDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let worst = 0;
  for (const [k, v] of a) {
    const w = b.get(k) as Float32Array;
    for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(v[i] - w[i]) / Math.max(Math.abs(w[i]), 1));
  }
  return worst;
}

/** Three steps on each trainer; returns the worst parameter difference and the step losses. */
async function threeSteps(one: TrainerOptions, other: TrainerOptions, n: number, shape?: readonly number[]) {
  const a = await Trainer.create(one);
  const b = await Trainer.create(other);
  try {
    const losses: [number, number][] = [];
    for (let s = 0; s < 3; s++) {
      const ma = await a.step(batch(n, s, shape));
      const mb = await b.step(batch(n, s, shape));
      losses.push([ma.loss, mb.loss]);
      expect(mb.correct, `correct at step ${s}`).to.equal(ma.correct);
      expect(mb.count).to.equal(ma.count);
      if (ma.lossPlus !== undefined) expect(mb.lossPlus as number).to.be.closeTo(ma.lossPlus, 1e-6 * Math.abs(ma.lossPlus));
      if (ma.lossMinus !== undefined) expect(mb.lossMinus as number).to.be.closeTo(ma.lossMinus, 1e-6 * Math.abs(ma.lossMinus));
    }
    return { diff: maxRelDiff(b.parameters(), a.parameters()), losses, a, b };
  } finally {
    await a.close();
    await b.close();
  }
}

describe('data parallel', () => {
  for (const optimizer of ['sgd', 'sam', 'crsam'] as const) {
    it(`${optimizer}: 2 replicas equal one session on the full batch to 1e-6 after 3 steps`, async () => {
      const r = await threeSteps(
        { model: mlp, optimizer, threads: 2, parallel: 'off' },
        { model: mlp, optimizer, threads: 2, dataParallel: 2 }, 16);
      expect(r.b.dataParallel).to.equal(2);
      expect(r.b.parallel, 'the replicas run in a worker on 2 cores').to.equal(true);
      for (const [la, lb] of r.losses) expect(lb).to.be.closeTo(la, 1e-6 * Math.abs(la));
      expect(r.diff).to.be.below(1e-6);
    });
  }

  it('an uneven split (batch 5 over 2 replicas, 7 over 3) is still the full-batch step', async () => {
    for (const [n, replicas] of [[5, 2], [7, 3]]) {
      const r = await threeSteps(
        { model: mlp, optimizer: 'crsam', threads: 2, parallel: 'off' },
        { model: mlp, optimizer: 'crsam', threads: 2, dataParallel: replicas }, n);
      expect(r.diff, `${n} over ${replicas}`).to.be.below(1e-6);
    }
  });

  it('a batch smaller than the replicas (3 samples, 4 replicas) uses one replica per sample', async () => {
    const r = await threeSteps({ model: mlp, optimizer: 'sam', threads: 2, parallel: 'off' }, { model: mlp, optimizer: 'sam', threads: 2, dataParallel: 4 }, 3);
    expect(r.diff).to.be.below(1e-6);
  });

  it('replicas side by side in workers and one after the other in the main session give the same steps', async () => {
    const r = await threeSteps(
      { model: mlp, optimizer: 'crsam', threads: 2, dataParallel: 2, parallel: 'off' },
      { model: mlp, optimizer: 'crsam', threads: 2, dataParallel: 2, parallel: 'on' }, 12);
    expect(r.a.parallel).to.equal(false);
    expect(r.b.parallel).to.equal(true);
    expect(r.diff).to.be.below(1e-6);
  });

  it('BatchNorm: per-replica statistics, running means averaged by shard size equal the full batch\'s', async () => {
    const shape = [3, 8, 8];
    const a = await Trainer.create({ model: cnnBn, optimizer: 'sgd', threads: 2, parallel: 'off', lr: 0 });
    const b = await Trainer.create({ model: cnnBn, optimizer: 'sgd', threads: 2, dataParallel: 2, lr: 0 });
    try {
      expect(a.buffers().size).to.be.above(0);
      await a.step(batch(9, 0, shape, a.numClasses));
      await b.step(batch(9, 0, shape, b.numClasses));
      for (const [name, v] of a.buffers()) {
        const w = b.buffers().get(name) as Float32Array;
        const d = Math.max(...Array.from(v, (x, i) => Math.abs(x - w[i]) / Math.max(Math.abs(x), 1)));
        // The running mean is linear in the shard means; the running variance misses the spread between shards.
        if (/mean/i.test(name)) expect(d, name).to.be.below(1e-6);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses bad replica counts and a fixed-batch model in one sentence', async () => {
    for (const bad of [0, -1, 1.5]) {
      let err: unknown;
      try { await Trainer.create({ model: mlp, dataParallel: bad }); } catch (e) { err = e; }
      expect((err as Error).name, String(bad)).to.equal('OptionError');
      expect((err as Error).message).to.match(/^--data-parallel \(dataParallel\) must be a whole number of replicas, at least 1 \(got .*\)\.$/);
    }
    let err: unknown;
    try { await Trainer.create({ model: path.join(root, 'test', 'fixtures', 'interop', 'fixed_batch.onnx'), dataParallel: 2 }); } catch (e) { err = e; }
    expect((err as Error).message).to.match(/^the model takes batches of exactly \d+ samples .* cannot be split across 2 data-parallel replicas; .*\.$/);
    let err2: unknown;
    try { await Trainer.create({ model: mlp, devices: [0, 1] }); } catch (e) { err2 = e; }
    expect((err2 as Error).message).to.equal('--devices applies to --device cuda or webgpu; the CPU is one device (use --threads to size it, --data-parallel to split batches).');
  });
});

describe('data parallel in the training loop', () => {
  function options(out: string, over: Partial<RunOptions> = {}, trainer: RunOptions['trainer'] = {}): RunOptions {
    return {
      model: (train) => buildZooModel('mlp', { inputSize: train.height, channels: train.channels, numClasses: train.numClasses, seed: 3 }),
      modelName: 'mlp', dataset: 'synthetic', trainer: { optimizer: 'crsam', threads: 2, dataParallel: 2, ...trainer }, lr: 0.05, lrSchedule: 'cosine',
      epochs: 2, batchSize: 32, seed: 5, out, config: {}, trainLimit: 150, ...over,
    };
  }

  it('an interrupted data-parallel run resumed from its checkpoint ends with exactly the parameters of an uninterrupted one', async () => {
    const a = path.join(tmp, 'straight');
    await runTraining(options(a));
    const b = path.join(tmp, 'resumed');
    const ctl = new AbortController();
    let n = 0;
    const first = await runTraining(options(b), { onStep: () => { if (++n === 3) ctl.abort(); } }, ctl.signal);
    expect(first.interrupted).to.equal(true);
    await runTraining(options(b, { resume: true }));
    const pa = loadRunCheckpoint(path.join(a, 'checkpoints', 'last.ckpt'));
    const pb = loadRunCheckpoint(path.join(b, 'checkpoints', 'last.ckpt'));
    expect(pb.trainer.stepCount).to.equal(pa.trainer.stepCount);
    expect(pb.meta.replicas).to.equal(2);
    for (const [name, v] of pa.trainer.params) expect(Array.from(pb.trainer.params.get(name) as Float32Array), name).to.deep.equal(Array.from(v));
    const record = JSON.parse(fs.readFileSync(path.join(b, 'run.json'), 'utf8')) as { parallelism: { replicas: number; concurrent: boolean } };
    expect(record.parallelism.replicas).to.equal(2);
    expect(record.parallelism.concurrent).to.equal(true);
  });

  it('a resume may change the replica count of a model without BatchNorm, not of one with it', async () => {
    const interrupted = async (out: string, over: Partial<RunOptions>) => {
      const ctl = new AbortController();
      await runTraining(options(out, over), { onStep: () => ctl.abort() }, ctl.signal);
    };
    const plain = path.join(tmp, 'plain');
    await interrupted(plain, {});
    const s = await runTraining(options(plain, { resume: true }, { dataParallel: 3 }));
    expect(s.interrupted).to.equal(false);
    const bn = path.join(tmp, 'bn');
    const bnRun: Partial<RunOptions> = { model: cnnBn, modelName: 'cnn-bn' };
    await interrupted(bn, bnRun);
    let err: unknown;
    try { await runTraining(options(bn, { ...bnRun, resume: true }, { dataParallel: 1 })); } catch (e) { err = e; }
    expect((err as Error).name).to.equal('ResumeError');
    expect((err as Error).message).to.equal(`${bn} was trained on 2 data-parallel replicas and would continue on 1, which changes the math of its BatchNorm model (each replica normalizes its own shard); resume with --data-parallel 2, or start a new run with another --out`);
    expect((await runTraining(options(bn, { ...bnRun, resume: true }))).interrupted).to.equal(false);
  });

  it('refuses more replicas than a batch has images, before writing anything', async () => {
    const out = path.join(tmp, 'too-many');
    let err: unknown;
    try { await runTraining(options(out, { batchSize: 4 }, { dataParallel: 5 })); } catch (e) { err = e; }
    expect((err as Error).message).to.equal('--data-parallel 5 splits each batch into more replicas than its 4 images; use at most --data-parallel 4, or raise --batch-size');
    expect(fs.existsSync(path.join(out, 'run.json'))).to.equal(false);
  });
});
