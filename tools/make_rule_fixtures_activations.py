#!/usr/bin/python3
"""Writes test/fixtures/rules/activations.json: input gradients of the activations, selections,
reductions and Resize modes that test/autodiff/rules-activations.test.ts and rules-reduce.test.ts
check exactly, computed by PyTorch autograd in float64 on fixed small inputs and a fixed dY.

Run with Debian's interpreter, which has torch 1.13:  /usr/bin/python3 tools/make_rule_fixtures_activations.py
Same conventions as tools/make_rule_fixtures_math.py (whose helpers it reuses): inputs on a 1/16
grid, differentiable inputs in the ONNX node's input order, constant inputs in the tests. The
"Kink" cases put inputs exactly on the kinks (HardSwish at ±3, Elu at 0, ...), where finite
differences are meaningless and PyTorch's convention is the truth. The output is committed.
"""
import json
import os

import torch
import torch.nn.functional as F

from make_rule_fixtures_math import case, grid, t

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'rules', 'activations.json')


def activations(x23, kinks):
    slope = t([0.25, -0.5, 1.5])
    x3222 = grid([2, 3, 2, 2], 4) + 1 / 32  # off the grid's 0, the kink
    return {
        'HardSigmoid': case(F.hardsigmoid, [grid([2, 3], 1, -4, 4)]),
        'HardSigmoidKink': case(F.hardsigmoid, [kinks]),
        'HardSwish': case(F.hardswish, [grid([2, 3], 1, -4, 4)]),
        'HardSwishKink': case(F.hardswish, [kinks]),
        'Selu': case(F.selu, [x23]),
        'SeluKink': case(F.selu, [t([0.0, -0.0, 1.0, -1.0, 0.0, 2.0], [2, 3])]),
        'Elu': case(lambda x: F.elu(x, 0.5), [x23]),
        'EluKink': case(lambda x: F.elu(x, 0.5), [t([0.0, -0.0, 1.0, -1.0, 0.0, 2.0], [2, 3])]),
        'Celu': case(lambda x: F.celu(x, 2.0), [x23]),
        'Mish': case(F.mish, [x23]),
        'Softplus': case(F.softplus, [x23]),
        'Softsign': case(F.softsign, [x23]),
        # ONNX PRelu's slope [3, 1, 1] against torch's per-channel weight [3]: the same numbers.
        'PRelu': case(F.prelu, [x3222, slope]),
        'PReluKink': case(F.prelu, [t([0.0, -1.0, 1.0, 0.0, -0.0, 2.0] * 4, [2, 3, 2, 2]), slope]),
        'ThresholdedRelu': case(lambda x: F.threshold(x, 0.25, 0.0), [x23]),
        'ThresholdedReluKink': case(lambda x: F.threshold(x, 0.25, 0.0), [t([0.25, 0.0, 1.0, 0.25, -1.0, 0.5], [2, 3])]),
        'Sin': case(torch.sin, [grid([2, 3], 2, -3, 3)]),
        'Cos': case(torch.cos, [grid([2, 3], 2, -3, 3)]),
    }


def reductions(x234):
    with_zero = t([1.5, 0.0, -0.75, 2.0, 0.5, -1.25], [2, 3])
    prod_zeros = t([1.5, 0.0, -0.75, 0.0, 0.0, -1.25, 0.5, 2.0, -1.0], [3, 3])  # rows: one zero, two zeros, none
    l2_zero = t([0.0, 0.0, 0.0, 1.0, -2.0, 0.5], [2, 3])
    return {
        'ReduceL1': case(lambda x: x.abs().sum(dim=[1], keepdim=False), [with_zero]),
        'ReduceL1Keep': case(lambda x: x.abs().sum(dim=[0, 2], keepdim=True), [x234]),
        'ReduceL2': case(lambda x: torch.linalg.vector_norm(x, dim=[1], keepdim=False), [x234]),
        'ReduceL2ZeroRow': case(lambda x: torch.linalg.vector_norm(x, dim=[1], keepdim=True), [l2_zero]),
        'ReduceSumSquare': case(lambda x: (x * x).sum(dim=[0, 2], keepdim=False), [x234]),
        'ReduceLogSumExp': case(lambda x: torch.logsumexp(x, dim=[1], keepdim=False), [x234]),
        'ReduceLogSumExpKeep': case(lambda x: torch.logsumexp(x, dim=[-1], keepdim=True), [x234 * 40]),
        'ReduceProd': case(lambda x: x.prod(2).prod(0), [grid([2, 3, 4], 3, 0.5, 1.5)]),
        'ReduceProdZeros': case(lambda x: x.prod(1, keepdim=True), [prod_zeros]),
        'CumSum': case(lambda x: torch.cumsum(x, 1), [x234]),
        'CumSumExclusive': case(lambda x: torch.cumsum(x, 2) - x, [x234]),
        'CumSumReverse': case(lambda x: x.flip(0).cumsum(0).flip(0), [x234]),
        'CumSumReverseExclusive': case(lambda x: x.flip(2).cumsum(2).flip(2) - x, [x234]),
        'TopK': case(lambda x: torch.topk(x, 2, dim=1, largest=True, sorted=True).values, [x234]),
        'TopKSmallest': case(lambda x: torch.topk(x, 3, dim=-1, largest=False, sorted=True).values, [x234]),
        'Mean3': case(lambda a, b, c: (a + b + c) / 3, [x234, grid([4], 5), grid([3, 1], 6)]),
        # Ties between two of three inputs (torch.maximum shares a tie evenly, and so do we).
        'Max3': case(lambda a, b, c: torch.maximum(torch.maximum(a, b), c),
                     [t([1.0, 0.5, -1.0, 2.0, 0.25, 0.0], [2, 3]), t([1.0, 0.75, -2.0]), t([[0.5], [0.25]])]),
        'Min3': case(lambda a, b, c: torch.minimum(torch.minimum(a, b), c),
                     [t([1.0, 0.5, -1.0, 2.0, 0.25, 0.0], [2, 3]), t([1.0, 0.75, -2.0]), t([[0.5], [0.25]])]),
    }


def resizes():
    x = grid([2, 3, 4, 5], 8)
    return {
        'ResizeNearest2x': case(lambda v: F.interpolate(v, scale_factor=2, mode='nearest'), [x]),
        'ResizeBilinear2x': case(lambda v: F.interpolate(v, scale_factor=2, mode='bilinear', align_corners=False), [x]),
        'ResizeBilinear1_5x': case(lambda v: F.interpolate(v, scale_factor=1.5, mode='bilinear', align_corners=False), [x]),
        'ResizeBilinearAlignSize': case(lambda v: F.interpolate(v, size=(5, 7), mode='bilinear', align_corners=True), [x]),
        'ResizeNearestSize': case(lambda v: F.interpolate(v, size=(5, 7), mode='nearest'), [x]),
        'ResizeBilinearDown': case(lambda v: F.interpolate(v, size=(3, 2), mode='bilinear', align_corners=False), [x]),
        'ResizeLinear1d': case(lambda v: F.interpolate(v, scale_factor=2, mode='linear', align_corners=False), [grid([2, 3, 5], 9)]),
    }


def main():
    x23 = t([-1.5, -0.25, 0.375, 1.0, -0.75, 2.0], [2, 3])
    kinks = t([-3.0, 3.0, -4.0, 4.0, 0.0, 2.5], [2, 3])
    x234 = grid([2, 3, 4], 3)
    cases = {**activations(x23, kinks), **reductions(x234), **resizes()}
    lines = [f'  {json.dumps(k)}: {json.dumps(v)}' for k, v in cases.items()]
    with open(OUT, 'w') as f:
        f.write(f'{{\n "generator": "tools/make_rule_fixtures_activations.py",\n "torch": {json.dumps(torch.__version__)},\n "cases": {{\n')
        f.write(',\n'.join(lines))
        f.write('\n }\n}\n')


if __name__ == '__main__':
    main()
