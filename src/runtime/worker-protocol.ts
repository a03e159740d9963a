// Messages between the main thread and a session worker. Parameters, gradients and the batch
// live in SharedArrayBuffers, so a message carries only sizes and the loss.
import type { InferenceSession } from 'onnxruntime-node';
import { GraphLayout } from './graph-session';

type SessionOptions = InferenceSession.SessionOptions;

export interface InitMessage {
  readonly type: 'init';
  readonly modelBytes: Uint8Array;
  /** The main session's options (provider, optimization level, logging), with this worker's thread count. */
  readonly sessionOptions: SessionOptions;
  /** The training graph's contract and the parameter layout (plain data: it is cloned into the worker). */
  readonly layout: GraphLayout;
  readonly weights: SharedArrayBuffer;
  readonly grad: SharedArrayBuffer;
}

export interface BatchMessage {
  readonly type: 'batch';
  /**
   * Data inputs: shared storage of the whole batch and the dims of this worker's shard, valid
   * until the next batch message.
   */
  readonly data: Record<string, { readonly buffer: SharedArrayBuffer; readonly dims: readonly number[] }>;
  readonly labels: SharedArrayBuffer;
  /** First sample of this worker's shard (0 without data parallelism). */
  readonly start: number;
  /** Samples in this worker's shard. */
  readonly count: number;
}

export interface RunMessage {
  readonly type: 'run';
  readonly id: number;
  /** Current BatchNorm buffer values (small; copied). */
  readonly buffers: Map<string, Float32Array>;
  readonly wantBuffers: boolean;
  /** Whether to send the class scores back (the pass at w, for the training accuracy). */
  readonly wantLogits: boolean;
}

export type ToWorker = InitMessage | BatchMessage | RunMessage | { readonly type: 'close' };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly id: number; readonly loss: number; readonly buffers?: Map<string, Float32Array>; readonly logits?: Float32Array }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
