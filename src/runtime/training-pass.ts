// One run of training_model.onnx through the session layer: feeds the parameters (views, no
// copies), the buffers and the batch; writes the flat gradient and returns the loss and the
// updated BatchNorm buffers.
import { BatchArrays, GraphSession } from './graph-session';

export interface PassInputs extends BatchArrays {
  readonly weights: Float32Array;
  readonly buffers: ReadonlyMap<string, Float32Array>;
}

export interface PassResult {
  readonly loss: number;
  /** Updated running statistics, by buffer name. */
  readonly buffers: Map<string, Float32Array>;
  /** The class scores of the pass, [N, classes] (a copy). */
  readonly logits?: Float32Array;
}

export function runTrainingPass(session: GraphSession, inputs: PassInputs, gradOut: Float32Array, wantLogits = false): Promise<PassResult> {
  return session.run({ batch: inputs, weights: inputs.weights, buffers: inputs.buffers }, (out) => {
    out.writeFlat('grads', gradOut);
    return { loss: out.loss(), buffers: out.bufferUpdates(), logits: wantLogits ? Float32Array.from(out.logits().data) : undefined };
  });
}
