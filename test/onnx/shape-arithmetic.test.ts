// Shape computations evaluated where they are determined: Swin's padding amounts
// (Shape → Gather → Sub/Mod → Concat → Cast → Pad) give known dims, also next to a symbolic batch.
import { expect } from 'chai';
import { DataType } from '../../src/onnx/dtype';
import { Graph, Node, Tensor } from '../../src/onnx/ir';
import { inferShapes } from '../../src/onnx/shape-inference';

const node = (opType: string, inputs: string[], outputs: string[], attrs: [string, number][] = []): Node => ({
  opType, domain: '', name: outputs[0], inputs, outputs, attributes: new Map(attrs.map(([k, v]) => [k, { type: 'int' as const, value: v }])),
});
const ints = (name: string, v: number[]): Tensor => ({ name, dtype: DataType.INT64, dims: [v.length], data: BigInt64Array.from(v.map(BigInt)) });

/** x [N, H, W, C] padded so that H and W become multiples of the window, as torchvision's Swin exports it. */
function swinPad(h: number, w: number, window: number): Graph {
  const inits = [ints('i1', [1]), ints('i2', [2]), ints('win', [window]), ints('z5', [0, 0, 0, 0, 0]), ints('z1', [0])];
  return {
    name: 'swin', valueInfo: new Map(), outputs: [],
    inputs: [{ name: 'x', dtype: DataType.FLOAT, shape: ['N', h, w, 8] }],
    initializers: new Map(inits.map((t) => [t.name, t])),
    nodes: [
      node('Shape', ['x'], ['s']),
      node('Gather', ['s', 'i1'], ['h']),
      node('Gather', ['s', 'i2'], ['w']),
      node('Mod', ['h', 'win'], ['hm']), node('Sub', ['win', 'hm'], ['hp0']), node('Mod', ['hp0', 'win'], ['hp']),
      node('Mod', ['w', 'win'], ['wm']), node('Sub', ['win', 'wm'], ['wp0']), node('Mod', ['wp0', 'win'], ['wp']),
      // ONNX pads: [begin N, H, W, C, end N, H, W, C]: pad H and W at the end only
      node('Concat', ['z5', 'hp', 'wp', 'z1'], ['p0'], [['axis', 0]]),
      node('Cast', ['p0'], ['p1'], [['to', DataType.INT64]]),
      node('Pad', ['x', 'p1'], ['y']),
    ],
  };
}

describe('shape arithmetic: Swin padding amounts', () => {
  it('a 5×6 map with window 4 pads to 8×8 (Mod, Sub, Concat, Cast, Pad all folded)', () => {
    const facts = inferShapes(swinPad(5, 6, 4), 17);
    expect(facts.get('hp')?.value).to.deep.equal([3]);
    expect(facts.get('wp')?.value).to.deep.equal([2]);
    expect(facts.get('y')?.shape).to.deep.equal(['N', 8, 8, 8]);
  });
  it('a map already a multiple of the window is not padded', () => {
    const facts = inferShapes(swinPad(8, 4, 4), 17);
    expect(facts.get('hp')?.value).to.deep.equal([0]);
    expect(facts.get('y')?.shape).to.deep.equal(['N', 8, 4, 8]);
  });
  it('integer Mod takes the sign of the divisor (fmod=0), as Python and ONNX do', () => {
    const g = swinPad(5, 6, 4);
    g.initializers.set('neg', ints('neg', [-3]));
    g.nodes.push(node('Mod', ['neg', 'win'], ['r']), node('Mod', ['neg', 'win'], ['rf'], [['fmod', 1]]));
    const facts = inferShapes(g, 17);
    expect(facts.get('r')?.value).to.deep.equal([1]);
    expect(facts.get('rf')?.value).to.deep.equal([-3]);
  });
  it('ReduceProd of a shape is the element count, symbolic where the batch is', () => {
    const g = swinPad(5, 6, 4);
    g.nodes.push(node('ReduceProd', ['s'], ['numel'], [['keepdims', 1]]), node('ReduceMax', ['p1'], ['pmax'], [['keepdims', 0]]));
    const facts = inferShapes(g, 17);
    expect(facts.get('numel')?.value).to.deep.equal(['240*N']); // N·5·6·8
    expect(facts.get('pmax')?.value).to.deep.equal([3]);
  });
  it('symbolic dims fold through Mul and exact Div', () => {
    const g = swinPad(5, 6, 4);
    g.nodes.push(node('Gather', ['s', 'z1'], ['nn']), node('Mul', ['nn', 'win'], ['n4']), node('Div', ['n4', 'win'], ['back']));
    const facts = inferShapes(g, 17);
    expect(facts.get('n4')?.value?.[0]).to.equal('4*N');
    expect(facts.get('back')?.value?.[0]).to.equal('N');
  });
});
