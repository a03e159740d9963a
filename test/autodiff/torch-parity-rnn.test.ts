// Recurrent and Einsum text/attention classifiers exported by torch 1.13 at opsets 13, 15 and 17
// (tools/make_rnn_fixtures.py): our training graph's loss and every parameter gradient against
// PyTorch in float64, within a small factor of PyTorch float32's own error; and the unrolled
// training forward against ORT's fused kernels in the eval graph.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { CrsamError } from '../../src/core/errors';
import { loadModel, serializeModel } from '../../src/onnx/io';
import { relErr } from './check-gradient';
import { fixturePath } from '../repo-root';
import { loadTorchFixture } from '../torch-fixture';

/** Ours may be this many times PyTorch float32's error, plus a floor for errors near zero. */
const FACTOR = 10;
const FLOOR = 1e-7;

/** ||a − b|| / max(||b||, floor), as tools/make_rnn_fixtures.py measures PyTorch float32. */
function floored(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) { num += (a[i] - b[i]) ** 2; den += b[i] ** 2; }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), floor);
}

const NAMES = fs.readdirSync(fixturePath('torch', 'rnn')).sort();

describe('PyTorch parity of recurrent and Einsum classifiers', () => {
  it('covers LSTM, GRU, RNN and Einsum at opsets 13, 15 and 17, and a small torchvision MaxVit', () => {
    for (const m of ['lstm', 'lstm-bi2', 'gru2', 'gru-bi', 'rnn-tanh-bi2', 'rnn-relu', 'einsum']) {
      for (const o of [13, 15, 17]) expect(NAMES).to.include(`${m}-o${o}`);
    }
    expect(NAMES).to.include.members(['maxvit-o13', 'maxvit-o17']);
  });
  it('refuses a sequence of symbolic length with one sentence that says what to do', () => {
    const model = loadModel(loadTorchFixture('rnn/lstm-o13').modelPath);
    model.graph.inputs[0] = { ...model.graph.inputs[0], shape: ['N', 'S'] };
    expect(() => buildArtifacts(model)).to.throw(CrsamError, /^LSTM node '.*' runs over a sequence of symbolic length; .*needs a fixed sequence length \(export with a fixed-length input and no dynamic axis on the sequence\)$/);
  });
  for (const name of NAMES) {
    it(`${name}: loss and gradients vs float64, eval graph vs training graph`, async () => {
      const fx = loadTorchFixture(`rnn/${name}`);
      const s = fx.manifest.scalars;
      const art = buildArtifacts(loadModel(fx.modelPath));
      expect(art.params.map((p) => p.name)).to.have.members(fx.manifest.params);
      const x = fx.f32('grad/input');
      const feeds: Record<string, ort.Tensor> = {
        [art.dataInputs[0].name]: new ort.Tensor('float32', x.data, x.dims),
        labels: new ort.Tensor('int64', fx.i64('grad/labels').data, [x.dims[0]]),
      };
      for (const p of [...art.params, ...art.buffers]) feeds[p.name] = new ort.Tensor('float32', art.initialValues.get(p.name) as Float32Array, [...p.dims]);
      // Severity 3: ORT's notes about the exporter's unused constants stay out of the test output.
      const quiet = { logSeverityLevel: 3 } as const;
      const train = await (await ort.InferenceSession.create(serializeModel(art.trainingModel), quiet)).run(feeds);
      const evalOut = await (await ort.InferenceSession.create(serializeModel(art.evalModel), quiet)).run(feeds);
      const loss = train.loss.data[0] as number;
      expect(Math.abs(loss - (s.loss as number)) / (s.loss as number), 'loss').to.be.below(FACTOR * (s['err32/loss'] as number) + FLOOR);
      // Without BatchNorm the eval graph computes what the training graph does, with ORT's fused kernels.
      if (art.buffers.length === 0) expect(relErr(evalOut.logits.data as Float32Array, train.logits.data as Float32Array), 'fused vs unrolled logits').to.be.below(1e-5);
      expect(art.params.length).to.be.greaterThan(0);
      for (const p of art.params) {
        expect(train[`${p.name}_grad`].data.length, p.name).to.equal(fx.f64(`truth/${p.name}`).data.length);
        const ours = floored(train[`${p.name}_grad`].data as Float32Array, fx.f64(`truth/${p.name}`).data, s.gradFloor as number);
        const theirs = s[`err32/${p.name}`] as number;
        expect(ours, `grad of ${p.name}: ours ${ours.toExponential(2)}, PyTorch float32 ${theirs.toExponential(2)}`).to.be.below(FACTOR * theirs + FLOOR);
      }
    });
  }
});
