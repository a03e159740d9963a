// A few bytes of constant shape must not make crsam build graphs that allocate gigabytes.
import { expect } from 'chai';
import { buildArtifacts } from '../../src/autodiff/artifacts';
import { DataType } from '../../src/onnx/dtype';
import { Model } from '../../src/onnx/ir';
import { OnnxFormatError, loadModel, serializeModel } from '../../src/onnx/io';
import { tinyModel } from './external-fixture';

/** tinyModel plus y = h + sum(ConstantOfShape([side, side])): logits keep their shape. */
function withConstant(side: number): Model {
  const m = tinyModel();
  m.graph.initializers.set('s', { name: 's', dtype: DataType.INT64, dims: [2], data: BigInt64Array.of(BigInt(side), BigInt(side)) });
  m.graph.nodes[0] = { ...m.graph.nodes[0], outputs: ['h'] };
  m.graph.nodes.push(
    { opType: 'ConstantOfShape', domain: '', name: 'fill', inputs: ['s'], outputs: ['c'], attributes: new Map() },
    { opType: 'ReduceSum', domain: '', name: 'sum', inputs: ['c'], outputs: ['r'], attributes: new Map() },
    { opType: 'Add', domain: '', name: 'add', inputs: ['h', 'r'], outputs: ['y'], attributes: new Map() },
  );
  return loadModel(serializeModel(m));
}

describe('constant-derived tensor sizes', () => {
  it('builds a model that expands a constant to a modest size', () => {
    expect(() => buildArtifacts(withConstant(64))).to.not.throw();
  });

  it('refuses a 1.6 KB model whose ConstantOfShape asks for 9·10^8 values (3.6 GB)', () => {
    const m = withConstant(30000);
    expect(serializeModel(m).length).to.be.below(4000);
    expect(() => buildArtifacts(m)).to.throw(OnnxFormatError, /ConstantOfShape node 'fill' makes a tensor of shape \[30000, 30000\] \(9\.00e\+8 values\) from constants alone/);
  });
});
