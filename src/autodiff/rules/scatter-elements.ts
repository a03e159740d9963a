// Y = scatter(X, idx, U): dX = dY with the overwritten positions zeroed (reduction 'add': dX = dY), dU = gather(dY, idx)
// Appears in the backward graphs of MaxPool and GatherElements, so Hessian-vector products need it.
// Indices are assumed unique for reduction 'none', as ONNX requires for a defined result.
import { attrInt, attrString } from '../../onnx/ir';
import { AutodiffError, GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const scatterElements: GradientRule = ({ b, dOut, needs, node, x }) => {
  const dy = dOut[0] as string;
  const reduction = attrString(node, 'reduction', 'none');
  if (reduction !== 'none' && reduction !== 'add') {
    throw new AutodiffError(`ScatterElements node '${node.name}' uses reduction '${reduction}'; crsam differentiates only 'none' and 'add'`);
  }
  const axis = attrInt(node, 'axis', 0);
  let dX: string | undefined;
  if (needs[0]) dX = reduction === 'add' ? dy : b.op('ScatterElements', [dy, x(1), b.zerosLike(x(2))], { axis: attr.int(axis) });
  const dU = needs[2] ? b.op('GatherElements', [dy, x(1)], { axis: attr.int(axis) }) : undefined;
  return [dX, undefined, dU];
};
