// Models ONNX Runtime refuses to load are refused by our loader too, in one sentence, and declared
// sizes never allocate more than the file holds.
import { expect } from 'chai';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { isUserError } from '../../src/core/errors';
import { DataType } from '../../src/onnx/dtype';
import { Model, Node } from '../../src/onnx/ir';
import { OnnxFormatError, loadModel, serializeModel } from '../../src/onnx/io';
import { rewriteTensors, tinyModel } from './external-fixture';
import { repoRoot } from '../repo-root';

const node = (opType: string, inputs: string[], outputs: string[], name: string): Node => ({ opType, domain: '', name, inputs, outputs, attributes: new Map() });

function withGraph(edit: (m: Model) => void): Uint8Array {
  const m = tinyModel();
  edit(m);
  return serializeModel(m);
}

const CASES: [string, () => Uint8Array, RegExp][] = [
  ['a cycle', () => withGraph((m) => { m.graph.nodes.splice(0, 1, node('Add', ['x', 'b'], ['a'], 'n1'), node('Relu', ['a'], ['b'], 'n2'), node('MatMul', ['b', 'w'], ['y'], 'n3')); }), /has a cycle/],
  ['an undefined input', () => withGraph((m) => { m.graph.nodes[0] = node('MatMul', ['x', 'ghost'], ['y'], 'mm'); }), /node 'mm' reads the value 'ghost', which nothing defines/],
  ['a value defined twice', () => withGraph((m) => { m.graph.nodes.push(node('Relu', ['x'], ['y'], 'again')); }), /defines the value 'y' twice/],
  ['an output nothing computes', () => withGraph((m) => { m.graph.outputs = [{ name: 'z', dtype: DataType.FLOAT, shape: ['N', 30] }]; }), /output 'z', which nothing computes/],
  ['an unsupported input element type', () => withGraph((m) => { m.graph.inputs = [{ name: 'x', dtype: 14 as DataType, shape: ['N', 20] }]; }), /input 'x' has the element type type 14, which crsam does not support/],
  ['a string initializer', () => withGraph((m) => { const w = m.graph.initializers.get('w'); if (w) m.graph.initializers.set('w', { ...w, dtype: DataType.STRING }); }), /tensor 'w' has element type STRING, which crsam does not support/],
  ['raw data shorter than its dims', () => rewriteTensors(serializeModel(tinyModel()), (t) => { t.raw_data = t.raw_data?.slice(0, 40); }), /holds 40 bytes but its dims \[20, 30\] of FLOAT need 2400/],
  ['a negative dimension', () => rewriteTensors(serializeModel(tinyModel()), (t) => { t.dims = [-20, -30]; }), /dimension -20/],
];

describe('loader: models ONNX Runtime refuses', () => {
  for (const [what, make, pattern] of CASES) {
    it(`refuses ${what} in one sentence, as ONNX Runtime does`, async () => {
      const bytes = make();
      let ortRefused = false;
      try { await ort.InferenceSession.create(bytes); } catch { ortRefused = true; }
      expect(ortRefused, 'ONNX Runtime accepts this model, so the case proves nothing').to.equal(true);
      expect(() => loadModel(bytes)).to.throw(OnnxFormatError, pattern);
    });
  }

  it('refuses a tensor that declares 2^40 elements but holds none, without allocating them', () => {
    // The 3.9 GB case: dims alone, no data; the old loader allocated dims × 4 bytes first.
    const bytes = rewriteTensors(serializeModel(tinyModel()), (t) => { t.dims = [1 << 20, 1 << 20]; delete t.raw_data; });
    const before = process.memoryUsage().arrayBuffers;
    expect(() => loadModel(bytes)).to.throw(OnnxFormatError, /tensor 'w' has 0 values but its dims \[1048576, 1048576\] need 1099511627776/);
    expect(process.memoryUsage().arrayBuffers - before).to.be.below(50e6);
  });
});

describe('loader: malformed nodes are user errors, in the user\'s terms', () => {
  const lenet = (): Model => loadModel(path.join(repoRoot(), 'models', 'lenet5.onnx'));
  const conv = (m: Model): Node => m.graph.nodes.find((n) => n.opType === 'Conv') as Node;
  const cases: [string, (m: Model) => void, RegExp][] = [
    ['an attribute of the wrong kind', (m) => { conv(m).attributes.set('kernel_shape', { type: 'floats', value: [5.5, 5] }); }, /attribute kernel_shape of Conv node 'conv1_node' should be ints, not floats/],
    ['a zero stride (an infinite output)', (m) => { conv(m).attributes.set('strides', { type: 'ints', value: [0, 0] }); }, /Conv node 'conv1_node': its attribute strides must hold whole numbers of at least 1, got \[0, 0\]/],
    ['an absurd declared input shape', (m) => { m.graph.inputs[0] = { ...m.graph.inputs[0], shape: ['N', 1, 1e9, 1e9] }; }, /node 'flat_node': it would have the invalid shape/],
    ['an opset newer than ONNX Runtime knows', (m) => { m.opsetImports[0] = { domain: '', version: 99 }; }, /opset 99, newer than the 26 ONNX Runtime supports/],
  ];
  for (const [what, edit, pattern] of cases) {
    it(`refuses ${what} with a CrsamError that names the user's node, not ours`, () => {
      const m = lenet();
      edit(m);
      const err = captureError(() => buildArtifacts(loadModel(serializeModel(m))));
      expect(isUserError(err), err.stack).to.equal(true);
      expect(err.message).to.match(pattern);
      expect(err.message).to.not.match(/Expand_node|_node_\d/);
    });
  }
});

describe('loader: attributes ONNX Runtime refuses', () => {
  const lenet = (): Model => loadModel(path.join(repoRoot(), 'models', 'lenet5.onnx'));
  const find = (m: Model, name: string): Node => m.graph.nodes.find((n) => n.name === name) as Node;
  const cases: [string, (m: Model) => void, RegExp][] = [
    ['a convolution with group 0', (m) => { find(m, 'conv1_node').attributes.set('group', { type: 'int', value: 0 }); }, /Conv node 'conv1_node': group must be a whole number of at least 1, got 0/],
    ['a pooling kernel of size 0', (m) => { find(m, 'MaxPool_node').attributes.set('kernel_shape', { type: 'ints', value: [0, 2] }); }, /MaxPool node 'MaxPool_node': its attribute kernel_shape must hold whole numbers of at least 1, got \[0, 2\]/],
    ['a reshape to a size of −5', (m) => {
      const flat = find(m, 'flat_node');
      m.graph.initializers.set('bad_shape', { name: 'bad_shape', dtype: DataType.INT64, dims: [2], data: BigInt64Array.of(-5n, 400n) });
      m.graph.nodes[m.graph.nodes.indexOf(flat)] = { ...flat, opType: 'Reshape', inputs: [flat.inputs[0], 'bad_shape'], attributes: new Map() };
    }, /Reshape node 'flat_node': the target shape \[-5, 400\] may hold sizes ≥ 0 and at most one −1/],
  ];
  for (const [what, edit, pattern] of cases) {
    it(`refuses ${what}, which ONNX Runtime cannot run, with a CrsamError naming the node`, async () => {
      const m = lenet();
      edit(m);
      const bytes = serializeModel(m);
      // ONNX Runtime refuses these when it loads the model or, at the latest, when it runs it.
      let ortRefused = false;
      try {
        // Fatal-only logging: the run's refusal is expected, its error line is not test output.
        const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });
        try { await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', new Float32Array(784), [1, 1, 28, 28]) }); } finally { await session.release(); }
      } catch { ortRefused = true; }
      expect(ortRefused, 'ONNX Runtime runs this model, so the case proves nothing').to.equal(true);
      const err = captureError(() => buildArtifacts(loadModel(bytes)));
      expect(isUserError(err), err.stack).to.equal(true);
      expect(err.message).to.match(pattern);
    });
  }
});

function captureError(f: () => unknown): Error {
  try { f(); } catch (e) { return e as Error; }
  throw new Error('expected an error');
}
