// Worker-thread entry: owns one training session and runs passes on shared parameter memory.
import { parentPort } from 'node:worker_threads';
import { FromWorker, ToWorker } from './worker-protocol';
import { GraphSession } from './graph-session';
import { runTrainingPass } from './training-pass';
import { tensorSize } from '../onnx/ir';

let session: GraphSession | undefined;
let weights: Float32Array | undefined;
// onnxruntime-node refuses tensors over SharedArrayBuffer memory, so passes read private copies.
let localWeights: Float32Array | undefined;
let grad: Float32Array | undefined;
let data: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
let labels: BigInt64Array<ArrayBufferLike> = new BigInt64Array(0);

const port = parentPort;
const send = (m: FromWorker): void => port?.postMessage(m);

port?.on('message', (msg: ToWorker) => {
  void handle(msg);
});

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'init') {
    try {
      session = await GraphSession.create(msg.modelBytes, msg.sessionOptions, msg.layout);
      weights = new Float32Array(msg.weights);
      localWeights = new Float32Array(weights.length);
      grad = new Float32Array(msg.grad);
      send({ type: 'ready' });
    } catch (e) {
      send({ type: 'error', id: -1, message: (e as Error).message });
    }
  } else if (msg.type === 'batch') {
    data = {};
    for (const [name, t] of Object.entries(msg.data)) {
      const n = tensorSize(t.dims);
      data[name] = { data: new Float32Array(t.buffer, msg.start * (n / msg.count) * 4, n).slice(), dims: t.dims };
    }
    labels = new BigInt64Array(msg.labels, msg.start * 8, msg.count).slice();
  } else if (msg.type === 'run') {
    try {
      if (!session || !weights || !grad || !localWeights) throw new Error('the worker has no session');
      localWeights.set(weights);
      const r = await runTrainingPass(session, { weights: localWeights, buffers: msg.buffers, data, labels }, grad, msg.wantLogits);
      send({ type: 'done', id: msg.id, loss: r.loss, buffers: msg.wantBuffers ? r.buffers : undefined, logits: r.logits });
    } catch (e) {
      send({ type: 'error', id: msg.id, message: (e as Error).message });
    }
  } else if (msg.type === 'close') {
    await session?.release();
    port?.close();
  }
}
