#!/usr/bin/python3
"""Writes test/fixtures/rules/norm.json: input gradients of InstanceNormalization and
GroupNormalization (opset 18 per-group and opset 21 per-channel scale/bias) that
test/autodiff/rules-norm.test.ts checks exactly, computed by PyTorch autograd in float64 on fixed
small inputs and a fixed upstream gradient dY (same format as tools/make_rule_fixtures_math.py).

Run with Debian's interpreter, which has torch 1.13:  /usr/bin/python3 tools/make_rule_fixtures_norm.py
Each case lists its differentiable inputs in the ONNX node's input order (X, scale, bias).
"""
import json
import os

import torch
import torch.nn.functional as F

from make_rule_fixtures_math import case, grid

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'rules', 'norm.json')


def group_norm_per_group(x, scale, bias, groups, eps):
    """ONNX GroupNormalization-18: normalize over each group, then scale and bias per group."""
    n = x.shape[0]
    xg = F.group_norm(x, groups, eps=eps).reshape(n, groups, -1)
    return (xg * scale.reshape(1, groups, 1) + bias.reshape(1, groups, 1)).reshape(x.shape)


def main():
    cases = {
        'InstanceNorm1d': case(lambda x, s, b: F.instance_norm(x, weight=s, bias=b, eps=1e-5),
                               [grid([2, 3, 5], 1), grid([3], 2, 0.5, 1.5), grid([3], 3)]),
        'InstanceNorm2d': case(lambda x, s, b: F.instance_norm(x, weight=s, bias=b, eps=1e-3),
                               [grid([2, 2, 3, 3], 4), grid([2], 5, 0.5, 1.5), grid([2], 6)]),
        'GroupNorm21': case(lambda x, s, b: F.group_norm(x, 2, s, b, eps=1e-5),
                            [grid([2, 4, 3, 2], 7), grid([4], 8, 0.5, 1.5), grid([4], 9)]),
        'GroupNorm18': case(lambda x, s, b: group_norm_per_group(x, s, b, 2, 1e-5),
                            [grid([2, 4, 3, 2], 7), grid([2], 10, 0.5, 1.5), grid([2], 11)]),
        'GroupNorm21Rank3': case(lambda x, s, b: F.group_norm(x, 3, s, b, eps=1e-5),
                                 [grid([2, 6, 4], 12), grid([6], 13, 0.5, 1.5), grid([6], 14)]),
    }
    lines = [f'  {json.dumps(k)}: {json.dumps(v)}' for k, v in cases.items()]
    with open(OUT, 'w') as f:
        f.write(f'{{\n "generator": "tools/make_rule_fixtures_norm.py",\n "torch": {json.dumps(torch.__version__)},\n "cases": {{\n')
        f.write(',\n'.join(lines))
        f.write('\n }\n}\n')
    print(f'wrote {len(cases)} cases to {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
