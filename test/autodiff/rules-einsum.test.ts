// Einsum's gradient rule: exact PyTorch float64 cases (tools/make_rule_fixtures_einsum.py) and
// central finite differences through ONNX Runtime's own Einsum kernel, with a symbolic batch.
import { expect } from 'chai';
import { readFileSync } from 'fs';
import { checkGradient } from './check-gradient';
import { fixturePath } from '../repo-root';

interface EinsumCase { equation: string; shapes: number[][]; inputs: number[][]; dY: number[]; grads: number[][] }
const CASES = (JSON.parse(readFileSync(fixturePath('rules', 'einsum.json'), 'utf8')) as { cases: Record<string, EinsumCase> }).cases;

describe('gradient rule: Einsum', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: '${c.equation}' ${c.shapes.map((s) => `[${s.join(',')}]`).join(' ')}`, async () => {
      await checkGradient('Einsum', c.shapes, { equation: c.equation }, { values: c.inputs, exact: { dY: c.dY, grads: c.grads } });
    });
  }
  it('at opset 13', () => checkGradient('Einsum', [[2, 3, 4], [2, 4, 5]], { equation: 'bij,bjk->bik' }, { opset: 13 }));
  it('refuses a diagonal in one sentence', async () => {
    let message = '';
    try {
      await checkGradient('Einsum', [[3, 3]], { equation: 'ii->i' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).to.match(/^Einsum node '.*' takes a diagonal .* rewrite it with an explicit mask or Gather$/);
  });
});
