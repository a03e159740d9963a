// Our side of `npm run bench`: one model (or `gemm`) served in its own process, so that the bench
// can interleave our repetitions with PyTorch's (tools/bench_torch.py --serve) and read each
// model's own peak memory. One JSON request per line on stdin, one JSON answer per line on stdout:
// {"cmd":"setup","config":"sgd"} → {"ok":true}; {"cmd":"run"} → {"ms":…, "cpuMs":…} (one
// repetition, timed here: wall time, and CPU time of the whole process, all threads); {"cmd":"rss"}
// → {"maxRssMiB":…}; {"cmd":"quit"}.
import * as readline from 'node:readline';
import * as ort from 'onnxruntime-node';
import { buildArtifacts } from '../src/autodiff/artifacts';
import { serializeModel } from '../src/onnx/io';
import { Trainer } from '../src/train/trainer';
import { sessionOptions } from '../src/runtime/execution-providers';
import { buildZooModel, estimateForwardCost } from '../src/zoo';
import { DataType } from '../src/onnx/dtype';
import { Model, Node } from '../src/onnx/ir';

export const BATCH = 128;
export const THREADS = 2;
/** Side of the square MatMul that measures the machine's GEMM rate (ORT and PyTorch alike). */
export const GEMM_N = 2048;

/** Our configurations and the PyTorch configuration each is compared with. */
export const CONFIGS: readonly { readonly ours: string; readonly torch: string }[] = [
  { ours: 'forward', torch: 'forward' },
  { ours: 'forwardBackward', torch: 'forwardBackward' },
  { ours: 'sgd', torch: 'sgd' },
  { ours: 'sam', torch: 'sam' },
  { ours: 'crsam-sequential', torch: 'crsam' },
  { ours: 'crsam-parallel', torch: 'crsam' },
];

type Run = () => Promise<unknown>;
export interface Prepared { readonly run: Run; readonly close: () => Promise<void> }

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

function randomTensor(dims: number[], r: () => number): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1), dims);
}

/** A MatMul of two inputs (so no prepacking): the GEMM rate ORT reaches on this machine. */
function gemmModel(n: number): Model {
  const v = (name: string) => ({ name, dtype: DataType.FLOAT, shape: [n, n] });
  const mm: Node = { name: 'mm', opType: 'MatMul', domain: '', inputs: ['A', 'B'], outputs: ['C'], attributes: new Map() };
  return {
    irVersion: 8, opsetImports: [{ domain: '', version: 17 }], producerName: 'crsam-bench', producerVersion: '', domain: '', modelVersion: 0, docString: '', metadataProps: new Map(),
    graph: { name: 'gemm', nodes: [mm], inputs: [v('A'), v('B')], outputs: [v('C')], initializers: new Map(), valueInfo: new Map() },
  };
}

async function prepareGemm(): Promise<Prepared> {
  const r = rng(3);
  const session = await ort.InferenceSession.create(serializeModel(gemmModel(GEMM_N)), sessionOptions({ threads: THREADS }));
  const feeds = { A: randomTensor([GEMM_N, GEMM_N], r), B: randomTensor([GEMM_N, GEMM_N], r) };
  return { run: () => session.run(feeds), close: () => session.release() };
}

export async function prepareModel(name: string, config: string): Promise<Prepared> {
  const shape = name === 'mlp' ? [BATCH, 1, 28, 28] : [BATCH, 3, 32, 32];
  const model = buildZooModel(name, { seed: 0 });
  const art = buildArtifacts(model);
  const r = rng(1);
  const x = randomTensor(shape, r);
  const labels = BigInt64Array.from({ length: BATCH }, () => BigInt(Math.floor(r() * art.numClasses)));
  const input = art.dataInputs[0].name;
  const opts = sessionOptions({ threads: THREADS });
  if (config === 'forward' || config === 'forwardBackward') {
    const graph = config === 'forward' ? art.inferenceModel : art.trainingModel;
    const session = await ort.InferenceSession.create(serializeModel(graph), opts);
    const feeds: Record<string, ort.Tensor> = { [input]: x };
    if (config === 'forwardBackward') {
      feeds.labels = new ort.Tensor('int64', labels, [BATCH]);
      for (const p of [...art.params, ...art.buffers]) feeds[p.name] = new ort.Tensor('float32', art.initialValues.get(p.name) as Float32Array, [...p.dims]);
    }
    return { run: () => session.run(feeds), close: () => session.release() };
  }
  const [optimizer, parallel] = config === 'sgd' ? ['sgd', 'off'] as const : config === 'sam' ? ['sam', 'off'] as const
    : config === 'crsam-sequential' ? ['crsam', 'off'] as const : ['crsam', 'auto'] as const;
  const trainer = await Trainer.create({ model, optimizer, parallel, threads: THREADS, lr: 1e-4 });
  const batch = { inputs: { [input]: { data: x.data as Float32Array, dims: shape } }, labels };
  return { run: () => trainer.step(batch), close: () => trainer.close() };
}

/** GFLOP of one forward pass at the bench batch (2 × the Conv/MatMul/Gemm multiply-adds). */
export function forwardGflop(name: string): number {
  return estimateForwardCost(buildZooModel(name, { seed: 0 }), BATCH).gflops;
}

/** Serves requests on stdin until `quit` or end of input. */
export async function serve(name: string): Promise<void> {
  const reply = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  reply({ ready: true, ort: ort.env.versions.node });
  let current: Prepared | undefined;
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const req = JSON.parse(line) as { cmd: string; config?: string };
    if (req.cmd === 'setup') {
      await current?.close();
      current = name === 'gemm' ? await prepareGemm() : await prepareModel(name, req.config as string);
      reply({ ok: true });
    } else if (req.cmd === 'run' && current) {
      const t = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      await current.run();
      const used = process.cpuUsage(cpu);
      reply({ ms: Number(process.hrtime.bigint() - t) / 1e6, cpuMs: (used.user + used.system) / 1000 });
    } else if (req.cmd === 'rss') {
      reply({ maxRssMiB: process.resourceUsage().maxRSS / 1024 });
    } else {
      break;
    }
  }
  await current?.close();
}
