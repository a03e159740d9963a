// dX = pad(unsqueeze(dY)) for a constant scalar index; else scatter-add of dY at the indices (ScatterND, or one-hot·dY before opset 16)
import { DataType } from '../../onnx/dtype';
import { attrInt } from '../../onnx/ir';
import { AutodiffError, GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const gather: GradientRule = ({ b, dOut, needs, node, x, opset }) => {
  if (!needs[0]) return [undefined, undefined];
  const dy = dOut[0] as string;
  const rank = b.rank(x(0));
  const axis = (attrInt(node, 'axis', 0) + rank) % rank;
  const size = b.shape(x(0))?.[axis];
  const ix = b.fact(x(1));
  const q = ix.shape?.length;
  if (q === undefined) throw new AutodiffError(`Gather node '${node.name}': the rank of its indices must be known to differentiate it`);
  const at = ix.value?.[0];
  const axisDim = () => b.op('Gather', [b.op('Shape', [x(0)]), b.ints([axis])], { axis: attr.int(0) });
  if (q === 0 && typeof at === 'number' && (typeof size === 'number' || at >= 0)) {
    // x[:, i] (PyTorch): the row goes back in place, zeros around it.
    const begin = Array.from({ length: rank }, (_, i) => (i === axis ? (at < 0 ? at + (size as number) : at) : 0));
    const end = begin.map((p, i) => (i === axis && typeof size === 'number' ? size - p - 1 : 0));
    const pads = typeof size === 'number' ? b.ints([...begin, ...end])
      : b.op('Concat', [b.ints([...begin, ...end.slice(0, axis)]), b.op('Sub', [axisDim(), b.ints([at + 1])]), b.ints(end.slice(axis + 1))], { axis: attr.int(0) });
    return [b.op('Pad', [b.unsqueeze(dy, [axis]), pads]), undefined];
  }
  // Index dims first: dYᵗ is [idx..., X without the axis]; the result [V, X without the axis] is transposed back.
  let idx = ix.dtype === DataType.INT64 ? x(1) : b.op('Cast', [x(1)], { to: attr.int(DataType.INT64) });
  if (!ix.value || ix.value.some((v) => typeof v !== 'number' || v < 0)) {
    const v = typeof size === 'number' ? b.scalar(size, DataType.INT64) : axisDim();
    idx = b.op('Where', [b.op('Less', [idx, b.scalar(0, DataType.INT64)]), b.op('Add', [idx, v]), idx]);
  }
  const dyRank = rank - 1 + q;
  const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  const dyT = b.transpose(dy, [...range(axis, axis + q), ...range(0, axis), ...range(axis + q, dyRank)]);
  const front = [axis, ...range(0, axis), ...range(axis + 1, rank)];
  const xs = b.shape(x(0));
  const shapeT = xs && xs.every((d) => typeof d === 'number') ? b.ints(front.map((i) => xs[i] as number)) : b.op('Gather', [b.op('Shape', [x(0)]), b.ints(front)], { axis: attr.int(0) });
  let dxT: string;
  if (opset >= 16) {
    const zeros = b.op('ConstantOfShape', [shapeT], { value: { name: 'value', dtype: b.fact(dy).dtype, dims: [1], data: b.fact(dy).dtype === DataType.DOUBLE ? new Float64Array(1) : new Float32Array(1) } });
    dxT = b.op('ScatterND', [zeros, b.unsqueeze(idx, [q]), dyT], { reduction: 'add' });
  } else {
    if (typeof size !== 'number') throw new AutodiffError(`Gather node '${node.name}': differentiating it before opset 16 needs a known size of axis ${axis}`);
    const arange = b.ints(range(0, size));
    const oneHot = b.op('Cast', [b.op('Equal', [b.unsqueeze(idx, [q]), arange])], { to: attr.int(b.fact(dy).dtype) });
    const flat = (v: string) => b.op('Flatten', [v], { axis: attr.int(q) });
    dxT = b.op('Reshape', [b.op('Gemm', [flat(oneHot), flat(dyT)], { transA: attr.int(1) }), shapeT]);
  }
  return [b.transpose(dxT, [...range(1, axis + 1), 0, ...range(axis + 1, rank)]), undefined];
};
