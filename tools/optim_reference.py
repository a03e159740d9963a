#!/usr/bin/python3
"""Writes test/fixtures/optim/reference.json: what torch.optim.SGD, torch.optim.AdamW and the
torch.optim.lr_scheduler classes do on small fixed inputs, so that test/optim/reference.test.ts can
check the TypeScript optimizers against PyTorch itself rather than against our reading of its docs.

Run with Debian's interpreter, which has torch 1.13:  /usr/bin/python3 tools/optim_reference.py
The output is committed; rerun only when the cases below change.
"""
import json
import os
import sys
import warnings

import torch

# SequentialLR calls scheduler.step(0) internally at each milestone, which PyTorch 1.13 warns about.
warnings.filterwarnings('ignore', message='The epoch parameter')

STEPS = 5
SIZE = 8
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'optim', 'reference.json')


def fixed_inputs(seed):
    """w0 and one gradient per step, float32, from a fixed seed (values are written out exactly)."""
    gen = torch.Generator().manual_seed(seed)
    w0 = torch.randn(SIZE, generator=gen, dtype=torch.float32)
    grads = [torch.randn(SIZE, generator=gen, dtype=torch.float32) * 0.5 for _ in range(STEPS)]
    return w0, grads


def run_optimizer(name, make, options, lrs, seed):
    w0, grads = fixed_inputs(seed)
    p = torch.nn.Parameter(w0.clone())
    opt = make([p], lr=lrs[0], **options)
    expected = []
    for lr, g in zip(lrs, grads):
        for group in opt.param_groups:
            group['lr'] = lr
        p.grad = g.clone()
        opt.step()
        expected.append(p.detach().clone().tolist())
    st = opt.state[p]
    if isinstance(opt, torch.optim.AdamW):
        state = {
            'step': int(st['step'].item()),
            'expAvg': st['exp_avg'].tolist(),
            'expAvgSq': st['exp_avg_sq'].tolist(),
        }
    else:
        buf = st.get('momentum_buffer')
        state = {'momentumBuffer': None if buf is None else buf.tolist()}
    return {
        'name': name,
        'optimizer': 'sgd' if make is torch.optim.SGD else 'adamw',
        'options': options,
        'lrs': lrs,
        'w0': w0.tolist(),
        'grads': [g.tolist() for g in grads],
        'expected': expected,
        'finalState': state,
    }


def lr_sequence(make_scheduler, base_lr, count):
    """The lr in effect at index 0..count-1 (read before each scheduler.step())."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_scheduler(opt)
    lrs = []
    for _ in range(count):
        lrs.append(opt.param_groups[0]['lr'])
        opt.step()
        sched.step()
    return lrs


def main():
    if not torch.__version__.startswith('1.13'):
        print(f'warning: written with torch 1.13, running {torch.__version__}', file=sys.stderr)
    S = torch.optim.lr_scheduler
    lrs_sgd = [0.1, 0.1, 0.05, 0.05, 0.02]
    lrs_adam = [1e-2, 1e-2, 5e-3, 3e-3, 1e-3]
    optimizers = [
        run_optimizer('sgd momentum 0.9 wd 5e-4', torch.optim.SGD,
                      {'momentum': 0.9, 'weight_decay': 5e-4, 'nesterov': False}, lrs_sgd, 1),
        run_optimizer('sgd nesterov momentum 0.9 wd 5e-4', torch.optim.SGD,
                      {'momentum': 0.9, 'weight_decay': 5e-4, 'nesterov': True}, lrs_sgd, 2),
        run_optimizer('sgd no momentum wd 5e-4', torch.optim.SGD,
                      {'momentum': 0.0, 'weight_decay': 5e-4, 'nesterov': False}, lrs_sgd, 3),
        run_optimizer('adamw defaults', torch.optim.AdamW, {}, lrs_adam, 4),
        run_optimizer('adamw vit wd 0.3', torch.optim.AdamW,
                      {'betas': [0.9, 0.999], 'eps': 1e-8, 'weight_decay': 0.3}, lrs_adam, 5),
        run_optimizer('adamw betas 0.8/0.99 eps 1e-6 wd 0.05', torch.optim.AdamW,
                      {'betas': [0.8, 0.99], 'eps': 1e-6, 'weight_decay': 0.05}, lrs_adam, 6),
    ]
    # Each schedule: the TS createSchedule options and PyTorch's lr at every index.
    schedules = [
        {'options': {'kind': 'step', 'baseLr': 0.1, 'stepSize': 3, 'gamma': 0.5},
         'lrs': lr_sequence(lambda o: S.StepLR(o, step_size=3, gamma=0.5), 0.1, 12)},
        {'options': {'kind': 'multistep', 'baseLr': 0.1, 'milestones': [5, 2, 9, 5], 'gamma': 0.1},
         'lrs': lr_sequence(lambda o: S.MultiStepLR(o, milestones=[5, 2, 9, 5], gamma=0.1), 0.1, 12)},
        {'options': {'kind': 'cosine', 'baseLr': 0.05, 'totalSteps': 10, 'etaMin': 0.001},
         'lrs': lr_sequence(lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001), 0.05, 11)},
        {'options': {'kind': 'cosine', 'baseLr': 0.05, 'totalSteps': 20, 'warmupSteps': 4, 'warmupStartFactor': 0.25},
         'lrs': lr_sequence(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.25, total_iters=4),
                                                         S.CosineAnnealingLR(o, T_max=16)], milestones=[4]), 0.05, 21)},
        {'options': {'kind': 'multistep', 'baseLr': 0.1, 'milestones': [2, 4], 'gamma': 0.2, 'warmupSteps': 3},
         'lrs': lr_sequence(lambda o: S.SequentialLR(o, [S.LinearLR(o, total_iters=3),
                                                         S.MultiStepLR(o, milestones=[2, 4], gamma=0.2)], milestones=[3]), 0.1, 10)},
        {'options': {'kind': 'step', 'baseLr': 0.1, 'stepSize': 2, 'gamma': 0.5, 'warmupSteps': 2, 'warmupStartFactor': 0.5},
         'lrs': lr_sequence(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.5, total_iters=2),
                                                         S.StepLR(o, step_size=2, gamma=0.5)], milestones=[2]), 0.1, 9)},
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'torch': torch.__version__, 'steps': STEPS, 'optimizers': optimizers, 'schedules': schedules}, f, indent=1)
        f.write('\n')
    print(f'wrote {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
