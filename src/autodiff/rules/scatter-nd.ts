// Y = scatterND(X, idx, U): dX = dY with the written rows zeroed (reduction 'add': dX = dY), dU = dY[idx]
// Appears in Gather's backward graph, whose indices address whole rows of axis 0 (idx [..., 1]):
// there dU is a Gather on axis 0, which needs no GatherND support elsewhere.
import { attrString } from '../../onnx/ir';
import { AutodiffError, GradientRule } from '../types';
import { attr } from '../../onnx/attr';

export const scatterNd: GradientRule = ({ b, dOut, needs, node, x }) => {
  const dy = dOut[0] as string;
  const reduction = attrString(node, 'reduction', 'none');
  if (reduction !== 'none' && reduction !== 'add') {
    throw new AutodiffError(`ScatterND node '${node.name}' uses reduction '${reduction}'; crsam differentiates only 'none' and 'add'`);
  }
  const is = b.shape(x(1));
  const last = is?.[is.length - 1];
  if (!is || last !== 1) throw new AutodiffError(`ScatterND node '${node.name}' indexes ${last ?? 'an unknown number of'} axes at once; crsam differentiates ScatterND only for row indices (last index dim 1)`);
  let dX: string | undefined;
  if (needs[0]) dX = reduction === 'add' ? dy : b.op('ScatterND', [dy, x(1), b.zerosLike(x(2))]);
  const dU = needs[2] ? b.op('Gather', [dy, b.squeeze(x(1), [is.length - 1])], { axis: attr.int(0) }) : undefined;
  return [dX, undefined, dU];
};
