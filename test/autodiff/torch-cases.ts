// Exact cases from PyTorch autograd in float64 (tools/make_rule_fixtures_<file>.py), as
// checkGradient options: the inputs, the upstream gradient and the input gradients.
import { readFileSync } from 'fs';
import { CheckOptions } from './check-gradient';
import { fixturePath } from '../repo-root';

interface TorchCase { inputs: number[][]; dY: number[]; grads: number[][] }

/** The cases of test/fixtures/rules/<file>.json, by name. */
export function torchCases(file: string): (name: string, extra?: CheckOptions) => CheckOptions {
  const cases = (JSON.parse(readFileSync(fixturePath('rules', `${file}.json`), 'utf8')) as { cases: Record<string, TorchCase> }).cases;
  return (name, extra = {}) => {
    const c = cases[name];
    if (!c) throw new Error(`no PyTorch case '${name}' in test/fixtures/rules/${file}.json`);
    return { ...extra, values: c.inputs, exact: { dY: c.dY, grads: c.grads } };
  };
}

export const torchCase = torchCases('activations');

/**
 * A case with inputs exactly on a kink: finite differences straddle the kink and average the two
 * slopes, so only PyTorch's exact gradients are checked there (and the symbolic-batch rerun).
 */
export function kinkCase(name: string, extra: CheckOptions = {}): CheckOptions {
  return torchCase(name, { ...extra, tol: Number.MAX_VALUE });
}
