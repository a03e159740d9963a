// Mean softmax cross-entropy over integer labels with optional label smoothing, and its gradient
// with respect to the logits in closed form: dL/dz = (softmax(z) − q) / N, q = (1−ε)·onehot + ε/C.
// The closed form is one pass and numerically stable (no log of a softmax is differentiated).
import { GraphBuilder } from '../onnx/builder';
import { DataType } from '../onnx/dtype';
import { attr } from '../onnx/attr';

export interface CrossEntropy {
  readonly loss: string;
  readonly dLogits: string;
  /** Each sample's loss [N] (the loss is their mean). */
  readonly sampleLosses: string;
}

export function appendCrossEntropy(b: GraphBuilder, logits: string, labels: string, numClasses: number, labelSmoothing = 0, withGradient = true): CrossEntropy {
  const dtype = b.fact(logits).dtype;
  const eps = labelSmoothing;
  const off = eps / numClasses;
  const on = 1 - eps + off;
  const values = b.initializer('onehot_values', dtype, [2], dtype === DataType.DOUBLE ? Float64Array.of(off, on) : Float32Array.of(off, on));
  const q = b.op('OneHot', [labels, b.ints([numClasses]), values], { axis: attr.int(1) }, 'target');
  const logProb = b.op('LogSoftmax', [logits], { axis: attr.int(1) }, 'log_prob');
  const perSample = b.reduce('ReduceSum', b.op('Mul', [q, logProb]), [1], false);
  const loss = b.node('Neg', [b.reduce('ReduceMean', perSample, [0], false)], {}, { outputNames: [b.fresh('loss')] })[0];
  if (!withGradient) return { loss, dLogits: '', sampleLosses: b.op('Neg', [perSample], {}, 'sample_losses') };
  const n = b.op('Cast', [b.op('Size', [labels])], { to: attr.int(dtype) });
  const dLogits = b.op('Div', [b.op('Sub', [b.op('Exp', [logProb]), q]), n], {}, 'dlogits');
  return { loss, dLogits, sampleLosses: '' };
}
