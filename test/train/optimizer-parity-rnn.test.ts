// Three CR-SAM steps through the public Trainer API on LSTM, 2-layer GRU and bidirectional 2-layer
// tanh RNN text classifiers and an Einsum attention classifier, against PyTorch's float64
// trajectory (tools/make_rnn_fixtures.py, the reference form and config of
// tools/make_torch_fixtures.py), within a small factor of PyTorch float32's own trajectory error;
// both errors are printed.
import { expect } from 'chai';
import { Trainer } from '../../src/train/trainer';
import { relErr } from '../autodiff/check-gradient';
import { loadTorchFixture } from '../torch-fixture';

const FACTOR = 10;
const FLOOR = 1e-7;

for (const name of ['lstm-o17', 'gru2-o17', 'rnn-tanh-bi2-o17', 'einsum-o17']) {
  describe(`PyTorch parity of 3 CR-SAM steps: ${name}`, () => {
    it('losses and final parameters', async () => {
      const fx = loadTorchFixture(`rnn/${name}`);
      const cfg = fx.manifest.config;
      const s = fx.manifest.scalars;
      const trainer = await Trainer.create({
        model: fx.modelPath, optimizer: 'crsam', lr: Number(cfg.lr), momentum: Number(cfg.momentum), weightDecay: Number(cfg.weightDecay),
        rho: Number(cfg.rho), alpha: Number(cfg.alpha), beta: Number(cfg.beta), parallel: 'off', threads: 2,
      });
      try {
        const losses: number[] = [];
        for (let k = 0; k < 3; k++) {
          const m = await trainer.step({ inputs: { [trainer.dataInputs[0].name]: fx.f32(`batches/${k}/input`) }, labels: fx.i64(`batches/${k}/labels`).data });
          losses.push(m.loss);
        }
        const truthLosses = s['crsam/losses'] as number[];
        const lossOurs = relErr(losses, truthLosses);
        const lossTorch32 = relErr(s['crsam/losses32'] as number[], truthLosses);
        expect(lossOurs, `losses vs float64: ours ${lossOurs.toExponential(2)}, PyTorch float32 ${lossTorch32.toExponential(2)}`).to.be.below(1e-6);
        const params = trainer.parameters();
        let worstOurs = 0;
        let worstTorch = 0;
        for (const p of fx.manifest.params) {
          const ours = relErr(params.get(p) as Float32Array, fx.f64(`crsam/final/${p}`).data);
          const theirs = s[`crsam/err32/${p}`] as number;
          expect(ours, `final ${p}: ours ${ours.toExponential(2)}, PyTorch float32 ${theirs.toExponential(2)}`).to.be.below(FACTOR * theirs + FLOOR);
          worstOurs = Math.max(worstOurs, ours);
          worstTorch = Math.max(worstTorch, theirs);
        }
        process.stdout.write(`      (crsam vs PyTorch float64: losses ours ${lossOurs.toExponential(2)}, PyTorch float32 ${lossTorch32.toExponential(2)}; `
          + `worst final parameter ours ${worstOurs.toExponential(2)}, PyTorch float32 ${worstTorch.toExponential(2)})\n`);
      } finally {
        await trainer.close();
      }
    });
  });
}
