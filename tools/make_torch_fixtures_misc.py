#!/usr/bin/python3
"""Writes test/fixtures/torch/misc/: a tiny CNN made of the remaining op families of issue 13 as
torch 1.13 exports them (nearest and bilinear Resize from F.interpolate, Sin, Cos, Max and Min
from torch.maximum / torch.minimum, CumSum, TopK, ReduceL2 from torch.norm(p=2, dim=...),
ReduceLogSumExp, ReduceProd), exported with TrainingMode.TRAINING and do_constant_folding=False
at opset 17, with 3 steps of SGD, SAM and CR-SAM from PyTorch in float32 and in float64, for
test/train/optimizer-parity-misc.test.ts.

torch 1.13 has no symbolic that emits the ONNX Mean op: a mean of three tensors
(torch.stack([a, b, c]).mean(0)) is exported as Unsqueeze + Concat + ReduceMean, so Mean itself
cannot be covered through a PyTorch export (its rule is checked op by op instead).
TopK feeds the head with its values only: PyTorch's gradient flows through the values.
ReduceProd multiplies factors in [0.9, 1.1] (1 + 0.1 tanh), so the product is well conditioned.
Max and Min compare sin of the nearest upsampling with cos of the bilinear one, so ties (whose
gradient split is a convention) do not occur.

Run with Debian's interpreter, which has torch 1.13:  /usr/bin/python3 tools/make_torch_fixtures_misc.py
The fixture format, the optimizer math and the export are tools/make_torch_fixtures.py's; the
float64 rerun is make_torch_fixtures_norms.py's. The output is committed.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

import make_torch_fixtures as fixtures


SEED = 13


class Misc(nn.Module):
    """8×8 images: stride-2 conv, both upsamplings, sin/cos, max/min, a mean of three, conv, then
    features from cumsum, top-k values, L2 norm, log-sum-exp and a product into one linear."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, 2, 1)
        self.conv2 = nn.Conv2d(4, 4, 3, 2, 1)
        self.fc = nn.Linear(4 * 16 + 4 * 3 + 4 + 4 + 4, fixtures.NUM_CLASSES)

    def forward(self, x):
        h = self.conv1(x)                                                             # [N, 4, 4, 4]
        s = torch.sin(F.interpolate(h, scale_factor=2, mode='nearest'))               # [N, 4, 8, 8]
        c = torch.cos(F.interpolate(h, scale_factor=2, mode='bilinear', align_corners=False))
        hi, lo = torch.maximum(s, c), torch.minimum(s, c)
        m = torch.stack([hi, 0.5 * lo, s * c]).mean(0)   # not hi + lo = s + c, which would hide a swap of their gradients
        h = self.conv2(m)                                                             # [N, 4, 4, 4]
        cum = torch.cumsum(h, dim=3).flatten(1)                                       # [N, 64]
        top = torch.topk(h.flatten(2), 3, dim=2).values.flatten(1)                    # [N, 12]
        l2 = torch.norm(h.flatten(2), p=2, dim=2)   # aten::norm: ReduceL2 (p="fro" would be Mul, ReduceSum, Sqrt)
        lse = torch.logsumexp(h.flatten(2), dim=2)                                    # [N, 4]
        prod = torch.prod(1 + 0.1 * torch.tanh(h.flatten(2)), dim=2)                  # [N, 4]
        return self.fc(torch.cat([cum, top, l2, lse, prod], dim=1))


def main():
    out = fixtures.build_op_family('misc', Misc, SEED)
    with open(os.path.join(out, 'manifest.json')) as f:
        ops = json.load(f)['opTypes']
    want = {'Resize', 'Sin', 'Cos', 'Max', 'Min', 'CumSum', 'TopK', 'ReduceL2', 'ReduceLogSumExp', 'ReduceProd'}
    if want - set(ops):
        raise RuntimeError(f'misc: the export lacks {sorted(want - set(ops))}')


if __name__ == '__main__':
    sys.exit(main())
