// Today's exporters: opset 18–21 forms (Reduce* axes as an input, Split num_outputs, Pad axes) and
// model-local functions, against PyTorch float64 (tools/make_interop_fixtures.py); plus a
// GlobalAveragePool over symbolic spatial dims.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { loadModel, serializeModel } from '../../src/onnx/io';
import { fixturePath } from '../repo-root';

interface Truth { input: number[]; inputShape: number[]; labels: number[]; loss64: number; torch32GradErr: number; grad64: Record<string, number[]> }

/** ||ours - truth|| / ||truth|| over all named gradients together, and our loss. */
async function ourError(modelFile: string, truth: Truth): Promise<{ err: number; loss: number }> {
  const art = buildArtifacts(loadModel(fixturePath('interop', modelFile)));
  const session = await ort.InferenceSession.create(serializeModel(art.trainingModel), { logSeverityLevel: 3 });
  const feeds: Record<string, ort.Tensor> = {
    [art.dataInputs[0].name]: new ort.Tensor('float32', Float32Array.from(truth.input), truth.inputShape),
    labels: new ort.Tensor('int64', BigInt64Array.from(truth.labels.map(BigInt)), [truth.labels.length]),
  };
  for (const p of art.params) feeds[p.name] = new ort.Tensor('float32', art.initialValues.get(p.name) as Float32Array, [...p.dims]);
  const out = await session.run(feeds);
  let num = 0;
  let den = 0;
  for (const [name, g64] of Object.entries(truth.grad64)) {
    const g = out[`${name}_grad`].data as Float32Array;
    expect(g.length, name).to.equal(g64.length);
    g64.forEach((t, i) => { num += (g[i] - t) ** 2; den += t ** 2; });
  }
  return { err: Math.sqrt(num / den), loss: out.loss.data[0] as number };
}

const read = (f: string): Truth => JSON.parse(fs.readFileSync(fixturePath('interop', f), 'utf8')) as Truth;

describe('today\'s exporters: opset 18–21 forms and model-local functions', () => {
  const truth = read('forms.json');
  for (const file of ['opset18.onnx', 'opset21.onnx']) {
    it(`${file}: local function inlined, gradients match PyTorch float64 within 10× float32's own error`, async () => {
      const model = loadModel(fixturePath('interop', file));
      expect(model.graph.nodes.filter((n) => n.domain !== '')).to.have.length(0);
      expect(model.graph.nodes.map((n) => n.opType)).to.include('LeakyRelu');
      const { err, loss } = await ourError(file, truth);
      const tol = Math.max(10 * truth.torch32GradErr, 1e-6);
      expect(err, `ours ${err.toExponential(2)} vs PyTorch float32 ${truth.torch32GradErr.toExponential(2)}`).to.be.below(tol);
      expect(Math.abs(loss - truth.loss64) / truth.loss64).to.be.below(1e-6);
    });
  }

  it('a function attribute taken from the caller (ref_attr_name) reaches the inlined node', () => {
    const leaky = loadModel(fixturePath('interop', 'opset18.onnx')).graph.nodes.find((n) => n.opType === 'LeakyRelu');
    expect(leaky?.attributes.get('alpha')).to.deep.include({ type: 'float' });
    expect((leaky?.attributes.get('alpha') as { value: number }).value).to.be.closeTo(0.2, 1e-7);
  });
});

describe('model-local functions as torch.onnx exports them (export_modules_as_functions)', () => {
  it('two function calls inlined; gradients match PyTorch float64', async () => {
    const model = loadModel(fixturePath('interop', 'functions.onnx'));
    expect(model.graph.nodes.filter((n) => n.domain !== '')).to.have.length(0);
    const truth = read('functions.json');
    const { err } = await ourError('functions.onnx', truth);
    expect(err, `ours ${err.toExponential(2)} vs PyTorch float32 ${truth.torch32GradErr.toExponential(2)}`).to.be.below(Math.max(10 * truth.torch32GradErr, 1e-6));
  });
});

describe('GlobalAveragePool over symbolic spatial dims', () => {
  it('builds and matches PyTorch float64 at H×W = 5×7', async () => {
    const truth = read('gap.json');
    const { err } = await ourError('gap_symbolic.onnx', truth);
    expect(err, `ours ${err.toExponential(2)} vs PyTorch float32 ${truth.torch32GradErr.toExponential(2)}`).to.be.below(Math.max(10 * truth.torch32GradErr, 1e-6));
  });
});
