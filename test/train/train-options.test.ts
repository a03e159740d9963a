// The option schema against the library: every default the schema states (and `crsam train
// --help` prints) is what runTraining and Trainer use when the option is left out, and what the
// JSDoc of RunOptions/TrainerOptions says.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatDefault } from '../../src/core/option-schema';
import { SHARPNESS_DEFAULTS, SharpnessStep } from '../../src/optim/sharpness';
import { Sgd } from '../../src/optim/sgd';
import { ResolvedRunOptions, RunOptions, resolveRunOptions, runTraining } from '../../src/train/run';
import { DEFAULT_WEIGHT_DECAY, TRAIN_OPTIONS, TrainOptionSpec } from '../../src/train/train-options';
import { ResolvedTrainerOptions, resolveTrainerOptions } from '../../src/train/trainer';
import { buildZooModel } from '../../src/zoo';
import { repoRoot } from '../repo-root';

const ENTRIES = Object.entries(TRAIN_OPTIONS) as [string, TrainOptionSpec][];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crsam-options-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** What a library field is when the option is left out: the schema's default, or unset where 0 means unset or there is none. */
function expectedLibraryValue(spec: TrainOptionSpec): unknown {
  if (spec.zeroIsUnset || spec.default === undefined) return undefined;
  return Array.isArray(spec.default) ? spec.default.map(Number) : spec.default;
}

/** The library field of each schema entry that sets one: ['run' | 'trainer', field]. */
function field(spec: TrainOptionSpec): ['run' | 'trainer', string] {
  const [where, name] = (spec.library as string).split('.');
  return [where as 'run' | 'trainer', name];
}

describe('training option schema vs. the library', function () {
  this.timeout(300000);

  it('runTraining and its Trainer use each schema default when the option is left out (and train with them)', async () => {
    // Only what has no default, plus the synthetic data and two threads so the test is quick and light.
    const given: RunOptions = {
      model: (train) => buildZooModel('mlp', { inputSize: train.height, channels: train.channels, numClasses: train.numClasses, seed: 1 }),
      modelName: 'mlp', dataset: 'synthetic', valSplit: 300, trainer: { threads: 2 }, out: path.join(tmp, 'defaults'), config: {},
    };
    let seen: { options: ResolvedRunOptions; trainerOptions: ResolvedTrainerOptions; stepsPerEpoch: number; trainSize: number } | undefined;
    const valBatches: number[] = [];
    const summary = await runTraining(given, {
      onStart: (i) => { seen = i; },
      onEvaluate: (e) => { if (e.split === 'val' && e.done === e.total) valBatches.push(e.total); },
    });
    if (!seen) throw new Error('onStart was not called');
    const checked: string[] = [];
    for (const [name, spec] of ENTRIES) {
      if (!spec.library) continue;
      const [where, key] = field(spec);
      if (key in given || (where === 'trainer' && key in given.trainer)) continue;
      const actual = where === 'run' ? (seen.options as unknown as Record<string, unknown>)[key] : (seen.trainerOptions as unknown as Record<string, unknown>)[key];
      if (name === 'weight-decay') expect(actual, name).to.equal(DEFAULT_WEIGHT_DECAY.sgd);
      else if (name === 'device-id') expect(actual, name).to.equal(0);
      else expect(actual, `--${name} (${spec.library})`).to.deep.equal(expectedLibraryValue(spec));
      checked.push(name);
    }
    expect(checked).to.include.members(['eval-batch-size', 'epochs', 'batch-size', 'lr', 'rho', 'alpha', 'beta', 'optimizer', 'momentum']);
    // And the run went by them: 5 epochs of 128-image steps, validation in 500-image batches.
    expect(summary.epochs).to.have.length(TRAIN_OPTIONS.epochs.default);
    expect(seen.stepsPerEpoch).to.equal(Math.ceil(seen.trainSize / TRAIN_OPTIONS['batch-size'].default));
    expect(valBatches).to.deep.equal(new Array(TRAIN_OPTIONS.epochs.default).fill(Math.ceil(300 / TRAIN_OPTIONS['eval-batch-size'].default)));
  });

  it('the options the test above had to give default as the schema says too', () => {
    const r = resolveRunOptions({ model: 'm.onnx', modelName: 'm', trainer: {}, out: 'o', config: {} });
    for (const [name, spec] of ENTRIES) {
      if (!spec.library?.startsWith('run.')) continue;
      expect((r as unknown as Record<string, unknown>)[field(spec)[1]], name).to.deep.equal(expectedLibraryValue(spec));
    }
    const t = resolveTrainerOptions({});
    for (const [name, spec] of ENTRIES) {
      if (!spec.library?.startsWith('trainer.') || name === 'weight-decay' || name === 'device-id') continue;
      expect((t as unknown as Record<string, unknown>)[field(spec)[1]], name).to.deep.equal(expectedLibraryValue(spec));
    }
    expect(t.lr).to.equal(TRAIN_OPTIONS.lr.default);
    expect(resolveTrainerOptions({ base: 'adamw' }).weightDecay).to.equal(DEFAULT_WEIGHT_DECAY.adamw);
    // The main device: 0, or the first of `devices`.
    expect(t.deviceId).to.equal(0);
    expect(resolveTrainerOptions({ devices: [2, 3] }).deviceId).to.equal(2);
  });

  it('SharpnessStep itself defaults ρ, α, β, the CR-SAM form and the BatchNorm policy as the schema does', () => {
    const step = new SharpnessStep({ method: 'crsam', baseOptimizer: new Sgd(3) });
    expect({ rho: step.rho, alpha: step.alpha, beta: step.beta, crsamForm: step.crsamForm, bnUpdate: step.bnUpdate }).to.deep.equal({
      rho: TRAIN_OPTIONS.rho.default, alpha: TRAIN_OPTIONS.alpha.default, beta: TRAIN_OPTIONS.beta.default,
      crsamForm: TRAIN_OPTIONS['crsam-form'].default, bnUpdate: TRAIN_OPTIONS['bn-update'].default,
    });
    expect(step.asamEta).to.equal(SHARPNESS_DEFAULTS.asamEta);
  });

  it('the JSDoc of every RunOptions and TrainerOptions field an option sets states the default the schema has', () => {
    const docs = new Map<string, string>();
    for (const [where, file] of [['run', 'run.ts'], ['trainer', 'trainer.ts']]) {
      const text = fs.readFileSync(path.join(repoRoot(), 'src', 'train', file), 'utf8');
      const body = text.slice(text.indexOf(`export interface ${where === 'run' ? 'RunOptions' : 'TrainerOptions'} {`));
      const iface = body.slice(0, body.indexOf('\n}\n'));
      for (const m of iface.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*readonly (\w+)\??:/g)) {
        docs.set(`${where}.${m[2]}`, `${m[1].replace(/\s*\n\s*\*\s*/g, ' ').trim()} `);
      }
    }
    for (const [name, spec] of ENTRIES) {
      if (!spec.library) continue;
      const doc = docs.get(spec.library);
      expect(doc, `${spec.library} (--${name}) has no JSDoc`).to.be.a('string');
      const said = /Default: (.*?)(?:\.\s|\s\(|,\s)/.exec(doc as string)?.[1];
      expect(said, `${spec.library}: no 'Default:' in its JSDoc`).to.be.a('string');
      if (spec.default === undefined || spec.zeroIsUnset) continue;
      const shown = formatDefault({ ...spec, unit: undefined }) as string;
      const norm = (s: string) => s.replace(/^'(.*)'$/, '$1').replace(/,(\d{3})/g, '$1');
      expect(norm(said as string), `${spec.library}: JSDoc says ${said}, the schema ${shown}`).to.equal(shown);
    }
  });
});
