// `npm run bench`: forward vs forward+backward, and SGD/SAM/CR-SAM step times (parallel and
// sequential passes) for the benchmark models at batch 128 on the CPU, as JSON. PyTorch
// (Debian's python3-torch, 2 threads) is timed in the same run when it is installed, so the
// ratios compare like with like; otherwise the figures measured earlier on this machine are used.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildArtifacts } from '../src/autodiff/artifacts';
import { serializeModel } from '../src/onnx/io';
import { Trainer } from '../src/train/trainer';
import { sessionOptions } from '../src/runtime/execution-providers';
import { buildZooModel } from '../src/zoo';

const BATCH = 128;
const THREADS = 2;
/** PyTorch 1.13 (Debian, OpenBLAS, 2 threads), ms per SGD / SAM / CR-SAM step, measured here before. */
const TORCH_REFERENCE: Record<string, { sgd: number; sam: number; crsam: number }> = {
  mlp: { sgd: 7.9, sam: 15.8, crsam: 23.8 },
  resnet20: { sgd: 371, sam: 645, crsam: 921 },
  'vit-cifar': { sgd: 1534, sam: 3310, crsam: 5232 },
};

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

async function time(fn: () => Promise<unknown>, budgetMs: number): Promise<number> {
  await fn();
  await fn();
  const times: number[] = [];
  const start = Date.now();
  while (times.length < 3 || (Date.now() - start < budgetMs && times.length < 50)) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

interface ModelResult {
  model: string;
  parameters: number;
  forwardMs: number;
  forwardBackwardMs: number;
  backwardOverForward: number;
  stepMs: Record<string, number>;
  torchMs?: Record<string, number>;
  ratioToTorch?: Record<string, number>;
  crsamOverSam?: number;
}

async function benchModel(name: string, budget: number): Promise<ModelResult> {
  const shape = name === 'mlp' ? [BATCH, 1, 28, 28] : [BATCH, 3, 32, 32];
  const model = buildZooModel(name, { seed: 0 });
  const art = buildArtifacts(model);
  const r = rng(1);
  const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);
  const labels = BigInt64Array.from({ length: BATCH }, () => BigInt(Math.floor(r() * art.numClasses)));
  const opts = sessionOptions({ threads: THREADS });
  const input = art.dataInputs[0].name;
  const fwd = await ort.InferenceSession.create(serializeModel(art.inferenceModel), opts);
  const forwardMs = await time(() => fwd.run({ [input]: new ort.Tensor('float32', x, shape) }), budget);
  await fwd.release();
  const train = await ort.InferenceSession.create(serializeModel(art.trainingModel), opts);
  const feeds: Record<string, ort.Tensor> = { [input]: new ort.Tensor('float32', x, shape), labels: new ort.Tensor('int64', labels, [BATCH]) };
  for (const p of [...art.params, ...art.buffers]) feeds[p.name] = new ort.Tensor('float32', art.initialValues.get(p.name) as Float32Array, [...p.dims]);
  const forwardBackwardMs = await time(() => train.run(feeds), budget);
  await train.release();
  const stepMs: Record<string, number> = {};
  const configs: [string, 'sgd' | 'sam' | 'crsam', 'off' | 'auto'][] = [['sgd', 'sgd', 'off'], ['sam', 'sam', 'off'], ['crsam-sequential', 'crsam', 'off'], ['crsam-parallel', 'crsam', 'auto']];
  for (const [label, optimizer, parallel] of configs) {
    const trainer = await Trainer.create({ model, optimizer, parallel, threads: THREADS, lr: 1e-4 });
    const batch = { inputs: { [input]: { data: x, dims: shape } }, labels };
    stepMs[label] = await time(() => trainer.step(batch), budget);
    await trainer.close();
  }
  const result: ModelResult = {
    model: name, parameters: art.params.reduce((s, p) => s + p.dims.reduce((a, b) => a * b, 1), 0),
    forwardMs, forwardBackwardMs, backwardOverForward: forwardBackwardMs / forwardMs, stepMs,
  };
  result.crsamOverSam = Math.min(stepMs['crsam-parallel'], stepMs['crsam-sequential']) / stepMs.sam;
  return result;
}

function torchPeer(models: string[]): Record<string, Record<string, number>> | undefined {
  const script = path.join(__dirname, '..', '..', 'tools', 'bench_torch.py');
  const py = '/usr/bin/python3';
  if (!fs.existsSync(py) || !fs.existsSync(script)) return undefined;
  try {
    const out = execFileSync(py, [script, ...models], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 900_000 });
    return JSON.parse(out) as Record<string, Record<string, number>>;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const models = args.filter((a) => !a.startsWith('--'));
  const list = models.length ? models : ['mlp', 'resnet20', 'vit-cifar'];
  const budget = Number(process.env.BENCH_MS ?? 3000);
  const results: ModelResult[] = [];
  for (const m of list) {
    process.stderr.write(`benchmarking ${m}...\n`);
    results.push(await benchModel(m, budget));
  }
  const torch = args.includes('--no-torch') ? undefined : torchPeer(list);
  for (const r of results) {
    const peer = torch?.[r.model] ?? TORCH_REFERENCE[r.model];
    if (!peer) continue;
    r.torchMs = { ...peer, source: torch?.[r.model] ? 1 : 0 } as Record<string, number>;
    r.ratioToTorch = {
      'forward+backward vs torch sgd step': r.forwardBackwardMs / peer.sgd,
      sgd: r.stepMs.sgd / peer.sgd,
      sam: r.stepMs.sam / peer.sam,
      crsam: Math.min(r.stepMs['crsam-parallel'], r.stepMs['crsam-sequential']) / peer.crsam,
    };
  }
  const report = {
    machine: { cpus: (await import('node:os')).availableParallelism(), threads: THREADS, batch: BATCH, ort: ort.env.versions.node },
    torch: torch ? 'measured in this run (tools/bench_torch.py)' : 'reference figures measured earlier on this machine',
    results,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((e: Error) => { process.stderr.write(`bench failed: ${e.message}\n`); process.exitCode = 1; });
