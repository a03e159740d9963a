// dX = ScatterElements(0, idx, dY, axis, reduction=add); before opset 16: Σ over the axis of one-hot(idx)·dY
import { DataType } from '../../onnx/dtype';
import { attrInt } from '../../onnx/ir';
import { AutodiffError, GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const gatherElements: GradientRule = ({ b, dOut, needs, node, x, opset }) => {
  if (!needs[0]) return [undefined, undefined];
  const dy = dOut[0] as string;
  const xs = b.shape(x(0));
  const rank = b.rank(x(0));
  const axis = (attrInt(node, 'axis', 0) + rank) % rank;
  const size = xs?.[axis];
  const ix = b.fact(x(1));
  let idx = ix.dtype === DataType.INT64 ? x(1) : b.op('Cast', [x(1)], { to: attr.int(DataType.INT64) });
  if (!ix.value || ix.value.some((v) => typeof v !== 'number' || v < 0)) {
    const v = typeof size === 'number' ? b.scalar(size, DataType.INT64) : b.op('Gather', [b.op('Shape', [x(0)]), b.ints([axis])], { axis: attr.int(0) });
    idx = b.op('Where', [b.op('Less', [idx, b.scalar(0, DataType.INT64)]), b.op('Add', [idx, v]), idx]);
  }
  if (opset >= 16) return [b.op('ScatterElements', [b.zerosLike(x(0)), idx, dy], { axis: attr.int(axis), reduction: 'add' }), undefined];
  // [..., V] one-hot of each index, times dY, summed over the gathered axis; V moves back into the axis.
  const is = ix.shape;
  if (typeof size !== 'number' || !xs || !is || xs.some((d, i) => i !== axis && typeof d === 'number' && typeof is[i] === 'number' && d !== is[i])) {
    throw new AutodiffError(`GatherElements node '${node.name}': before opset 16 it differentiates only with known sizes and indices as large as the input`);
  }
  const oneHot = b.op('Equal', [b.unsqueeze(idx, [rank]), b.ints(Array.from({ length: size }, (_, i) => i))]);
  const picked = b.op('Where', [oneHot, b.unsqueeze(dy, [rank]), b.scalarLike(0, dy)]);
  const summed = b.reduce('ReduceSum', picked, [axis], true);
  const perm = Array.from({ length: rank + 1 }, (_, i) => (i === axis ? rank : i === rank ? axis : i));
  return [b.squeeze(b.transpose(summed, perm), [rank]), undefined];
};
