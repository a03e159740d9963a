#!/usr/bin/python3
"""Writes test/fixtures/rules/math.json: input gradients of the elementwise, normalization and
reduction ops that test/autodiff/rules-math.test.ts checks exactly, computed by PyTorch autograd in
float64 on fixed small inputs and a fixed upstream gradient dY.

Run with Debian's interpreter, which has torch 1.13:  /usr/bin/python3 tools/make_rule_fixtures_math.py
Inputs are multiples of 1/16 (exact in float32 too, for the ops ORT only runs in float32). Each case
lists its differentiable inputs in the ONNX node's input order; constant inputs are in the test.
The output is committed; rerun only when the cases below change.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'rules', 'math.json')


def grid(shape, seed, lo=-1.0, hi=1.0):
    """Distinct-looking fixed values in [lo, hi], on a 1/16 grid."""
    n = math.prod(shape)
    steps = int((hi - lo) * 16)
    vals = [lo + ((seed * 5 + i * 13) % (steps + 1)) / 16 for i in range(n)]
    return torch.tensor(vals, dtype=torch.float64).reshape(shape)


def case(fn, inputs, seed=99):
    xs = [x.clone().requires_grad_(True) for x in inputs]
    y = fn(*xs)
    dy = grid(list(y.shape), seed)
    grads = torch.autograd.grad(y, xs, dy, allow_unused=True)
    return {
        'inputs': [x.detach().flatten().tolist() for x in xs],
        'dY': dy.flatten().tolist(),
        'grads': [(g if g is not None else torch.zeros_like(x)).flatten().tolist() for g, x in zip(grads, xs)],
    }


def t(values, shape=None):
    x = torch.tensor(values, dtype=torch.float64)
    return x.reshape(shape) if shape else x


def main():
    x23 = t([-1.5, -0.25, 0.375, 1.0, -0.75, 2.0], [2, 3])
    pos23 = t([0.25, 0.5, 1.5, 2.0, 0.75, 3.0], [2, 3])
    x234 = grid([2, 3, 4], 3)
    cases = {
        'LeakyRelu': case(lambda x: F.leaky_relu(x, 0.1), [x23]),
        'Sigmoid': case(torch.sigmoid, [x23]),
        'Tanh': case(torch.tanh, [x23]),
        'Erf': case(torch.erf, [x23]),
        'Gelu': case(lambda x: F.gelu(x), [x23]),
        'GeluTanh': case(lambda x: F.gelu(x, approximate='tanh'), [x23]),
        'PowTensor': case(torch.pow, [pos23, t([2.0, 0.5, -1.25])]),
        'PowSquare': case(lambda x: torch.pow(x, 2.0), [x23]),
        'PowSqrt': case(lambda x: torch.pow(x, 0.5), [pos23]),
        'PowCube': case(lambda x: torch.pow(x, 3.0), [x23]),
        'Sqrt': case(torch.sqrt, [pos23]),
        'Exp': case(torch.exp, [x23]),
        'Log': case(torch.log, [pos23]),
        'Reciprocal': case(torch.reciprocal, [x23]),
        'Abs': case(torch.abs, [x23]),
        # min, max as tensors: clamp's gradient reaches them too.
        'Clip': case(lambda x, lo, hi: torch.clamp(x, lo, hi), [x23, t(-0.5), t(1.25)]),
        'ClipMin': case(lambda x, lo: torch.clamp(x, min=lo), [x23, t(-0.5)]),
        'Where': case(lambda x, y: torch.where(t([1, 0, 1, 0, 0, 1], [2, 3]).bool(), x, y), [x23, t([0.5, -0.25, 1.75])]),
        'Cast': case(lambda x: x.to(torch.float64), [x23]),
        'Softmax': case(lambda x: torch.softmax(x, -1), [x234]),
        'SoftmaxAxis1': case(lambda x: torch.softmax(x, 1), [x234]),
        'LogSoftmax': case(lambda x: torch.log_softmax(x, -1), [x234]),
        'LogSoftmaxAxis0': case(lambda x: torch.log_softmax(x, 0), [x234]),
        'LayerNorm': case(lambda x, w, b: F.layer_norm(x, [4], w, b, 1e-5), [x234, grid([4], 5, 0.5, 1.5), grid([4], 6)]),
        'LayerNormAxis1': case(lambda x, w: F.layer_norm(x, [3, 4], w, None, 1e-3), [x234, grid([3, 4], 7, 0.5, 1.5)]),
        'ReduceMean': case(lambda x: x.mean(dim=[1], keepdim=False), [x234]),
        'ReduceMeanKeep': case(lambda x: x.mean(dim=[0, 2], keepdim=True), [x234]),
        'ReduceMeanAll': case(lambda x: x.mean(), [x234]),
        'ReduceSum': case(lambda x: x.sum(dim=[0, 2], keepdim=False), [x234]),
        'ReduceSumKeep': case(lambda x: x.sum(dim=[-1], keepdim=True), [x234]),
        # Row 0 of the max/min rows below has a tie, which shares the gradient.
        'ReduceMax': case(lambda x: torch.amax(x, dim=[1], keepdim=False), [t([1.0, 0.5, 1.0, -2.0, 0.25, 0.75], [2, 3])]),
        'ReduceMin': case(lambda x: torch.amin(x, dim=[1], keepdim=True), [t([-1.0, 0.5, -1.0, -2.0, 0.25, 0.75], [2, 3])]),
        'Max': case(torch.maximum, [x23, t([0.5, -0.25, 1.75])]),
        'Min': case(torch.minimum, [x23, t([0.5, -0.25, 1.75])]),
        'Sum': case(lambda a, b, c: a + b + c, [x23, t([0.5, -0.25, 1.75]), t([[1.0], [-2.0]])]),
    }
    lines = [f'  {json.dumps(k)}: {json.dumps(v)}' for k, v in cases.items()]
    with open(OUT, 'w') as f:
        f.write(f'{{\n "generator": "tools/make_rule_fixtures_math.py",\n "torch": {json.dumps(torch.__version__)},\n "cases": {{\n')
        f.write(',\n'.join(lines))
        f.write('\n }\n}\n')


if __name__ == '__main__':
    main()
