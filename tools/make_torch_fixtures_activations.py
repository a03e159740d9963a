#!/usr/bin/python3
"""Writes test/fixtures/torch/acts/: a tiny CNN made of the activations and resamplings that
tools/make_rule_fixtures_activations.py checks op by op (HardSwish, HardSigmoid, PReLU, Softplus,
ELU, SELU, CELU, Mish, Softsign, bilinear and nearest Resize), exported by torch 1.13 with
TrainingMode.TRAINING and do_constant_folding=False at opset 17, with 3 steps of SGD, SAM and
CR-SAM from PyTorch, for test/train/optimizer-parity-activations.test.ts.

Besides that script's float32 trajectories it stores the same 3 steps run by PyTorch in float64
("<m>/final64/<p>", "<m>/losses64"; stored as float32, which rounds them by < 6e-8 relative), the
truth against which the test sets our error beside PyTorch float32's own.

Run with Debian's interpreter, which has torch 1.13:  /usr/bin/python3 tools/make_torch_fixtures_activations.py
The fixture format, the optimizer math and the export are tools/make_torch_fixtures.py's (this
script only adds the model and runs that script's build at opset 17). The output is committed.
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

import make_torch_fixtures as fixtures


SEED = 7


class Acts(nn.Module):
    """8×8 images: stride-2 conv, bilinear ×2 back up, conv, nearest resize to 6×6, two linears."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 2, 1)
        self.conv2 = nn.Conv2d(8, 8, 3, 1, 1)
        self.prelu = nn.PReLU(8, init=0.2)
        self.fc1 = nn.Linear(8 * 9, 32)
        self.fc2 = nn.Linear(32, fixtures.NUM_CLASSES)

    def forward(self, x):
        x = F.hardswish(self.conv1(x))                                             # [N, 8, 4, 4]
        x = F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)  # [N, 8, 8, 8]
        x = self.prelu(self.conv2(x))
        x = F.softplus(x) + F.elu(x, 0.5) + F.mish(x) - F.selu(x) + F.celu(x, 2.0)
        x = F.interpolate(x, size=(6, 6), mode='nearest')
        x = F.max_pool2d(x, 2) * F.hardsigmoid(x[:, :, ::2, ::2])                  # [N, 8, 3, 3]
        x = F.softsign(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


def main():
    fixtures.build_op_family('acts', Acts, SEED)


if __name__ == '__main__':
    sys.exit(main())
