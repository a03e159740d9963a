// Contracts between the optimizers (pure math over flat Float32Array buffers) and whoever
// evaluates the loss and gradient (ONNX Runtime sessions in src/runtime, a closed form in tests).

/** One loss/gradient evaluation to run, on the step's mini-batch. */
export interface EvalRequest {
  /** Parameters to evaluate at (flat, all trainable parameters). Not modified by the evaluator. */
  readonly weights: Float32Array;
  /** Whether this pass may update BatchNorm running statistics (SPEC §1 bnUpdate policy). */
  readonly updateBuffers: boolean;
  /** Where to write the gradient (same length as `weights`). */
  readonly gradOut: Float32Array;
}

/**
 * Evaluates the mini-batch loss and writes its gradient, for several points. Implementations run
 * the requests concurrently when they can (the CR-SAM `w ± e` passes); results are in order.
 */
export interface GradientOracle {
  evaluate(requests: readonly EvalRequest[]): Promise<number[]>;
}
