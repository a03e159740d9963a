// Three steps of SGD, SAM and CR-SAM through the public Trainer on a tiny CNN of the remaining op
// families of issue 13 as torch 1.13 exports them (nearest and bilinear Resize, Sin, Cos, Max,
// Min, CumSum, TopK values, ReduceL2, ReduceLogSumExp, ReduceProd; a mean of three tensors, which
// torch exports as Concat + ReduceMean, never as Mean), at opset 17
// (tools/make_torch_fixtures_misc.py): losses and final parameters within 1e-4 of PyTorch
// float32's, and our error against PyTorch float64 within a small factor of PyTorch float32's own
// (the floor covers the float32 rounding of the stored float64 truth); both errors are printed.
import { expect } from 'chai';
import { Trainer } from '../../src/train/trainer';
import { relErr } from '../autodiff/check-gradient';
import { loadTorchFixture } from '../torch-fixture';

const FACTOR = 10;
const FLOOR = 2e-7;

describe('PyTorch parity of 3 optimizer steps: misc (Resize, Sin/Cos, Max/Min, CumSum, TopK, ReduceL2/LogSumExp/Prod)', () => {
  const fx = loadTorchFixture('misc');
  const cfg = fx.manifest.config;
  for (const method of ['sgd', 'sam', 'crsam'] as const) {
    it(method, async () => {
      const trainer = await Trainer.create({
        model: fx.modelPath, optimizer: method, lr: Number(cfg.lr), momentum: Number(cfg.momentum), weightDecay: Number(cfg.weightDecay),
        rho: Number(cfg.rho), alpha: Number(cfg.alpha), beta: Number(cfg.beta), parallel: 'off', threads: 2,
      });
      try {
        const losses: number[] = [];
        for (let s = 0; s < 3; s++) {
          const x = fx.f32(`batches/${s}/input`);
          const m = await trainer.step({ inputs: { [trainer.dataInputs[0].name]: x }, labels: fx.i64(`batches/${s}/labels`).data });
          losses.push(m.loss);
        }
        expect(relErr(losses, fx.manifest.scalars[`${method}/losses`] as number[]), 'losses').to.be.below(1e-4);
        const truthLosses = fx.manifest.scalars[`${method}/losses64`] as number[];
        const lossTorch32 = relErr(fx.manifest.scalars[`${method}/losses`] as number[], truthLosses);
        expect(relErr(losses, truthLosses), `losses vs float64 (PyTorch float32: ${lossTorch32.toExponential(2)})`).to.be.below(FACTOR * lossTorch32 + FLOOR);
        const params = trainer.parameters();
        let worstOurs = 0;
        let worstTorch = 0;
        for (const p of fx.manifest.params) {
          const ours = params.get(p) as Float32Array;
          expect(relErr(ours, fx.f32(`${method}/final/${p}`).data), `final ${p}`).to.be.below(1e-4);
          const truth = fx.f32(`${method}/final64/${p}`).data;
          const torch32 = relErr(fx.f32(`${method}/final/${p}`).data, truth);
          expect(relErr(ours, truth), `final ${p} vs float64 (PyTorch float32: ${torch32.toExponential(2)})`).to.be.below(FACTOR * torch32 + FLOOR);
          worstOurs = Math.max(worstOurs, relErr(ours, truth));
          worstTorch = Math.max(worstTorch, torch32);
        }
        process.stdout.write(`      (${method} vs PyTorch float64: losses ours ${relErr(losses, truthLosses).toExponential(2)}, PyTorch float32 ${lossTorch32.toExponential(2)}; `
          + `worst final parameter ours ${worstOurs.toExponential(2)}, PyTorch float32 ${worstTorch.toExponential(2)})\n`);
      } finally {
        await trainer.close();
      }
    });
  }
});
