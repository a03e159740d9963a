// Runs one training pass of a zoo model's training graph (buildArtifacts) on a given execution
// provider and on the CPU, compares every gradient, times the pass, and reads from ORT's profile
// which provider ran each node. Shared by tools/device-check.ts and test/graphs/device-gradients.test.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { buildArtifacts } from '../src/autodiff/artifacts';
import { serializeModel } from '../src/onnx/io';
import { buildZooModel } from '../src/zoo';

/** The three models of the device checks (issue 15): an MLP, the CIFAR ResNet-20 and a tiny ViT. */
export const DEVICE_CHECK_MODELS = ['mlp', 'resnet20', 'vit-tiny'] as const;

/** What one model's comparison found. */
export interface DeviceGradientResult {
  readonly model: string;
  readonly provider: string;
  readonly batch: number;
  /** max over outputs of max|device − cpu| / max|cpu| (per output tensor). */
  readonly maxRelErr: number;
  /** The output where maxRelErr was found. */
  readonly worstOutput: string;
  /** Median ms of a pass on the provider and on the CPU. */
  readonly providerMs: number;
  readonly cpuMs: number;
  /** Nodes by the provider that ran them, from ORT's profile (e.g. { WebGpuExecutionProvider: 210, CPUExecutionProvider: 4 }). */
  readonly placement: Record<string, number>;
  /** Op types that ran on the CPU provider although another was requested. */
  readonly cpuFallbackOps: readonly string[];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

interface ProfileEvent { readonly cat?: string; readonly name?: string; readonly args?: { readonly provider?: string; readonly op_name?: string } }

/** Counts kernel events by provider in an ORT profile file and lists the op types on the CPU. */
export function readPlacement(file: string): { placement: Record<string, number>; cpuOps: string[] } {
  const events = JSON.parse(fs.readFileSync(file, 'utf8')) as ProfileEvent[];
  const placement: Record<string, number> = {};
  const cpuOps = new Set<string>();
  const seen = new Set<string>();
  for (const e of events) {
    const p = e.args?.provider;
    if (e.cat !== 'Node' || !p || !e.name || seen.has(e.name)) continue;
    seen.add(e.name);
    placement[p] = (placement[p] ?? 0) + 1;
    if (p === 'CPUExecutionProvider' && e.args?.op_name) cpuOps.add(e.args.op_name);
  }
  return { placement, cpuOps: [...cpuOps].sort() };
}

async function timed(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, repeats: number): Promise<{ out: ort.InferenceSession.OnnxValueMapType; ms: number }> {
  let out = await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    out = await session.run(feeds);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { out, ms: times[Math.floor(times.length / 2)] ?? NaN };
}

/**
 * One model: builds the training graph, runs it on `provider` (with ORT's CPU provider behind it
 * for the nodes the provider lacks) and on the CPU alone, and compares the outputs.
 */
export async function compareOnDevice(model: string, provider: ort.InferenceSession.ExecutionProviderConfig, batch = 8, repeats = 3): Promise<DeviceGradientResult> {
  const art = buildArtifacts(buildZooModel(model, { seed: 0 }));
  const input = art.dataInputs[0];
  const dims = [batch, ...(input.shape ?? []).slice(1).map((d) => (typeof d === 'number' ? d : 1))];
  const r = rng(1);
  const x = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);
  const labels = BigInt64Array.from({ length: batch }, () => BigInt(Math.floor(r() * art.numClasses)));
  const feeds: Record<string, ort.Tensor> = { [input.name]: new ort.Tensor('float32', x, dims), labels: new ort.Tensor('int64', labels, [batch]) };
  for (const p of [...art.params, ...art.buffers]) feeds[p.name] = new ort.Tensor('float32', art.initialValues.get(p.name) as Float32Array, [...p.dims]);
  const bytes = serializeModel(art.trainingModel);
  const base: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', logSeverityLevel: 3 };
  const cpu = await ort.InferenceSession.create(bytes, { ...base, executionProviders: ['cpu'] });
  const ref = await timed(cpu, feeds, repeats);
  await cpu.release();
  const dev = await ort.InferenceSession.create(bytes, { ...base, executionProviders: [provider, 'cpu'] });
  const got = await timed(dev, feeds, repeats);
  await dev.release();
  // Placement from a second, profiled session: profiling slows a pass, so it is not timed.
  const prefix = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-profile-')), 'p');
  const profiled = await ort.InferenceSession.create(bytes, { ...base, executionProviders: [provider, 'cpu'], enableProfiling: true, profileFilePrefix: prefix });
  await profiled.run(feeds);
  profiled.endProfiling();
  await profiled.release();
  const dir = path.dirname(prefix);
  const file = fs.readdirSync(dir).map((f) => path.join(dir, f)).find((f) => f.endsWith('.json'));
  const { placement, cpuOps } = file ? readPlacement(file) : { placement: {}, cpuOps: [] };
  fs.rmSync(dir, { recursive: true, force: true });
  let maxRelErr = 0;
  let worstOutput = '';
  for (const [name, t] of Object.entries(ref.out)) {
    const a = got.out[name]?.data;
    const e = t.data;
    if (!(e instanceof Float32Array) || !(a instanceof Float32Array)) continue;
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < e.length; i++) { scale = Math.max(scale, Math.abs(e[i])); diff = Math.max(diff, Math.abs(a[i] - e[i])); }
    const rel = scale > 0 ? diff / scale : diff;
    if (worstOutput === '' || rel > maxRelErr) { maxRelErr = rel; worstOutput = name; }
  }
  const name = typeof provider === 'string' ? provider : provider.name;
  const onlyCpu = name === 'cpu';
  return { model, provider: name, batch, maxRelErr, worstOutput, providerMs: got.ms, cpuMs: ref.ms, placement, cpuFallbackOps: onlyCpu ? [] : cpuOps };
}
