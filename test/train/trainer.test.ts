// The Trainer API: bad batches and options are refused with one sentence, a NaN loss leaves the
// parameters as they were, parallel and sequential passes agree.
import { expect } from 'chai';
import * as path from 'node:path';
import { Trainer } from '../../src/train/trainer';
import { BatchError } from '../../src/runtime/batch';
import { repoRoot } from '../repo-root';

const root = repoRoot();
const mlp = path.join(root, 'models', 'mlp.onnx');

function batch(n: number, fill = 0.5, labels?: bigint[]) {
  return {
    inputs: { input: { data: new Float32Array(n * 784).map((_, i) => fill * Math.sin(i)), dims: [n, 1, 28, 28] } },
    labels: BigInt64Array.from(labels ?? Array.from({ length: n }, (_, i) => BigInt(i % 10))),
  };
}

describe('Trainer', () => {
  let trainer: Trainer;
  before(async () => { trainer = await Trainer.create({ model: mlp, optimizer: 'crsam', threads: 2, parallel: 'off' }); });
  after(async () => { await trainer.close(); });

  it('refuses labels outside the classes', async () => {
    let err: unknown;
    try { await trainer.step(batch(4, 0.5, [0n, 1n, 10n, 2n])); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(BatchError);
    expect((err as Error).message).to.equal("label 10 at position 2 is outside the model's 10 classes (0…9)");
  });

  it('refuses a wrong number of labels', async () => {
    const b = { ...batch(4), labels: BigInt64Array.of(1n, 2n) };
    let err: unknown;
    try { await trainer.step(b); } catch (e) { err = e; }
    expect((err as Error).message).to.equal('the batch has 4 samples but 2 labels');
  });

  it('refuses a batch of the wrong shape, naming both shapes', async () => {
    const b = { inputs: { input: { data: new Float32Array(4 * 3 * 32 * 32), dims: [4, 3, 32, 32] } }, labels: BigInt64Array.of(0n, 1n, 2n, 3n) };
    let err: unknown;
    try { await trainer.step(b); } catch (e) { err = e; }
    expect((err as Error).message).to.equal("input 'input' has shape [4, 3, 32, 32] but the model takes [N, 1, 28, 28]");
  });

  it('refuses ρ ≤ 0 for SAM-family methods', async () => {
    let err: unknown;
    try { await Trainer.create({ model: mlp, optimizer: 'crsam', rho: 0 }); } catch (e) { err = e; }
    expect((err as Error).message).to.match(/rho/);
  });

  it('refuses a step with a NaN loss and leaves the parameters and optimizer as they were', async () => {
    await trainer.step(batch(8)); // give the momentum buffer a value
    const before = new Map([...trainer.parameters()].map(([k, v]) => [k, Float32Array.from(v)]));
    const stepBefore = trainer.stepCount;
    let err: unknown;
    try { await trainer.step(batch(8, NaN)); } catch (e) { err = e; }
    expect((err as Error).name).to.equal('TrainingError');
    expect((err as Error).message).to.match(/non-finite loss .*parameters were left unchanged; lower the learning rate/);
    expect(trainer.stepCount).to.equal(stepBefore);
    for (const [k, v] of trainer.parameters()) expect(Array.from(v), k).to.deep.equal(Array.from(before.get(k) as Float32Array));
    const m = await trainer.step(batch(8)); // and training goes on
    expect(Number.isFinite(m.loss)).to.equal(true);
  });

  it('parallel and sequential CR-SAM passes give the same step', async () => {
    const seq = await Trainer.create({ model: mlp, optimizer: 'crsam', threads: 2, parallel: 'off' });
    const par = await Trainer.create({ model: mlp, optimizer: 'crsam', threads: 2, parallel: 'auto' });
    try {
      expect(par.parallel).to.equal(true);
      for (let i = 0; i < 3; i++) {
        const a = await seq.step(batch(16, 0.3 + i));
        const b = await par.step(batch(16, 0.3 + i));
        expect(b.loss).to.be.closeTo(a.loss, 1e-5 * Math.abs(a.loss));
        expect(b.lossPlus as number).to.be.closeTo(a.lossPlus as number, 1e-5 * Math.abs(a.lossPlus as number));
        expect(b.lossMinus as number).to.be.closeTo(a.lossMinus as number, 1e-5 * Math.abs(a.lossMinus as number));
      }
      const ps = seq.parameters();
      for (const [k, v] of par.parameters()) {
        const w = ps.get(k) as Float32Array;
        let num = 0; let den = 0;
        for (let i = 0; i < v.length; i++) { num += (v[i] - w[i]) ** 2; den += w[i] ** 2; }
        expect(Math.sqrt(num / den), k).to.be.below(1e-5);
      }
    } finally {
      await seq.close();
      await par.close();
    }
  });

  it("SAM counts the training accuracy at w, not at w + e", async () => {
    // ρ large enough that w + e classifies differently; both trainers start from the model's weights.
    const sgd = await Trainer.create({ model: mlp, optimizer: 'sgd', threads: 2 });
    const sam = await Trainer.create({ model: mlp, optimizer: 'sam', rho: 20, threads: 2 });
    try {
      const b = batch(64, 1, Array.from({ length: 64 }, (_, i) => BigInt((i * 7) % 10)));
      const a = await sgd.step(b);
      const m = await sam.step(b);
      expect(m.loss).to.equal(a.loss);
      expect(m.lossPlus as number).to.not.be.closeTo(m.loss, 1e-3);
      expect(m.correct).to.equal(a.correct);
    } finally {
      await sgd.close();
      await sam.close();
    }
  });

  it('exports an inference model, and loadParameters round-trips', async () => {
    const named = new Map([...trainer.parameters()].map(([k, v]) => [k, Float32Array.from(v).fill(0.01)]));
    trainer.loadParameters(named);
    for (const [k, v] of trainer.parameters()) expect(v[0], k).to.be.closeTo(0.01, 1e-7);
    const m = trainer.inferenceModel();
    expect(m.graph.inputs.map((v) => v.name)).to.deep.equal(['input']);
    expect(() => trainer.loadParameters({ nope: new Float32Array(1) })).to.throw(/no parameter or buffer named 'nope'/);
  });
});
