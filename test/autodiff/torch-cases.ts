// Exact cases from PyTorch autograd in float64 (tools/make_rule_fixtures_activations.py), as
// checkGradient options: the inputs, the upstream gradient and the input gradients.
import { readFileSync } from 'fs';
import { CheckOptions } from './check-gradient';
import { fixturePath } from '../repo-root';

interface TorchCase { inputs: number[][]; dY: number[]; grads: number[][] }
const CASES = (JSON.parse(readFileSync(fixturePath('rules', 'activations.json'), 'utf8')) as { cases: Record<string, TorchCase> }).cases;

export function torchCase(name: string, extra: CheckOptions = {}): CheckOptions {
  const c = CASES[name];
  if (!c) throw new Error(`no PyTorch case '${name}' in test/fixtures/rules/activations.json`);
  return { ...extra, values: c.inputs, exact: { dY: c.dY, grads: c.grads } };
}

/**
 * A case with inputs exactly on a kink: finite differences straddle the kink and average the two
 * slopes, so only PyTorch's exact gradients are checked there (and the symbolic-batch rerun).
 */
export function kinkCase(name: string, extra: CheckOptions = {}): CheckOptions {
  return torchCase(name, { ...extra, tol: Number.MAX_VALUE });
}
