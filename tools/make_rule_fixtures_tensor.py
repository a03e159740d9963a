#!/usr/bin/python3
"""Exact-case fixtures for test/autodiff/rules-tensor.test.ts: input gradients by PyTorch autograd.

Run with Debian's Python (torch 1.13):

    /usr/bin/python3 tools/make_rule_fixtures_tensor.py [--out test/fixtures/rules/tensor.json]

For each case: fixed small float64 inputs, a fixed output cotangent dY, and d<Y, dY>/d input for every
float input, all flattened row-major. Deterministic; CI has no Python, so the output is committed.

Output format: {"format": 1, "cases": {"<name>": {"inputs": [[...], ...], "dY": [...], "grads": [[...], ...]}}}
The test file holds the ONNX op, attributes and shapes of each case under the same name.
"""
import argparse
import json

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
END = 2 ** 62  # as the tests write it (a JS number must stay exact)


def onnx_slice(x, starts, ends, axes, steps):
    """ONNX Slice semantics through index_select (Python's slice.indices clamps exactly as ONNX does)."""
    for s, e, a, st in zip(starts, ends, axes, steps):
        idx = list(range(*slice(s, e, st).indices(x.shape[a])))
        x = x.index_select(a, torch.tensor(idx, dtype=torch.long))
    return x


def torch_pads(onnx_pads):
    """ONNX [b0, b1, ..., e0, e1, ...] → F.pad's (b_last, e_last, b_prev, e_prev, ...)."""
    r = len(onnx_pads) // 2
    out = []
    for a in reversed(range(r)):
        out += [onnx_pads[a], onnx_pads[a + r]]
    while len(out) > 2 and out[-2:] == [0, 0]:  # unpadded leading axes (reflect/replicate pad at most 3 axes)
        out = out[:-2]
    return tuple(out)


def gather(x, idx, axis):
    i = torch.tensor(idx, dtype=torch.long)
    i = torch.where(i < 0, i + x.shape[axis], i)
    return x.index_select(axis, i.reshape(-1)).reshape(x.shape[:axis] + i.shape + x.shape[axis + 1:])


def distinct(shape, rng):
    """Distinct values (MaxPool: no ties, so finite differences are well defined)."""
    n = int(np.prod(shape))
    return (rng.permutation(n) / n * 2 - 1 + rng.uniform(-0.2, 0.2, n) / n).reshape(shape)


# name → (input shapes, function of the input tensors, distinct inputs?)
CASES = {
    'transpose': ([[2, 3, 4]], lambda x: x.permute(2, 0, 1), False),
    'concat': ([[2, 3], [2, 1], [2, 4]], lambda a, b, c: torch.cat([a, b, c], 1), False),
    'slice_unit': ([[4, 6]], lambda x: onnx_slice(x, [1, -4], [3, END], [0, 1], [1, 1]), False),
    'slice_neg_step': ([[3, 8]], lambda x: onnx_slice(x, [6], [0], [1], [-3]), False),
    'slice_step2': ([[3, 7, 2]], lambda x: onnx_slice(x, [1, 0], [7, -1], [1, 0], [2, 1]), False),
    'gather_scalar': ([[2, 3, 4]], lambda x: x[:, 1], False),
    'gather_embedding': ([[5, 3]], lambda x: gather(x, [[0, 4, 4], [1, 0, 2]], 0), False),
    'gather_axis1': ([[2, 4, 3]], lambda x: gather(x, [3, 0, -1], 1), False),
    'gather_elements': ([[3, 4]], lambda x: torch.gather(x, 0, torch.tensor([[0, 2, 2, 1], [0, 0, 1, 2], [2, 0, 1, 1]])), False),
    'squeeze': ([[2, 1, 3, 1]], lambda x: x.squeeze(3).squeeze(1), False),
    'unsqueeze': ([[2, 3]], lambda x: x.unsqueeze(0).unsqueeze(-1), False),
    'expand': ([[3, 1]], lambda x: x.expand(2, 3, 4), False),
    'pad_constant': ([[2, 3, 4]], lambda x: F.pad(x, torch_pads([0, 1, -1, 0, 2, 2])), False),
    'pad_reflect': ([[1, 2, 4, 5]], lambda x: F.pad(x, torch_pads([0, 0, 1, 2, 0, 0, 3, 1]), mode='reflect'), False),
    'pad_edge': ([[1, 2, 4, 5]], lambda x: F.pad(x, torch_pads([0, 0, 1, 2, 0, 0, 3, 1]), mode='replicate'), False),
    'split': ([[2, 6]], lambda x: torch.split(x, [1, 2, 3], 1)[0], False),
    'tile': ([[2, 3]], lambda x: x.repeat(2, 3), False),
    'max_pool_overlap': ([[2, 2, 5, 5]], lambda x: F.max_pool2d(x, 3, 2, 1), True),
    'max_pool_ceil_dilated': ([[1, 2, 6, 6]], lambda x: F.max_pool2d(x, 2, 2, 0, dilation=2, ceil_mode=True), True),
    'avg_pool_exclude_pad': ([[2, 2, 5, 5]], lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), False),
    'avg_pool_include_pad': ([[2, 2, 5, 5]], lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=True), False),
    'avg_pool_ceil': ([[1, 2, 6, 6]], lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), False),
    'avg_pool_ceil_include_pad': ([[1, 2, 6, 6]], lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=True), False),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--out', default='test/fixtures/rules/tensor.json')
    out = p.parse_args().out
    cases = {}
    for k, (name, (shapes, fn, unique)) in enumerate(CASES.items()):
        rng = np.random.RandomState(1000 + k)
        xs = [torch.tensor(distinct(s, rng) if unique else rng.uniform(-1, 1, s), requires_grad=True) for s in shapes]
        y = fn(*xs)
        dy = torch.tensor(rng.uniform(-1, 1, tuple(y.shape)))
        grads = torch.autograd.grad(y, xs, dy)
        flat = lambda t: [float(v) for v in t.detach().reshape(-1)]
        cases[name] = {'inputs': [flat(x) for x in xs], 'dY': flat(dy), 'grads': [flat(g) for g in grads]}
    with open(out, 'w') as f:
        json.dump({'format': 1, 'cases': cases}, f, indent=None, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {len(cases)} cases to {out}')


if __name__ == '__main__':
    main()
