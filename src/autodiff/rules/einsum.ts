// Y = einsum(eq, X₁…Xₙ):  dXₖ = einsum(out, others → subscriptₖ)(dY, Xⱼ≠ₖ), labels only Xₖ has broadcast back by Expand
// The gradients are Einsums themselves: ONNX Runtime contracts them natively (Transpose/MatMul/ReduceSum
// inside its kernel), the backward graph stays as small as the forward one, and the rule is closed
// under differentiation (second-order passes meet only Einsums again). A subscript that repeats a
// label within one operand (a diagonal, 'ii->i') is refused: its gradient is not an Einsum.
import { formatEinsum, parseEinsum } from '../../onnx/einsum';
import { attrString, Shape } from '../../onnx/ir';
import { AutodiffError, GradientRule } from '../types';

export const einsum: GradientRule = ({ b, dOut, needs, node, x }) => {
  const dy = dOut[0] as string;
  const equation = attrString(node, 'equation', '');
  const shapes = node.inputs.map((v) => b.shape(v));
  if (shapes.some((s) => !s)) throw new AutodiffError(`Einsum node '${node.name}' has an operand of unknown rank; crsam needs every operand's rank to differentiate '${equation}'`);
  const eq = parseEinsum(equation, shapes.map((s) => (s as Shape).length));
  // A dim of size 1 may be broadcast against a larger one: such a label gets a name of its own in
  // that operand (summing over a size-1 label is the identity), so no gradient equation broadcasts.
  const own = eq.inputs.map((labels, j) => labels.map((l, k) => ((shapes[j] as Shape)[k] === 1 ? `#${j}.${k}` : l)));
  return node.inputs.map((_, i) => {
    if (!needs[i]) return undefined;
    const labels = own[i];
    if (new Set(labels).size !== labels.length) {
      throw new AutodiffError(`Einsum node '${node.name}' takes a diagonal ('${equation}' repeats a label within operand ${i}), which crsam cannot differentiate; rewrite it with an explicit mask or Gather`);
    }
    const operands = [eq.output, ...own.filter((_, j) => j !== i)];
    const present = new Set(operands.flat());
    const target = labels.filter((l) => present.has(l));
    let g = b.op('Einsum', [dy, ...node.inputs.filter((__, j) => j !== i)], { equation: formatEinsum(operands, target) }, 'einsum_grad');
    if (target.length < labels.length) {
      // Labels summed inside Xᵢ alone: their gradient is the same at every position.
      g = b.unsqueeze(g, labels.flatMap((l, k) => (present.has(l) ? [] : [k])));
      g = b.op('Expand', [g, b.op('Shape', [x(i)])]);
    }
    return g;
  });
};
