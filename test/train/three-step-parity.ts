// The three-step optimizer parity check shared by the op-family fixtures (acts, norms, misc):
// losses and final parameters of SGD, SAM and CR-SAM through the public Trainer against PyTorch's
// float32 and float64 trajectories written by tools/make_torch_fixtures_*.py.
import { expect } from 'chai';
import { Trainer } from '../../src/train/trainer';
import { relErr } from '../autodiff/check-gradient';
import { loadTorchFixture } from '../torch-fixture';

const FACTOR = 10;
const FLOOR = 2e-7;

/**
 * Three steps of SGD, SAM and CR-SAM through the public Trainer on the fixture
 * test/fixtures/torch/<fixture> (its batches and config), against PyTorch's float32 trajectory
 * (within 1e-4) and its float64 one (within FACTOR × PyTorch float32's own error + FLOOR); prints
 * both errors.
 */
export function describeThreeStepParity(title: string, fixture: string): void {
  describe(`PyTorch parity of 3 optimizer steps: ${title}`, () => {
    const fx = loadTorchFixture(fixture);
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
}
