// ONNX Runtime's verdict on a model: refused when it cannot create a session or cannot run one
// batch (symbolic dims 2, deterministic feeds). In-process: for models known not to crash it; the
// fuzzing runs it in a child process (ort-oracle-child.ts).
import * as ort from 'onnxruntime-node';
import { decode, ValueObj, Verdict } from './ort-oracle';

/** ONNX Runtime's verdict on `bytes`. */
export async function ortVerdict(bytes: Uint8Array): Promise<Verdict> {
  let session: ort.InferenceSession;
  try {
    // Fatal-only logging: a refusal is the expected outcome, its log line is not output.
    session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 4, intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (e) {
    return { refused: true, message: `session: ${firstLine(e)}` };
  }
  try {
    const feeds: Record<string, ort.Tensor> = {};
    const m = decode(bytes);
    const inits = new Set((m.graph.initializer ?? []).map((t) => t.name));
    for (const v of m.graph.input ?? []) {
      if (!v.name || inits.has(v.name)) continue;
      const feed = feedFor(v);
      if (!feed) return { refused: false };
      feeds[v.name] = feed;
    }
    await session.run(feeds);
    return { refused: false };
  } catch (e) {
    return { refused: true, message: `run: ${firstLine(e)}` };
  } finally {
    await session.release();
  }
}

/** A small deterministic feed for a graph input; symbolic dims are 2. Undefined for a type we cannot feed. */
function feedFor(v: ValueObj): ort.Tensor | undefined {
  const tt = v.type?.tensor_type;
  const dims = (tt?.shape?.dim ?? []).map((d) => (d.dim_value && d.dim_value > 0 ? d.dim_value : 2));
  const n = dims.reduce((a, b) => a * b, 1);
  switch (tt?.elem_type) {
    case 1: return new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.5), dims);
    case 11: return new ort.Tensor('float64', Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 0.5), dims);
    case 7: return new ort.Tensor('int64', new BigInt64Array(n), dims);
    case 6: return new ort.Tensor('int32', new Int32Array(n), dims);
    case 2: return new ort.Tensor('uint8', new Uint8Array(n), dims);
    case 3: return new ort.Tensor('int8', new Int8Array(n), dims);
    case 9: return new ort.Tensor('bool', new Uint8Array(n), dims);
    case 10: return new ort.Tensor('float16', new Uint16Array(n), dims);
    default: return undefined;
  }
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0].slice(0, 300);
}

