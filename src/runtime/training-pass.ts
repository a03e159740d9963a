// One run of training_model.onnx: feeds the parameters (views, no copies), the buffers and the
// batch; writes the flat gradient and returns the loss and the updated BatchNorm buffers.
import * as ort from 'onnxruntime-node';
import { NamedView } from './parameter-store';

export interface PassLayout {
  readonly params: readonly NamedView[];
  readonly buffers: readonly { readonly name: string; readonly dims: readonly number[] }[];
}

export interface PassInputs {
  readonly weights: Float32Array;
  readonly buffers: ReadonlyMap<string, Float32Array>;
  readonly data: Readonly<Record<string, { readonly data: Float32Array; readonly dims: readonly number[] }>>;
  readonly labels: BigInt64Array<ArrayBufferLike>;
}

export interface PassResult {
  readonly loss: number;
  /** Updated running statistics, by buffer name (fresh arrays). */
  readonly buffers: Map<string, Float32Array>;
  /** The class scores of the pass, [N, classes]. */
  readonly logits?: Float32Array;
}

export async function runTrainingPass(session: ort.InferenceSession, layout: PassLayout, inputs: PassInputs, gradOut: Float32Array, wantLogits = false): Promise<PassResult> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(inputs.data)) feeds[name] = new ort.Tensor('float32', t.data, [...t.dims]);
  feeds.labels = new ort.Tensor('int64', inputs.labels, [inputs.labels.length]);
  for (const v of layout.params) feeds[v.name] = new ort.Tensor('float32', inputs.weights.subarray(v.offset, v.offset + v.size), [...v.dims]);
  for (const b of layout.buffers) feeds[b.name] = new ort.Tensor('float32', inputs.buffers.get(b.name) as Float32Array, [...b.dims]);
  const out = await session.run(feeds);
  for (const v of layout.params) gradOut.set(out[`${v.name}_grad`].data as Float32Array, v.offset);
  const buffers = new Map<string, Float32Array>();
  for (const b of layout.buffers) buffers.set(b.name, out[`${b.name}_updated`].data as Float32Array);
  const loss = Number(out.loss.data[0]);
  const last = session.outputNames[session.outputNames.length - 1];
  const hasLogits = !(last.endsWith('_grad') || last.endsWith('_updated') || last === 'loss');
  const logits = wantLogits && hasLogits ? Float32Array.from(out[last].data as Float32Array) : undefined;
  for (const t of Object.values(out)) t.dispose();
  return { loss, buffers, logits };
}
