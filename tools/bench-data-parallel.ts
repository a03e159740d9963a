// `node dist/tools/bench-data-parallel.js [model] [steps] [batch]`: ms per CR-SAM step on the CPU
// (2 threads in all) for one replica (passes sequential, and w±e side by side) and two
// data-parallel replicas (side by side, and one after the other), interleaved round by round so
// that a change in the machine's load hits every configuration alike. Prints JSON.
import * as os from 'node:os';
import { Trainer, TrainerOptions } from '../src/train/trainer';
import { buildZooModel } from '../src/zoo';

const [modelName = 'resnet20', stepsArg = '5', batchArg = '128'] = process.argv.slice(2);
const STEPS = Number(stepsArg);
const BATCH = Number(batchArg);

const CONFIGS: Record<string, Partial<TrainerOptions>> = {
  'one replica, passes sequential': { parallel: 'off' },
  'one replica, w±e side by side': { parallel: 'on' },
  '2 replicas side by side': { dataParallel: 2, parallel: 'on' },
  '2 replicas one after the other': { dataParallel: 2, parallel: 'off' },
};

async function main(): Promise<void> {
  const model = buildZooModel(modelName, { seed: 0 });
  const trainers = new Map<string, Trainer>();
  for (const [name, c] of Object.entries(CONFIGS)) trainers.set(name, await Trainer.create({ model, optimizer: 'crsam', threads: 2, ...c }));
  const input = (trainers.values().next().value as Trainer).dataInputs[0];
  const dims = [BATCH, ...(input.shape ?? []).slice(1).map((d) => (typeof d === 'number' ? d : 1))];
  const per = dims.slice(1).reduce((a, b) => a * b, 1);
  let s = 1;
  const rnd = () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
  const batch = { inputs: { [input.name]: { data: Float32Array.from({ length: BATCH * per }, rnd), dims } }, labels: BigInt64Array.from({ length: BATCH }, (_, i) => BigInt(i % 10)) };
  const times = new Map<string, number[]>([...trainers.keys()].map((k) => [k, []]));
  for (let round = -1; round < STEPS; round++) {
    for (const [name, t] of trainers) {
      const t0 = process.hrtime.bigint();
      await t.step(batch);
      if (round >= 0) times.get(name)?.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  for (const t of trainers.values()) await t.close();
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log(JSON.stringify({
    model: modelName, batch: BATCH, steps: STEPS, threads: 2, cpus: os.cpus().length, loadAverage: os.loadavg().map((x) => Number(x.toFixed(1))),
    msPerStep: Object.fromEntries([...times].map(([k, v]) => [k, { median: Math.round(median(v)), min: Math.round(Math.min(...v)), max: Math.round(Math.max(...v)) }])),
  }, null, 2));
}

void main();
