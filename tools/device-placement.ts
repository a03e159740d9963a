// The pass-placement part of the device check (docs/device-check.md, docs/pass-placement.md): on
// one device of a provider, ms per CR-SAM step with the passes one after the other, with w+e and
// w−e in two concurrent sessions, and on two data-parallel replicas side by side — the
// measurement that `PARALLEL_AUTO` waits for before it turns concurrent sessions on for a GPU —
// and that two replicas give the one-session step there (max |Δw|/max(|w|, 1) after 3 steps).
// Standalone: `node dist/tools/device-placement.js cpu|cuda|webgpu`.
import { performance } from 'node:perf_hooks';
import { Trainer, TrainerOptions } from '../src/train/trainer';
import { buildZooModel } from '../src/zoo';

export interface PlacementReport {
  readonly model: string;
  readonly batch: number;
  /** Median ms per CR-SAM step by configuration. */
  readonly msPerStep: Readonly<Record<string, number>>;
  /** 2 replicas against one session, MLP, 3 CR-SAM steps (passes when ≤ 1e-6). */
  readonly dataParallelMaxRelDiff: number;
}

const CONFIGS: Record<string, Partial<TrainerOptions>> = {
  sequential: { parallel: 'off' },
  'w±e concurrent': { parallel: 'on' },
  '2 replicas concurrent': { dataParallel: 2, parallel: 'on' },
};

function batchFor(t: Trainer, n: number, step: number) {
  const input = t.dataInputs[0];
  const dims = [n, ...(input.shape ?? []).slice(1).map((d) => (typeof d === 'number' ? d : 1))];
  const per = dims.slice(1).reduce((a, b) => a * b, 1);
  return {
    inputs: { [input.name]: { data: Float32Array.from({ length: n * per }, (_, i) => Math.sin(0.37 * i + step)), dims } },
    labels: BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 3 + step) % t.numClasses)),
  };
}

async function dataParallelDiff(device: TrainerOptions['device']): Promise<number> {
  const model = buildZooModel('mlp', { seed: 0 });
  const one = await Trainer.create({ model, device, optimizer: 'crsam', parallel: 'off' });
  const two = await Trainer.create({ model, device, optimizer: 'crsam', dataParallel: 2, parallel: 'on' });
  try {
    for (let s = 0; s < 3; s++) { await one.step(batchFor(one, 32, s)); await two.step(batchFor(two, 32, s)); }
    const b = one.parameters();
    let worst = 0;
    for (const [k, v] of two.parameters()) {
      const w = b.get(k) as Float32Array;
      for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(v[i] - w[i]) / Math.max(Math.abs(w[i]), 1));
    }
    return worst;
  } finally {
    await one.close();
    await two.close();
  }
}

/** Times the configurations interleaved (`steps` each after one warm-up) on `device`. */
export async function placementCheck(device: TrainerOptions['device'], modelName = 'resnet20', batch = 32, steps = 3): Promise<PlacementReport> {
  const model = buildZooModel(modelName, { seed: 0 });
  const trainers = new Map<string, Trainer>();
  try {
    for (const [name, c] of Object.entries(CONFIGS)) trainers.set(name, await Trainer.create({ model, device, optimizer: 'crsam', ...c }));
    const times = new Map<string, number[]>([...trainers.keys()].map((k) => [k, []]));
    for (let round = -1; round < steps; round++) {
      for (const [name, t] of trainers) {
        const t0 = performance.now();
        await t.step(batchFor(t, batch, round + 1));
        if (round >= 0) times.get(name)?.push(performance.now() - t0);
      }
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const msPerStep = Object.fromEntries([...times].map(([k, v]) => [k, Math.round(median(v) * 10) / 10]));
    return { model: modelName, batch, msPerStep, dataParallelMaxRelDiff: await dataParallelDiff(device) };
  } finally {
    for (const t of trainers.values()) await t.close();
  }
}

if (require.main === module) {
  const device = (process.argv[2] ?? 'cpu') as TrainerOptions['device'];
  placementCheck(device).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`), (e: unknown) => { process.stderr.write(`${String(e)}\n`); process.exitCode = 1; });
}
