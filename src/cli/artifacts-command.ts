// `crsam artifacts <model.onnx> --out <dir>`: the training, eval and inference graphs plus the
// initial parameters, runnable on any ONNX Runtime inference build.
import { writeArtifacts } from '../autodiff/write-artifacts';
import { CommandSpec, Parsed, checkRanges } from './args';
import { OptionSchema } from '../core/option-schema';
import { tensorSize } from '../onnx/ir';
import { TRAIN_OPTIONS } from '../train/train-options';

const ARTIFACTS_FLAGS = {
  out: { type: 'string', group: 'output', alias: 'o', arg: 'DIR', help: 'folder to write the artifacts into (created if missing)', default: 'artifacts' },
  frozen: { type: 'list', group: 'model', arg: 'A,B', help: 'initializer names to keep fixed (no gradient)', default: [] },
  // The training schema's entries, so the loss and the eval-mode check read the same defaults as `crsam train`.
  'label-smoothing': { ...TRAIN_OPTIONS['label-smoothing'], group: 'model', arg: 'EPS' },
  'allow-eval-export': TRAIN_OPTIONS['allow-eval-export'],
  'external-data': { type: 'bool', group: 'output', help: 'store weights of the three graphs in .data files next to them (for models over ~1 GB)', default: false },
} as const satisfies OptionSchema;

export const artifactsSpec: CommandSpec<typeof ARTIFACTS_FLAGS> = {
  name: 'artifacts',
  summary: 'write training_model.onnx, eval_model.onnx, inference_model.onnx and the initial parameters',
  usage: 'crsam artifacts <model.onnx> --out <dir> [--frozen a,b] [--label-smoothing 0.1]',
  positionals: ['model.onnx'],
  flags: ARTIFACTS_FLAGS,
};

export function runArtifacts(args: Parsed<typeof ARTIFACTS_FLAGS>, print: (line: string) => void): number {
  checkRanges(artifactsSpec.flags, args.flags);
  const dir = args.flags.out;
  const r = writeArtifacts(args.positionals[0], dir, {
    frozen: args.flags.frozen,
    labelSmoothing: args.flags['label-smoothing'],
    externalData: args.flags['external-data'],
    allowEvalExport: args.flags['allow-eval-export'],
  });
  for (const w of r.artifacts.warnings) print(`warning: ${w}`);
  const nParams = r.artifacts.params.reduce((s, p) => s + tensorSize(p.dims), 0);
  print(`${r.artifacts.params.length} trainable tensors (${nParams.toLocaleString('en-US')} parameters), ${r.artifacts.buffers.length} BatchNorm buffers, ${r.artifacts.numClasses} classes`);
  if (r.artifacts.unusedParams.length) print(`note: the loss does not depend on ${r.artifacts.unusedParams.join(', ')}; their gradient is zero`);
  for (const f of r.files) print(`wrote ${f}`);
  return 0;
}
