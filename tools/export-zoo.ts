// Writes the pre-exported zoo models and the gradient-parity models.
//
//   npx tsx tools/export-zoo.ts                 regenerate models/*.onnx (byte-for-byte reproducible)
//   npx tsx tools/export-zoo.ts --out DIR       write the shipped models to DIR instead
//   npx tsx tools/export-zoo.ts --parity DIR    write the parity models (read by tools/zoo_reference.py)
//
// The shipped models are the small ones that train on a CPU; the rest of the zoo is built on demand.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Model } from '../src/onnx/ir';
import { saveModel } from '../src/onnx/io';
import { buildZooModel, cifarResNet, pyramidNet, vit, wideResNet } from '../src/zoo';

export interface ExportedModel {
  /** File name without '.onnx'. */
  readonly name: string;
  /** Builds the model (deterministic: same bytes every time). */
  readonly build: () => Model;
}

/** The models committed in models/, all with the zoo defaults and seed 0. */
export const SHIPPED: readonly ExportedModel[] = ['mlp', 'lenet5', 'resnet20', 'vit-tiny'].map((name) => ({ name, build: () => buildZooModel(name) }));

/**
 * Reduced architectures whose gradients tools/zoo_reference.py computes in PyTorch from these very
 * weights; 16×16 inputs keep the fixtures and the test fast.
 */
export const PARITY: readonly ExportedModel[] = [
  { name: 'resnet20', build: () => cifarResNet({ depth: 20, inputSize: 16, seed: 1 }) },
  { name: 'wrn-10-2', build: () => wideResNet({ depth: 10, widen: 2, inputSize: 16, seed: 2 }) },
  { name: 'pyramidnet-20-48', build: () => pyramidNet({ depth: 20, alpha: 48, inputSize: 16, seed: 3 }) },
  { name: 'vit-tiny', build: () => vit({ patchSize: 4, dim: 64, depth: 2, heads: 4, mlpRatio: 2, inputSize: 16, seed: 4 }) },
];

/** Writes each model to DIR/<name>.onnx (all tensors inline) and returns the paths. */
export function exportModels(models: readonly ExportedModel[], dir: string): string[] {
  return models.map((m) => {
    const file = path.join(dir, `${m.name}.onnx`);
    saveModel(m.build(), file);
    return file;
  });
}

/** models/ of the repository (found by its package.json, so this also works from dist/tools). */
function modelsDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return path.join(dir, 'models');
}

function main(argv: readonly string[]): void {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (!v || v.startsWith('--')) throw new Error(`${name} needs a folder`);
    return v;
  };
  const unknown = argv.filter((a, i) => a.startsWith('--') ? a !== '--out' && a !== '--parity' : !['--out', '--parity'].includes(argv[i - 1]));
  if (unknown.length) throw new Error(`unknown arguments: ${unknown.join(' ')} (use --out DIR or --parity DIR)`);
  const parity = flag('--parity');
  const files = parity ? exportModels(PARITY, parity) : exportModels(SHIPPED, flag('--out') ?? modelsDir());
  for (const f of files) console.log(`wrote ${path.relative(process.cwd(), f)}`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`export-zoo: ${(e as Error).message}`);
    process.exit(1);
  }
}
