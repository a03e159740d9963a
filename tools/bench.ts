// `npm run bench [models…] [--no-torch]`: forward, forward+backward and SGD/SAM/CR-SAM step times
// at batch 128 on the CPU (2 threads), against PyTorch (Debian's python3-torch, 2 threads), as JSON
// on stdout, progress on stderr. Each model runs in its own pair of child processes (ours:
// tools/bench-ours.ts, PyTorch: tools/bench_torch.py --serve), so each side's peak memory is that
// model's; their repetitions are interleaved one by one (alternating who goes first) under the same
// budget and median rule, so both see the same machine state. The GEMM rate of the machine (a
// 2048³ MatMul, ORT and PyTorch) gives the physical floor: FLOPs per step / GEMM rate.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { BATCH, CONFIGS, GEMM_N, THREADS, forwardGflop, serve } from './bench-ours';

/** PyTorch 1.13 ms per SGD / SAM / CR-SAM step measured earlier on this machine: used without torch. */
const TORCH_REFERENCE: Record<string, Record<string, number>> = {
  mlp: { sgd: 2.6, sam: 7.1, crsam: 12.7 },
  resnet20: { sgd: 311, sam: 620, crsam: 849 },
  'vit-cifar': { sgd: 695, sam: 1567, crsam: 1987 },
};
const MAX_REPS = 50;
const MIN_REPS = 3;

type Answer = Record<string, number | boolean | string>;

/** A child answering one JSON line per JSON request line. */
class Server {
  private readonly pending: ((a: Answer | Error) => void)[] = [];
  private readonly early: Answer[] = [];
  private exited = false;

  constructor(readonly label: string, private readonly proc: ChildProcess) {
    readline.createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const a = JSON.parse(line) as Answer;
      const w = this.pending.shift();
      if (w) w(a); else this.early.push(a);
    });
    proc.on('exit', (code) => {
      this.exited = true;
      for (const w of this.pending.splice(0)) w(new Error(`${label} exited (code ${code})`));
    });
  }

  next(): Promise<Answer> {
    const a = this.early.shift();
    if (a) return Promise.resolve(a);
    if (this.exited) return Promise.reject(new Error(`${this.label} exited`));
    return new Promise((resolve, reject) => this.pending.push((r) => (r instanceof Error ? reject(r) : resolve(r))));
  }

  ask(req: Record<string, string>): Promise<Answer> {
    (this.proc.stdin as NodeJS.WritableStream).write(`${JSON.stringify(req)}\n`);
    return this.next();
  }

  async quit(): Promise<void> {
    if (this.exited) return;
    const done = new Promise((resolve) => this.proc.on('exit', resolve));
    (this.proc.stdin as NodeJS.WritableStream).end(`${JSON.stringify({ cmd: 'quit' })}\n`);
    await done;
  }
}

async function start(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Server> {
  const s = new Server(label, spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'], env }));
  await s.next(); // {"ready": true, ...}
  return s;
}

interface Stats { median: number; q1: number; q3: number; min: number; max: number; n: number }

function stats(values: readonly number[]): Stats {
  const a = [...values].sort((x, y) => x - y);
  const at = (q: number) => { const i = (a.length - 1) * q; const lo = Math.floor(i); return a[lo] + (a[Math.ceil(i)] - a[lo]) * (i - lo); };
  return { median: at(0.5), q1: at(0.25), q3: at(0.75), min: a[0], max: a[a.length - 1], n: a.length };
}

/**
 * Wall time per repetition, and CPU time (all threads of the process): on a shared machine the
 * wall time also measures the others' load, the CPU time mostly our own work (threads waiting
 * passively are not counted; OpenBLAS's spinning threads are, which favours us).
 */
interface Figure { ours: Stats; torch?: Stats; torchConfig: string; pairedRatio?: Stats; oursCpu: Stats; torchCpu?: Stats; pairedCpuRatio?: Stats }

/** Interleaved repetitions of one configuration: warm-up twice each, then rounds until the budget. */
async function measure(ours: Server, torch: Server | undefined, oursConfig: string, torchConfig: string, budgetMs: number): Promise<Figure> {
  await ours.ask({ cmd: 'setup', config: oursConfig });
  await torch?.ask({ cmd: 'setup', config: torchConfig });
  const o: number[] = [];
  const t: number[] = [];
  const oc: number[] = [];
  const tc: number[] = [];
  const one = async (round: number, keep: boolean) => {
    const sides: [Server, number[], number[]][] = torch ? [[ours, o, oc], [torch, t, tc]] : [[ours, o, oc]];
    if (round % 2 === 1) sides.reverse();
    for (const [s, wall, cpu] of sides) {
      const a = await s.ask({ cmd: 'run' });
      if (keep) { wall.push(a.ms as number); cpu.push(a.cpuMs as number); }
    }
  };
  await one(0, false);
  await one(1, false);
  const begin = Date.now();
  for (let r = 0; o.length < MIN_REPS || (Date.now() - begin < budgetMs && o.length < MAX_REPS); r++) await one(r, true);
  const fig: Figure = { ours: stats(o), oursCpu: stats(oc), torchConfig };
  if (torch) {
    Object.assign(fig, { torch: stats(t), pairedRatio: stats(o.map((v, i) => v / t[i])), torchCpu: stats(tc), pairedCpuRatio: stats(oc.map((v, i) => v / tc[i])) });
  }
  return fig;
}

function cpuModel(): string {
  try { return /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown'; } catch { return os.cpus()[0]?.model ?? 'unknown'; }
}

function readOr(file: string, fallback: string): string {
  try { return fs.readFileSync(file, 'utf8').trim(); } catch { return fallback; }
}

const TORCH_SCRIPT = path.join(__dirname, '..', '..', 'tools', 'bench_torch.py');
const PYTHON = '/usr/bin/python3';
/**
 * PyTorch's OpenMP threads wait passively, as our sessions' threads do (allow_spinning = 0): on a
 * shared machine spinning waits collapse (measured here at load ≈ 12: MLP forward+backward 81 ms
 * spinning). BENCH_TORCH_OMP_WAIT=ACTIVE (or unset it to '') restores PyTorch's default.
 */
const TORCH_OMP_WAIT = process.env.BENCH_TORCH_OMP_WAIT ?? 'PASSIVE';

function servers(name: string, withTorch: boolean): Promise<[Server, Server | undefined]> {
  return Promise.all([
    start(`ours ${name}`, process.execPath, [__filename, '--serve', name]),
    withTorch ? start(`torch ${name}`, PYTHON, [TORCH_SCRIPT, '--serve', name], TORCH_OMP_WAIT ? { ...process.env, OMP_WAIT_POLICY: TORCH_OMP_WAIT } : process.env) : Promise.resolve(undefined),
  ]);
}

const fmt = (s: Stats | undefined) => (s ? `${s.median.toFixed(1)} ms [${s.q1.toFixed(1)}–${s.q3.toFixed(1)}]` : '–');
const log = (msg: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)} load ${os.loadavg()[0].toFixed(2)}] ${msg}\n`);

async function gemmRate(withTorch: boolean, budget: number): Promise<Record<string, unknown>> {
  const [ours, torch] = await servers('gemm', withTorch);
  const fig = await measure(ours, torch, 'gemm', 'gemm', budget);
  await Promise.all([ours.quit(), torch?.quit()]);
  const gflop = (2 * GEMM_N ** 3) / 1e9;
  const rate = (s: Stats | undefined) => (s ? gflop / (s.median / 1000) : undefined);
  log(`GEMM ${GEMM_N}³: ORT ${fmt(fig.ours)} (CPU ${fmt(fig.oursCpu)}), PyTorch ${fmt(fig.torch)} (CPU ${fmt(fig.torchCpu)})`);
  return {
    n: GEMM_N, gflop, ortMs: fig.ours, torchMs: fig.torch, ortGflops: rate(fig.ours), torchGflops: rate(fig.torch),
    // Per CPU-second (all threads): what the shared machine's load does not change much.
    ortCpuMs: fig.oursCpu, torchCpuMs: fig.torchCpu, ortGflopPerCpuSecond: rate(fig.oursCpu), torchGflopPerCpuSecond: rate(fig.torchCpu),
  };
}

async function benchModel(name: string, withTorch: boolean, budget: number, floorGflops: number, floorPerCpuSecond: number): Promise<Record<string, unknown>> {
  const loadAtStart = os.loadavg();
  const [ours, torch] = await servers(name, withTorch);
  const figures: Record<string, Figure> = {};
  const rss: Record<string, { ours: number; torch?: number }> = {};
  for (const c of CONFIGS) {
    figures[c.ours] = await measure(ours, torch, c.ours, c.torch, budget);
    rss[c.ours] = { ours: (await ours.ask({ cmd: 'rss' })).maxRssMiB as number, torch: torch ? (await torch.ask({ cmd: 'rss' })).maxRssMiB as number : undefined };
    const fig = figures[c.ours];
    log(`${name} ${c.ours}: ours ${fmt(fig.ours)} (CPU ${fmt(fig.oursCpu)}), PyTorch ${c.torch} ${fmt(fig.torch)} (CPU ${fmt(fig.torchCpu)})`);
  }
  await Promise.all([ours.quit(), torch?.quit()]);
  const med = (k: string) => figures[k].ours.median;
  const cpuMed = (k: string) => figures[k].oursCpu.median;
  const torchCpu = (k: string) => figures[k === 'crsam' ? 'crsam-sequential' : k]?.torchCpu?.median;
  const ref = TORCH_REFERENCE[name];
  const peer = (k: string) => figures[k === 'crsam' ? 'crsam-sequential' : k]?.torch?.median ?? ref?.[k];
  const oursCrsam = Math.min(med('crsam-sequential'), med('crsam-parallel'));
  const f = forwardGflop(name);
  // Nominal FLOPs: a backward pass costs two forwards (dX and dW), SAM two gradients, CR-SAM three.
  const stepGflop = { forwardBackward: 3 * f, sgd: 3 * f, sam: 6 * f, crsam: 9 * f };
  const floorMs = (g: number) => (g / floorGflops) * 1000;
  const torchMs: Record<string, number | undefined> = { forwardBackward: peer('forwardBackward'), sgd: peer('sgd'), sam: peer('sam'), crsam: peer('crsam') };
  const oursMs: Record<string, number> = { forwardBackward: med('forwardBackward'), sgd: med('sgd'), sam: med('sam'), crsam: oursCrsam };
  const fraction = (ms: Record<string, number | undefined>) => Object.fromEntries(Object.entries(stepGflop).map(([k, g]) => [k, ms[k] ? floorMs(g) / (ms[k] as number) : undefined]));
  // The same in CPU time: step CPU-ms against the CPU-ms the GEMM rate per CPU-second needs.
  const cpuFraction = (ms: Record<string, number | undefined>) => Object.fromEntries(Object.entries(stepGflop).map(([k, g]) => [k, ms[k] ? ((g / floorPerCpuSecond) * 1000) / (ms[k] as number) : undefined]));
  const oursCpuMs = { forwardBackward: cpuMed('forwardBackward'), sgd: cpuMed('sgd'), sam: cpuMed('sam'), crsam: Math.min(cpuMed('crsam-sequential'), cpuMed('crsam-parallel')) };
  const torchCpuMs = { forwardBackward: torchCpu('forwardBackward'), sgd: torchCpu('sgd'), sam: torchCpu('sam'), crsam: torchCpu('crsam') };
  return {
    model: name, loadAverageAtStart: loadAtStart, figures, peakRssMiB: rss,
    ratioToTorch: {
      source: torch ? 'measured in this run, interleaved' : 'reference figures measured earlier on this machine',
      'forward+backward vs torch sgd step': torchMs.sgd ? oursMs.forwardBackward / torchMs.sgd : undefined,
      sgd: torchMs.sgd ? oursMs.sgd / torchMs.sgd : undefined,
      sam: torchMs.sam ? oursMs.sam / torchMs.sam : undefined,
      crsam: torchMs.crsam ? oursCrsam / torchMs.crsam : undefined,
    },
    cpuRatioToTorch: torch ? {
      'forward+backward vs torch sgd step': cpuMed('forwardBackward') / (torchCpu('sgd') as number),
      sgd: cpuMed('sgd') / (torchCpu('sgd') as number),
      sam: cpuMed('sam') / (torchCpu('sam') as number),
      crsam: Math.min(cpuMed('crsam-sequential'), cpuMed('crsam-parallel')) / (torchCpu('crsam') as number),
    } : undefined,
    stepOverSgd: { ours: { sam: oursMs.sam / oursMs.sgd, crsam: oursCrsam / oursMs.sgd }, torch: torchMs.sgd ? { sam: (torchMs.sam as number) / torchMs.sgd, crsam: (torchMs.crsam as number) / torchMs.sgd } : undefined },
    flops: { forwardGflop: f, stepGflop, floorMs: Object.fromEntries(Object.entries(stepGflop).map(([k, g]) => [k, floorMs(g)])), fractionOfFloor: { ours: fraction(oursMs), torch: torch ? fraction(torchMs) : undefined }, cpuFractionOfFloor: { ours: cpuFraction(oursCpuMs), torch: torch ? cpuFraction(torchCpuMs) : undefined } },
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--serve') { await serve(args[1]); return; }
  const models = args.filter((a) => !a.startsWith('--'));
  const list = models.length ? models : ['mlp', 'resnet20', 'vit-cifar'];
  const budget = Number(process.env.BENCH_MS ?? 3000);
  const withTorch = !args.includes('--no-torch') && fs.existsSync(PYTHON) && fs.existsSync(TORCH_SCRIPT);
  const machine = {
    cpu: cpuModel(), cpus: os.availableParallelism(), threads: THREADS, batch: BATCH, date: new Date().toISOString(), loadAverageAtStart: os.loadavg(),
    // With autogroup on, nice levels of other sessions' processes do not shield this run from them.
    schedAutogroup: readOr('/proc/sys/kernel/sched_autogroup_enabled', 'unknown'), budgetMsPerFigure: budget, torchOmpWaitPolicy: TORCH_OMP_WAIT || 'default',
  };
  log(`bench: ${list.join(', ')}; PyTorch ${withTorch ? 'interleaved' : 'not run (reference figures)'}; ${budget} ms per figure`);
  const gemm = await gemmRate(withTorch, budget);
  const floor = Math.max(gemm.ortGflops as number, (gemm.torchGflops as number | undefined) ?? 0);
  const cpuFloor = Math.max(gemm.ortGflopPerCpuSecond as number, (gemm.torchGflopPerCpuSecond as number | undefined) ?? 0);
  const results = [];
  for (const m of list) results.push(await benchModel(m, withTorch, budget, floor, cpuFloor));
  process.stdout.write(`${JSON.stringify({ machine: { ...machine, loadAverageAtEnd: os.loadavg() }, gemm: { ...gemm, floorGflops: floor, floorGflopPerCpuSecond: cpuFloor }, results }, null, 2)}\n`);
}

main().catch((e: Error) => { process.stderr.write(`bench failed: ${e.message}\n`); process.exitCode = 1; });
