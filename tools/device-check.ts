// The device check of issue 15 (docs/device-check.md): for each GPU provider onnxruntime-node
// can reach here (WebGPU; CUDA when its provider library is installed), checks the training
// graphs' gradients against the CPU (1e-4) for the MLP, ResNet-20 and the ViT, times a pass on
// both, records which nodes fell back to the CPU, and times the optimizer-step graphs; writes it
// all as JSON to $OUT/device-check.json (or the path given). Providers that cannot run are
// reported as "not available" with the reason, so the script completes on a CPU-only machine.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as ort from 'onnxruntime-node';
import { StepSessions } from '../src/graphs';
import { cudaInstalled, webGpuUnavailableReason } from '../src/runtime/execution-providers';
import { DEVICE_CHECK_MODELS, type DeviceGradientResult, compareOnDevice } from './device-gradients';
import { type PlacementReport, placementCheck } from './device-placement';

const TOLERANCE = 1e-4;
const BATCH = Number(process.env.DEVICE_CHECK_BATCH ?? 32);
/** Stops starting new work past this many ms, to stay inside the 8-minute budget. */
const BUDGET_MS = Number(process.env.DEVICE_CHECK_BUDGET_MS ?? 6 * 60_000);

interface ProviderReport {
  readonly provider: string;
  readonly available: boolean;
  readonly reason?: string;
  readonly models: (DeviceGradientResult & { readonly pass: boolean })[];
  readonly stepGraphs?: { readonly n: number; readonly crsamStepMs: number; readonly error?: string };
  /** CR-SAM step ms with sequential passes, concurrent w±e sessions and 2 replicas on one device; DP equality (tools/device-placement.ts). */
  readonly placement?: PlacementReport;
  readonly errors: string[];
}

function vulkanIcds(): string[] {
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
  return dirs.flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d).map((f) => path.join(d, f)) : []));
}

async function stepGraphTime(options: ort.InferenceSession.SessionOptions, n: number): Promise<number> {
  const s = new StepSessions(options);
  const v = (): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.1);
  const [w, g0, gp, gm, buf] = [v(), v(), v(), v(), new Float32Array(n)];
  const once = async (): Promise<void> => {
    await s.samPerturb(w, g0, 0.05);
    const c = await s.crsamCombine(gp, gm, g0, { l0: 2.3, lPlus: 2.31, lMinus: 2.305 }, 0.1, 0.01, false);
    await s.sgdUpdate(w, c.g, buf, { lr: 0.01, momentum: 0.9, weightDecay: 5e-4, nesterov: false });
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < 3; i++) { const t = performance.now(); await once(); times.push(performance.now() - t); }
  await s.release();
  return times.sort((a, b) => a - b)[1];
}

async function checkProvider(provider: string, config: ort.InferenceSession.ExecutionProviderConfig, unavailable: string | undefined, start: number): Promise<ProviderReport> {
  if (unavailable !== undefined) return { provider, available: false, reason: unavailable, models: [], errors: [] };
  const models: ProviderReport['models'] = [];
  const errors: string[] = [];
  for (const m of DEVICE_CHECK_MODELS) {
    if (performance.now() - start > BUDGET_MS) { errors.push(`${m}: skipped, the time budget was spent`); continue; }
    try {
      const r = await compareOnDevice(m, config, BATCH, 3);
      models.push({ ...r, pass: r.maxRelErr <= TOLERANCE });
    } catch (e) {
      errors.push(`${m}: ${String((e as Error).message ?? e).split('\n')[0]}`);
    }
  }
  let stepGraphs: ProviderReport['stepGraphs'];
  const n = 11_000_000;
  try {
    stepGraphs = { n, crsamStepMs: await stepGraphTime({ executionProviders: [config, 'cpu'], logSeverityLevel: 3 }, n) };
  } catch (e) {
    stepGraphs = { n, crsamStepMs: NaN, error: String((e as Error).message ?? e).split('\n')[0] };
  }
  let placement: PlacementReport | undefined;
  const device = provider === 'cuda' || provider === 'webgpu' ? provider : 'cpu';
  if (performance.now() - start > BUDGET_MS) errors.push('placement: skipped, the time budget was spent');
  else {
    try {
      placement = await placementCheck(device, 'resnet20', BATCH);
      if (!(placement.dataParallelMaxRelDiff <= 1e-6)) errors.push(`placement: 2 replicas differ from one session by ${placement.dataParallelMaxRelDiff.toExponential(1)} (> 1e-6)`);
    } catch (e) {
      errors.push(`placement: ${String((e as Error).message ?? e).split('\n')[0]}`);
    }
  }
  return { provider, available: true, models, stepGraphs, placement, errors };
}

async function main(): Promise<void> {
  const start = performance.now();
  const outFile = process.argv[2] ?? path.join(process.env.OUT ?? '.', 'device-check.json');
  const webgpu = await checkProvider('webgpu', { name: 'webgpu' }, webGpuUnavailableReason(), start);
  const cuda = await checkProvider('cuda', { name: 'cuda', deviceId: 0 }, cudaInstalled()
    ? undefined
    : "onnxruntime-node's CUDA provider library is not installed; ONNXRUNTIME_NODE_INSTALL=cuda12 downloads it from NuGet, see the README", start);
  // The CPU against itself: exercises the whole path on any machine and gives the CPU figures beside the GPU's.
  const cpu = await checkProvider('cpu', 'cpu', undefined, start);
  const providers = [webgpu, cuda, cpu];
  const report = {
    date: new Date().toISOString(),
    host: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()}-${os.arch()}` },
    vulkanIcds: vulkanIcds(),
    batch: BATCH,
    tolerance: TOLERANCE,
    providers,
    ok: providers.every((p) => !p.available || (p.errors.length === 0 && p.models.every((m) => m.pass))),
    seconds: Math.round((performance.now() - start) / 100) / 10,
  };
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify(report, null, 1)}\n`);
  for (const p of providers) {
    const line = p.available
      ? `${p.provider}: ${p.models.map((m) => `${m.model} ${m.pass ? 'ok' : 'FAILED'} (rel ${m.maxRelErr.toExponential(1)}, ${m.providerMs.toFixed(1)} vs cpu ${m.cpuMs.toFixed(1)} ms)`).join('; ')}${p.errors.length ? `; errors: ${p.errors.join('; ')}` : ''}`
      : `${p.provider}: not available (${p.reason})`;
    process.stdout.write(`${line}\n`);
  }
  process.stdout.write(`wrote ${outFile} in ${report.seconds} s\n`);
  if (!report.ok) process.exitCode = 1;
}

main().catch((e: unknown) => { process.stderr.write(`device check failed: ${String(e)}\n`); process.exitCode = 2; });
