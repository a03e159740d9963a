#!/usr/bin/python3
"""Writes test/fixtures/rules/einsum.json: input gradients of Einsum equations that
test/autodiff/rules-einsum.test.ts checks exactly, computed by PyTorch autograd (torch.einsum) in
float64 on fixed small inputs and a fixed upstream gradient dY.

Run with Debian's interpreter, which has torch 1.13:  /usr/bin/python3 tools/make_rule_fixtures_einsum.py
The output is committed; rerun only when the cases below change (keep them in step with the test).
"""
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'rules', 'einsum.json')

# name: (equation, operand shapes). ONNX Runtime's Einsum requires every operand's ellipsis to
# stand for the same number of dims, so no case broadcasts ellipses of different ranks.
CASES = {
    'matmul': ('ij,jk->ik', [[3, 4], [4, 5]]),
    'batched': ('bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]),
    'transpose': ('ij->ji', [[3, 4]]),
    'outer': ('i,j->ij', [[3], [4]]),
    'rowsum': ('ij->i', [[3, 4]]),
    'total': ('ij->', [[3, 4]]),
    'implicit': ('ij,jk', [[3, 4], [4, 5]]),
    'ellipsis': ('...ij,...jk->...ik', [[2, 3, 4], [2, 4, 5]]),
    'ellipsis_ones': ('...ij,...jk->...ik', [[2, 1, 3, 4], [1, 2, 4, 5]]),
    'maxvit_qk': ('bghid,bghjd->bghij', [[2, 2, 2, 3, 4], [2, 2, 2, 3, 4]]),
    'maxvit_av': ('bghij,bghjd->bghid', [[2, 2, 2, 3, 3], [2, 2, 2, 3, 4]]),
    'attention': ('bhqd,bhkd->bhqk', [[2, 2, 3, 4], [2, 2, 5, 4]]),
    'own_sum': ('ij,jk->k', [[3, 4], [4, 5]]),
    'three': ('ij,jk,kl->il', [[2, 3], [3, 4], [4, 2]]),
    'spaces': ('b i d , b j d -> b i j', [[2, 3, 4], [2, 5, 4]]),
}


def grid(shape, seed, lo=-1.0, hi=1.0):
    """Distinct-looking fixed values in [lo, hi], on a 1/16 grid."""
    n = math.prod(shape)
    steps = int((hi - lo) * 16)
    vals = [lo + ((seed * 5 + i * 13) % (steps + 1)) / 16 for i in range(n)]
    return torch.tensor(vals, dtype=torch.float64).reshape(shape)


def case(eq, shapes):
    xs = [grid(s, 7 + 3 * k).requires_grad_(True) for k, s in enumerate(shapes)]
    y = torch.einsum(eq.replace(' ', ''), *xs)
    dy = grid(list(y.shape), 99)
    grads = torch.autograd.grad(y, xs, dy)
    return {
        'equation': eq, 'shapes': shapes,
        'inputs': [x.detach().flatten().tolist() for x in xs],
        'dY': dy.flatten().tolist(),
        'grads': [g.flatten().tolist() for g in grads],
    }


def main():
    out = {'cases': {name: case(eq, shapes) for name, (eq, shapes) in CASES.items()}}
    with open(OUT, 'w') as f:
        json.dump(out, f)


if __name__ == '__main__':
    main()
