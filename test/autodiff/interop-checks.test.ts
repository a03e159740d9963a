// What the user hears about models crsam cannot take as they are: every op without a rule at once,
// and a one-sentence warning for an eval-mode export (silenced by allowEvalExport).
import { expect } from 'chai';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { UnsupportedOpsError } from '../../src/autodiff/unsupported-ops';
import { DataType } from '../../src/onnx/dtype';
import { Model, Node } from '../../src/onnx/ir';
import { loadModel } from '../../src/onnx/io';
import { fixturePath } from '../repo-root';

const node = (opType: string, inputs: string[], outputs: string[], name = outputs[0]): Node => ({ opType, domain: '', name, inputs, outputs, attributes: new Map() });

function model(nodes: Node[]): Model {
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 't', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadataProps: new Map(),
    graph: {
      name: 'g', nodes, valueInfo: new Map(),
      inputs: [{ name: 'x', dtype: DataType.FLOAT, shape: ['N', 4] }],
      outputs: [{ name: 'y', dtype: DataType.FLOAT, shape: ['N', 3] }],
      initializers: new Map([['w', { name: 'w', dtype: DataType.FLOAT, dims: [4, 3], data: new Float32Array(12).fill(0.1) }],
        ['k', { name: 'k', dtype: DataType.FLOAT, dims: [], data: Float32Array.of(2) }],
        ['ax', { name: 'ax', dtype: DataType.INT64, dims: [1], data: BigInt64Array.of(2n) }]]),
    },
  };
}

function errorOf(f: () => unknown): UnsupportedOpsError {
  try { f(); } catch (e) { if (e instanceof UnsupportedOpsError) return e; throw e; }
  throw new Error('no error');
}

describe('every op without a rule, in one message', () => {
  it('ops without a gradient rule: all of them, with their nodes and the opset', () => {
    const e = errorOf(() => buildArtifacts(model([
      node('MatMul', ['x', 'w'], ['h']),
      node('Mod', ['h', 'k'], ['m1']), node('Mod', ['m1', 'k'], ['m2']),
      // GlobalMaxPool has a shape rule but no gradient rule (ReduceSumSquare, used here before, got one).
      node('Unsqueeze', ['m2', 'ax'], ['u']), node('GlobalMaxPool', ['u'], ['r']), node('Squeeze', ['r', 'ax'], ['q']), node('Add', ['q', 'h'], ['y']),
    ])));
    expect(e.ops.map((o) => [o.opType, o.missing, o.nodes])).to.deep.equal([['Mod', 'gradient', ['m1', 'm2']], ['GlobalMaxPool', 'gradient', ['r']]]);
    expect(e.message).to.match(/no gradient rule for op Mod \(nodes 'm1', 'm2', opset 17\), op GlobalMaxPool \(node 'r', opset 17\)/);
    expect(e.message.split('. ')).to.have.length(1);
  });
  it('a missing shape rule is called that, beside the ops that lack a gradient rule', () => {
    const e = errorOf(() => buildArtifacts(model([
      node('MatMul', ['x', 'w'], ['h']), node('Hardmax', ['h'], ['a']), node('Mod', ['a', 'k'], ['b']), node('Det', ['b'], ['y']),
    ])));
    expect(e.ops.map((o) => [o.opType, o.missing])).to.deep.equal([['Hardmax', 'shape'], ['Mod', 'gradient'], ['Det', 'shape']]);
    expect(e.message).to.match(/no shape rule for op Hardmax \(node 'a', opset 17\), op Det \(node 'y', opset 17\); no gradient rule for op Mod/);
  });
});

describe('eval-mode exports', () => {
  it('a Conv-BatchNorm model exported in eval mode gets one warning that says how to export in training mode', () => {
    const art = buildArtifacts(loadModel(fixturePath('interop', 'eval_export.onnx')));
    expect(art.warnings).to.have.length(1);
    expect(art.warnings[0]).to.match(/eval mode.*onnx::Conv_\d+.*TrainingMode\.TRAINING.*--allow-eval-export/);
    expect(art.warnings[0].split('. ')).to.have.length(1);
  });
  it('allowEvalExport silences it; a training-mode export has none', () => {
    expect(buildArtifacts(loadModel(fixturePath('interop', 'eval_export.onnx')), { allowEvalExport: true }).warnings).to.deep.equal([]);
    expect(buildArtifacts(loadModel(fixturePath('interop', 'fixed_batch.onnx'))).warnings).to.deep.equal([]);
  });
});
