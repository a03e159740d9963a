// Convolution and pooling geometry (strides, dilations, pads with auto_pad resolved), shared by
// shape inference and the gradient rules so both agree on every size.
import { attrInt, attrInts, attrString, Node } from './ir';

export interface ConvGeometry {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** [b1, b2, ..., e1, e2, ...] as ONNX orders them. */
  readonly pads: readonly number[];
  readonly outSpatial: readonly (number | null)[];
  readonly ceilMode: boolean;
}

/**
 * Resolves the geometry of Conv/ConvTranspose-free ops (Conv, MaxPool, AveragePool) for the given
 * input spatial dims. `kernel` comes from the weight for Conv and from kernel_shape for pools.
 */
export function convGeometry(node: Node, inSpatial: readonly (number | string | null)[], kernel: readonly number[]): ConvGeometry {
  const n = kernel.length;
  const strides = attrInts(node, 'strides') ?? new Array<number>(n).fill(1);
  const dilations = attrInts(node, 'dilations') ?? new Array<number>(n).fill(1);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const ceilMode = attrInt(node, 'ceil_mode', 0) === 1;
  let pads = [...(attrInts(node, 'pads') ?? new Array<number>(2 * n).fill(0))];
  const outSpatial: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    const size = inSpatial[i];
    const eff = dilations[i] * (kernel[i] - 1) + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      if (typeof size !== 'number') { outSpatial.push(null); continue; }
      const out = Math.ceil(size / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + eff - size);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + n] = total - pads[i];
      outSpatial.push(out);
    } else {
      if (autoPad === 'VALID') { pads = new Array<number>(2 * n).fill(0); }
      if (typeof size !== 'number') { outSpatial.push(null); continue; }
      const span = size + pads[i] + pads[i + n] - eff;
      let out = (ceilMode ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1;
      // PyTorch/ONNX: with ceil_mode the last window must start inside the (left-padded) input.
      if (ceilMode && (out - 1) * strides[i] >= size + pads[i]) out--;
      outSpatial.push(out);
    }
  }
  return { kernel, strides, dilations, pads, outSpatial, ceilMode };
}
