// CI slice of the torchvision sweep (tools/torchvision_sweep.py, tools/torchvision-sweep.ts): small
// models committed in test/fixtures/sweep/ train with gradients within 10× of PyTorch float32's own
// error against PyTorch float64. A model whose op another engineer is adding may report "needs";
// once that op has a gradient rule, it must pass.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { GRADIENT_RULES } from '../../src/autodiff/registry';
import { checkSweepModel } from '../sweep-check';
import { loadSweepFixture } from '../sweep-fixture';
import { fixturePath } from '../repo-root';

/** Models that need an op in progress (issue 13), with that op. */
const NEEDS: Record<string, readonly string[]> = {
  small_mobilenet_v3: ['HardSwish', 'HardSigmoid'],
  small_maxvit: ['Einsum'],
  text_lstm: ['LSTM'],
  text_gru: ['GRU'],
  text_rnn: ['RNN'],
};

describe('torchvision sweep: committed small models against PyTorch float64', function () {
  this.timeout(60_000);
  const root = fixturePath('sweep');
  for (const dir of fs.readdirSync(root).sort()) {
    const fx = loadSweepFixture(`${root}/${dir}`);
    const m = fx.manifest;
    it(`${dir} (input ${m.inputShape.join('×')})`, async () => {
      const r = await checkSweepModel(fx);
      const needs = NEEDS[m.model];
      if (r.status === 'needs' && needs && needs.some((op) => GRADIENT_RULES[op] === undefined)) return;
      expect(r.status, `${r.note}; ours ${r.gradErr.toExponential(2)}, PyTorch float32 ${r.torch32GradErr.toExponential(2)}`).to.be.oneOf(['pass', 'kink']);
      expect(r.lossErr).to.be.below(1e-5);
    });
  }
});
