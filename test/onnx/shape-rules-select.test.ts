// Shape rules of Resize (scales from a Concat of float constants, sizes from a Shape computation,
// opset-18 axes) and TopK, on the graph forms torch 1.13 exports, with a symbolic batch.
import { expect } from 'chai';
import { DataType } from '../../src/onnx/dtype';
import { Attribute, Graph, Node } from '../../src/onnx/ir';
import { inferShapes } from '../../src/onnx/shape-inference';

function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, Attribute> = {}): Node {
  return { opType, domain: '', name: outputs[0], inputs, outputs, attributes: new Map(Object.entries(attrs)) };
}
const floats = (name: string, v: number[]) => ({ name, dtype: DataType.FLOAT, dims: [v.length], data: Float32Array.from(v) });
const ints = (name: string, v: number[]) => ({ name, dtype: DataType.INT64, dims: [v.length], data: BigInt64Array.from(v.map(BigInt)) });
const str = (value: string): Attribute => ({ type: 'string', value });

function graph(nodes: Node[], inits: ReturnType<typeof floats | typeof ints>[]): Graph {
  return {
    name: 'g', nodes, outputs: [], valueInfo: new Map(),
    inputs: [{ name: 'x', dtype: DataType.FLOAT, shape: ['N', 3, 4, 5] }],
    initializers: new Map(inits.map((t) => [t.name, t])),
  };
}

describe('shape rules: Resize and TopK', () => {
  it('Resize with scales Concat([1, 1], [2, 2]) keeps the symbolic batch (opset 13 and 17)', () => {
    for (const opset of [13, 17]) {
      const g = graph([node('Concat', ['one', 'two'], ['scales'], { axis: { type: 'int', value: 0 } }), node('Resize', ['x', '', 'scales'], ['y'], { mode: str('nearest') })], [floats('one', [1, 1]), floats('two', [2, 2])]);
      expect(inferShapes(g, opset).get('y')?.shape).to.deep.equal(['N', 3, 8, 10]);
    }
  });

  it('Resize with sizes Concat(Shape(x)[0:2], [5, 7]) and scale 1.5 flooring', () => {
    const g = graph([
      node('Shape', ['x'], ['s']),
      node('Slice', ['s', 'zero', 'two'], ['nc']),
      node('Concat', ['nc', 'hw'], ['sizes'], { axis: { type: 'int', value: 0 } }),
      node('Resize', ['x', '', '', 'sizes'], ['y'], { mode: str('linear') }),
      node('Resize', ['x', 'roi', 'threehalves'], ['z'], { mode: str('linear') }),
    ], [ints('zero', [0]), ints('two', [2]), ints('hw', [5, 7]), floats('roi', []), floats('threehalves', [1, 1, 1.5, 1.5])]);
    const facts = inferShapes(g, 17);
    expect(facts.get('y')?.shape).to.deep.equal(['N', 3, 5, 7]);
    expect(facts.get('z')?.shape).to.deep.equal(['N', 3, 6, 7]);
  });

  it('Resize opset 18 with axes [2, 3] and keep_aspect_ratio_policy not_larger', () => {
    const g = graph([node('Resize', ['x', '', '', 'hw'], ['y'], { axes: { type: 'ints', value: [2, 3] }, keep_aspect_ratio_policy: str('not_larger') })], [ints('hw', [8, 20])]);
    expect(inferShapes(g, 18).get('y')?.shape).to.deep.equal(['N', 3, 8, 10]);
  });

  it('TopK: values and int64 indices with k on the axis', () => {
    const g = graph([node('TopK', ['x', 'k'], ['v', 'i'], { axis: { type: 'int', value: 1 } })], [ints('k', [2])]);
    const facts = inferShapes(g, 17);
    expect(facts.get('v')).to.deep.include({ dtype: DataType.FLOAT, shape: ['N', 2, 4, 5] });
    expect(facts.get('i')).to.deep.include({ dtype: DataType.INT64, shape: ['N', 2, 4, 5] });
  });
});
