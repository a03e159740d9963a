// Three steps of SGD, SAM and CR-SAM from the same weights on the same batches as PyTorch
// (tools/make_torch_fixtures.py): final parameters and BatchNorm buffers within 1e-4, in
// sequential and in parallel (worker) mode.
import { expect } from 'chai';
import { Trainer } from '../../src/train/trainer';
import { relErr } from '../autodiff/check-gradient';
import { loadTorchFixture } from '../torch-fixture';

const MODELS = ['mlp', 'resnet', 'vit'];
const METHODS = ['sgd', 'sam', 'crsam'] as const;

for (const name of MODELS) {
  describe(`PyTorch parity of 3 optimizer steps: ${name}`, () => {
    const fx = loadTorchFixture(name);
    const cfg = fx.manifest.config;
    for (const method of METHODS) {
      for (const parallel of ['off', 'auto'] as const) {
        if (parallel === 'auto' && method !== 'crsam') continue;
        it(`${method}${parallel === 'auto' ? ' (parallel passes)' : ''}`, async () => {
          const trainer = await Trainer.create({
            model: fx.modelPath, optimizer: method, lr: Number(cfg.lr), momentum: Number(cfg.momentum), weightDecay: Number(cfg.weight_decay ?? cfg.weightDecay),
            rho: Number(cfg.rho), alpha: Number(cfg.alpha), beta: Number(cfg.beta), parallel, threads: 2,
          });
          try {
            if (parallel === 'auto') expect(trainer.parallel).to.equal(true);
            const losses: number[] = [];
            for (let s = 0; s < 3; s++) {
              const x = fx.f32(`batches/${s}/input`);
              const m = await trainer.step({ inputs: { [trainer.dataInputs[0].name]: x }, labels: fx.i64(`batches/${s}/labels`).data });
              losses.push(m.loss);
            }
            expect(relErr(losses, fx.manifest.scalars[`${method}/losses`] as number[])).to.be.below(1e-4);
            const params = trainer.parameters();
            for (const p of fx.manifest.params) {
              expect(relErr(params.get(p) as Float32Array, fx.f32(`${method}/final/${p}`).data), `final ${p}`).to.be.below(1e-4);
            }
            for (const b of fx.manifest.buffers) {
              expect(relErr(trainer.buffers().get(b) as Float32Array, fx.f32(`${method}/final_buffers/${b}`).data), `final ${b}`).to.be.below(1e-4);
            }
          } finally {
            await trainer.close();
          }
        });
      }
    }
  });
}
