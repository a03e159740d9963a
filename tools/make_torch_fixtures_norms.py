#!/usr/bin/python3
"""Writes test/fixtures/torch/norms/: a tiny CNN of the normalization family (InstanceNorm2d,
GroupNorm, BatchNorm2d in training mode, LayerNorm over [C, H, W]), exported by torch 1.13 with
TrainingMode.TRAINING and do_constant_folding=False at opset 17, with 3 steps of SGD, SAM and
CR-SAM from PyTorch, for test/train/optimizer-parity-norms.test.ts.

torch 1.13 exports InstanceNorm2d as InstanceNormalization and LayerNorm as LayerNormalization;
GroupNorm it exports as its decomposition (Reshape to [N, groups, -1], InstanceNormalization with
unit scale, Reshape back, per-channel Mul and Add), as the GroupNormalization op only exists from
opset 18. BatchNorm2d is the training-mode BatchNormalization with running statistics.

Besides the float32 trajectories it stores the same 3 steps run by PyTorch in float64
("<m>/final64/<p>", "<m>/losses64"; stored as float32, which rounds them by < 6e-8 relative), the
truth against which the test sets our error beside PyTorch float32's own.

Run with Debian's interpreter, which has torch 1.13:  /usr/bin/python3 tools/make_torch_fixtures_norms.py
The fixture format, the optimizer math and the export are tools/make_torch_fixtures.py's (this
script only adds the model and runs that script's build at opset 17); the float64 rerun is
make_torch_fixtures_activations.py's. The output is committed.
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

import make_torch_fixtures as fixtures


SEED = 11


class Norms(nn.Module):
    """8×8 images: conv, InstanceNorm, conv stride 2, GroupNorm, BatchNorm, LayerNorm, linear."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1)
        self.inorm = nn.InstanceNorm2d(8, affine=True)
        self.conv2 = nn.Conv2d(8, 8, 3, 2, 1)
        self.gnorm = nn.GroupNorm(4, 8)
        self.bn = nn.BatchNorm2d(8)
        self.lnorm = nn.LayerNorm([8, 4, 4])
        self.fc = nn.Linear(8 * 16, fixtures.NUM_CLASSES)
        with torch.no_grad():   # affine parameters away from their 1/0 initial values
            for m in (self.inorm, self.gnorm, self.bn, self.lnorm):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)

    def forward(self, x):
        x = F.relu(self.inorm(self.conv1(x)))        # [N, 8, 8, 8]
        x = torch.tanh(self.gnorm(self.conv2(x)))    # [N, 8, 4, 4]
        x = F.relu(self.bn(x))
        x = self.lnorm(x)
        return self.fc(torch.flatten(x, 1))


def main():
    fixtures.build_op_family('norms', Norms, SEED)


if __name__ == '__main__':
    sys.exit(main())
