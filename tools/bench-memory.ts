// `node dist/tools/bench-memory.js [--rounds R] [--steps N] [--settings a,b] [--configs c,d] [models…]`: peak
// resident memory (VmHWM) and step time of one training configuration per fresh child process,
// for each ONNX Runtime memory setting (issue 16), and PyTorch's same step (tools/bench_torch.py)
// as the reference. Unlike `npm run bench`, whose one child per model runs every configuration in
// turn (so its peak after SGD also holds the forward and forward+backward sessions' peaks), each
// child here runs one configuration only. Settings and configurations are interleaved, the order
// rotated each round, so all of them see the same machine state. JSON on stdout, progress on stderr.
// Settings: the keys of SETTINGS (default: default,arenaPattern,torch); configurations: sgd,
// crsam-sequential, crsam-parallel; models: mlp, resnet20, vit-cifar.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as ort from 'onnxruntime-node';
import * as providers from '../src/runtime/execution-providers';
import { prepareModel } from './bench-ours';

/**
 * Session-option overrides merged over `sessionOptions()`'s; `torch` is PyTorch's step instead.
 * Each names both memory switches, so it means the same whatever the default is (before issue 16
 * the default was ORT's: arena and memory pattern on; since, the memory pattern is off on the CPU).
 */
const SETTINGS: Record<string, Partial<ort.InferenceSession.SessionOptions>> = {
  default: {},
  arenaPattern: { enableCpuMemArena: true, enableMemPattern: true },
  arena: { enableCpuMemArena: true, enableMemPattern: false },
  noArenaPattern: { enableCpuMemArena: false, enableMemPattern: true },
  noArenaNoPattern: { enableCpuMemArena: false, enableMemPattern: false },
  deviceAllocInit: { enableCpuMemArena: true, enableMemPattern: true, extra: { session: { use_device_allocator_for_initializers: '1' } } },
  // No arena, and glibc asked to keep freed memory for reuse instead of returning it each step.
  noArenaMalloc: { enableCpuMemArena: false, enableMemPattern: true },
  // No arena, and one glibc heap for all threads, so worker sessions reuse what the main one freed.
  noArenaOneHeap: { enableCpuMemArena: false, enableMemPattern: true },
  torch: {},
};
/** Environment of a setting's child (glibc reads its tunables when the process starts). */
const SETTING_ENV: Record<string, Record<string, string>> = {
  noArenaMalloc: { MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20), MALLOC_TRIM_THRESHOLD_: String(2 ** 31) },
  noArenaOneHeap: { MALLOC_ARENA_MAX: '1' },
};
const CONFIGS = ['sgd', 'crsam-sequential', 'crsam-parallel'];
const TORCH_CONFIG: Record<string, string> = { sgd: 'sgd', 'crsam-sequential': 'crsam', 'crsam-parallel': 'crsam' };

function status(): { hwmMiB: number; rssMiB: number } {
  const s = fs.readFileSync('/proc/self/status', 'utf8');
  const kib = (k: string) => Number(new RegExp(`${k}:\\s*(\\d+)`).exec(s)?.[1] ?? NaN);
  return { hwmMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
}

function median(a: readonly number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The child: one model, one configuration, one setting; one warm-up step, then `steps` timed. */
async function child(model: string, config: string, setting: string, steps: number): Promise<void> {
  const extra = SETTINGS[setting];
  const base = providers.sessionOptions;
  // The trainer reads sessionOptions through the module's exports at call time, so this override
  // reaches every session it starts (main, evaluation, workers through planSessionOptions).
  Object.defineProperty(providers, 'sessionOptions', {
    value: (...args: Parameters<typeof base>) => {
      const o = base(...args);
      return { ...o, ...extra, extra: { ...(o.extra ?? {}), session: { ...((o.extra?.session ?? {}) as object), ...((extra.extra?.session ?? {}) as object) } } };
    },
  });
  const before = status();
  const prepared = await prepareModel(model, config);
  const setup = status();
  const ms: number[] = [];
  const cpuMs: number[] = [];
  const sysMs: number[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    await prepared.run();
    const used = process.cpuUsage(cpu);
    if (i > 0) { ms.push(Number(process.hrtime.bigint() - t) / 1e6); cpuMs.push((used.user + used.system) / 1000); sysMs.push(used.system / 1000); }
  }
  const end = status();
  await prepared.close();
  process.stdout.write(`${JSON.stringify({ startMiB: before.rssMiB, setupHwmMiB: setup.hwmMiB, hwmMiB: end.hwmMiB, rssMiB: end.rssMiB, medianMs: median(ms), medianCpuMs: median(cpuMs), medianSysMs: median(sysMs), ms, cpuMs })}\n`);
}

const TORCH_SCRIPT = path.join(__dirname, '..', '..', 'tools', 'bench_torch.py');

/** PyTorch's step in its own process: the same protocol `npm run bench` uses. */
function torchChild(model: string, config: string, steps: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn('/usr/bin/python3', [TORCH_SCRIPT, '--serve', model], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
    const lines: string[] = [];
    let buf = '';
    p.stdout.on('data', (d: Buffer) => { buf += d.toString(); });
    const reqs = [{ cmd: 'setup', config: TORCH_CONFIG[config] }, ...Array.from({ length: steps + 1 }, () => ({ cmd: 'run' })), { cmd: 'rss' }, { cmd: 'quit' }];
    p.stdin.end(reqs.map((r) => JSON.stringify(r)).join('\n') + '\n');
    p.on('error', reject);
    p.on('exit', () => {
      lines.push(...buf.trim().split('\n'));
      const answers = lines.map((l) => JSON.parse(l) as Record<string, number>);
      const runs = answers.filter((a) => a.ms !== undefined).slice(1);
      const ms = runs.map((a) => a.ms);
      const cpuMs = runs.map((a) => a.cpuMs);
      resolve({ hwmMiB: answers.find((a) => a.maxRssMiB !== undefined)?.maxRssMiB, medianMs: median(ms), medianCpuMs: median(cpuMs), ms, cpuMs });
    });
  });
}

function oursChild(model: string, config: string, setting: string, steps: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [__filename, '--child', model, config, setting, String(steps)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...(SETTING_ENV[setting] ?? {}) } });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, unknown>) : reject(new Error(`${model} ${config} ${setting} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2], args[3], Number(args[4]));
  const opt = (name: string, fallback: string) => { const i = args.indexOf(name); return i >= 0 ? args.splice(i, 2)[1] : fallback; };
  const rounds = Number(opt('--rounds', '2'));
  const steps = Number(opt('--steps', '4'));
  const settings = opt('--settings', 'default,arenaPattern,torch').split(',');
  const configs = opt('--configs', CONFIGS.join(',')).split(',');
  const models = args.length ? args : ['mlp', 'resnet20', 'vit-cifar'];
  const results: Record<string, unknown>[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const model of models) {
      for (const config of configs) {
        const order = settings.map((_, k) => settings[(k + round) % settings.length]);
        for (const setting of order) {
          if (setting === 'torch' && config === 'crsam-parallel') continue;
          const load = os.loadavg()[0];
          const r = setting === 'torch' ? await torchChild(model, config, steps) : await oursChild(model, config, setting, steps);
          results.push({ round, model, config, setting, load, ...r });
          process.stderr.write(`[load ${load.toFixed(2)}] r${round} ${model} ${config} ${setting}: peak ${(r.hwmMiB as number).toFixed(0)} MiB, ${(r.medianMs as number).toFixed(1)} ms, CPU ${(r.medianCpuMs as number).toFixed(1)} ms\n`);
        }
      }
    }
  }
  process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), cpu: os.cpus()[0]?.model, steps, results }, null, 1)}\n`);
}

main().catch((e: unknown) => { process.stderr.write(`${(e as Error).message}\n`); process.exitCode = 1; });
