// Contracts between the optimizers (pure math over flat Float32Array buffers) and whoever
// evaluates the loss and gradient (ONNX Runtime sessions in src/runtime, a closed form in tests).

/** One loss/gradient evaluation to run, on the step's mini-batch. */
export interface EvalRequest {
  /** Parameters to evaluate at (flat, all trainable parameters). Not modified by the evaluator. */
  readonly weights: Float32Array;
  /** Whether this pass may update BatchNorm running statistics (docs/optimizers.md §4, bnUpdate). */
  readonly updateBuffers: boolean;
  /** Where to write the gradient (same length as `weights`). */
  readonly gradOut: Float32Array;
  /**
   * Which pass of the step this is, so an oracle that places passes on sessions or devices
   * (src/runtime/pass-placement.ts) can send it to its own. Default: by position (a lone request
   * is the pass at w; of two, the first is w+e and the second w−e).
   */
  readonly pass?: 'w' | 'w+e' | 'w-e';
}

/**
 * Evaluates the mini-batch loss and writes its gradient, for several points. Implementations run
 * the requests concurrently when they can (the CR-SAM `w ± e` passes); results are in order.
 */
export interface GradientOracle {
  evaluate(requests: readonly EvalRequest[]): Promise<number[]>;
}

/** Checkpointable state of `Sgd`: its momentum buffer (absent until the first step) and step count. */
export interface SgdState {
  readonly kind: 'sgd';
  /** Base-optimizer steps taken so far. */
  readonly step: number;
  /** PyTorch's `momentum_buffer`; `null` before the first step or when momentum is 0. */
  readonly momentumBuffer: Float32Array | null;
}

/** Checkpointable state of `AdamW`: both moment estimates and the step count used for bias correction. */
export interface AdamWState {
  readonly kind: 'adamw';
  /** Base-optimizer steps taken so far (PyTorch's `state['step']`). */
  readonly step: number;
  /** First-moment estimate (PyTorch's `exp_avg`). */
  readonly expAvg: Float32Array;
  /** Second-moment estimate (PyTorch's `exp_avg_sq`). */
  readonly expAvgSq: Float32Array;
}

/** State of any base optimizer, tagged by `kind` so a checkpoint can say what it holds. */
export type OptimizerState = SgdState | AdamWState;

/**
 * A first-order optimizer over one flat parameter vector. `step` applies one update in place and
 * does not allocate; the learning rate is passed per step so that any schedule can drive it.
 */
export interface BaseOptimizer {
  /** Number of parameters this optimizer was built for. */
  readonly size: number;
  /** Updates `w` in place from gradient `g` (left unmodified) with learning rate `lr`. */
  step(w: Float32Array, g: Float32Array, lr: number): void;
  /** A deep copy of the state, safe to keep while stepping on. */
  getState(): OptimizerState;
  /** Restores a state from `getState` (copied in, so the caller may reuse its buffers). */
  setState(state: OptimizerState): void;
}
