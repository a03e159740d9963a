#!/usr/bin/python3
"""Exact Hessians (PyTorch, float64) of small models, as fixtures for the curvature estimators'
accuracy tests (Lanczos eigenvalues, Hutchinson / Hutch++ trace, spectral density).

Run with Debian's Python (torch 1.13, onnx 1.12):

    /usr/bin/python3 tools/make_exact_hessian_fixtures.py [--out test/fixtures/geometry/exact] [--models tanh-init,...]

Deterministic, re-runnable: a few minutes on 2 free cores (the first three models take seconds; the
trained one's 1,024-sample Hessian most of it; over 30 minutes on the shared machine). CI has no Python: the outputs are committed.

Models (cross-entropy, mean over the batch; BatchNorm in inference mode, on running statistics):
  tanh-init   Linear 64→32, tanh, Linear 32→10 (2,410 parameters), random init, batch 32: the
              indefinite spectrum (|λ_min| ≈ λ_max) on which power iteration fails.
  relu-init   the same with ReLU (torch's double backward, like crsam's exact HVP, leaves the
              kinks' delta terms out).
  cnn-bn      Conv 3→6 (3×3, pad 1, no bias), BatchNorm2d(6) with non-trivial running statistics,
              ReLU, MaxPool 2, Linear 96→10 (1,144 parameters); 3×8×8 inputs, batch 16.
  tanh-trained the tanh MLP trained by full-batch Adam (float64, lr 3e-3, 1,000 steps) on 1,024
              samples whose labels come from a random linear teacher (10 % flipped); the Hessian
              is over those 1,024 samples, near a minimum (PSD-dominated, decaying spectrum).

Output per model in --out: <name>.onnx (forward graph, torch.onnx.export TRAINING mode, opset 14,
input 'input', output 'logits'; BatchNorm running-stat initializers rewritten to the values used
here), <name>.bin (the batch inputs, float32 little-endian, row-major) and <name>.json:
  {"name", "inputDims", "labels": [...], "buffers": {name: [...]}, "parameters",
   "loss", "gradNorm", "trace", "frobeniusSq" (‖H‖²_F), "lambdaMax", "lambdaMin",
   "eigenvalues": all eigenvalues ascending (float64 rounded to 9 significant digits)}
The inputs are rounded to float32 before the float64 Hessian is computed, so both sides see the
same data.
"""

import argparse
import copy
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_STEPS = 1000
NAMES = ["tanh-init", "relu-init", "cnn-bn", "tanh-trained"]


class MLP(nn.Module):
    def __init__(self, act):
        super().__init__()
        self.fc1 = nn.Linear(64, 32)
        self.fc2 = nn.Linear(32, 10)
        self.act = act

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(6)
        self.fc = nn.Linear(96, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        return self.fc(torch.flatten(x, 1))


def make(name, gen):
    if name in ("tanh-init", "tanh-trained"):
        model, shape, n = MLP(torch.tanh), (64,), 32
    elif name == "relu-init":
        model, shape, n = MLP(F.relu), (64,), 32
    else:
        model, shape, n = CNN(), (3, 8, 8), 16
    if name == "tanh-trained":
        n = 1024  # too many to memorize with 10 % flipped labels: a real minimum, not interpolation
    x = torch.randn((n,) + shape, generator=gen).float()
    if name == "tanh-trained":
        teacher = torch.randn(64, 10, generator=gen)
        y = (x @ teacher).argmax(1)
        flip = torch.rand(n, generator=gen) < 0.1
        y[flip] = torch.randint(0, 10, (int(flip.sum()),), generator=gen)
    else:
        y = torch.randint(0, 10, (n,), generator=gen)
    if name == "cnn-bn":
        model.bn.running_mean.copy_(0.1 * torch.randn(6, generator=gen))
        model.bn.running_var.copy_(0.5 + torch.rand(6, generator=gen))
        with torch.no_grad():
            model.bn.weight.copy_(1 + 0.2 * torch.randn(6, generator=gen))
            model.bn.bias.copy_(0.1 * torch.randn(6, generator=gen))
    return model, x, y


def train(model, x, y):
    m = model.double()
    opt = torch.optim.Adam(m.parameters(), lr=3e-3)
    for _ in range(TRAIN_STEPS):
        opt.zero_grad()
        F.cross_entropy(m(x.double()), y).backward()
        opt.step()
    # Round to float32: the exported model holds float32 weights; the Hessian is taken there.
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(p.float().double())
    return m.float()


def export(model, x, path):
    m = copy.deepcopy(model).train()  # the TRAINING-mode trace moves running stats: rewritten below
    torch.onnx.export(m, x[:2], path, training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False,
                      opset_version=14, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    proto = onnx.load(path)
    state = model.state_dict()
    for init in proto.graph.initializer:
        if init.name in state:
            init.CopyFrom(numpy_helper.from_array(state[init.name].float().numpy(), init.name))
    onnx.save(proto, path)


def exact_hessian(model, x, y):
    m = copy.deepcopy(model).double().eval()
    params = list(m.parameters())
    sizes = [p.numel() for p in params]
    loss = F.cross_entropy(m(x.double()), y)
    g = torch.cat([t.reshape(-1) for t in torch.autograd.grad(loss, params, create_graph=True)])
    n = g.numel()
    rows = []
    eye = torch.eye(n, dtype=torch.float64)
    for start in range(0, n, 256):
        block = eye[start:start + 256]
        hv = torch.autograd.grad(g, params, grad_outputs=block, retain_graph=True, is_grads_batched=True)
        rows.append(torch.cat([t.reshape(t.shape[0], -1) for t in hv], 1))
    h = torch.cat(rows, 0)
    assert sum(sizes) == n
    return loss.item(), g.norm().item(), h


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "..", "test", "fixtures", "geometry", "exact"))
    ap.add_argument("--models", default=",".join(NAMES))
    args = ap.parse_args()
    torch.set_num_threads(2)
    os.makedirs(args.out, exist_ok=True)
    for i, name in enumerate(NAMES):
        if name not in args.models.split(","):
            continue
        torch.manual_seed(7000 + i)  # module init
        gen = torch.Generator().manual_seed(7100 + i)
        model, x, y = make(name, gen)
        if name == "tanh-trained":
            model = train(model, x, y)
        model.eval()
        export(model, x, os.path.join(args.out, f"{name}.onnx"))
        loss, gnorm, h = exact_hessian(model, x, y)
        asym = (h - h.T).abs().max().item()
        h = 0.5 * (h + h.T)
        ev = torch.linalg.eigvalsh(h)
        x.numpy().astype("<f4").tofile(os.path.join(args.out, f"{name}.bin"))
        doc = {
            "name": name, "inputDims": list(x.shape), "labels": y.tolist(),
            "buffers": {k: v.tolist() for k, v in model.state_dict().items() if "running" in k},
            "parameters": int(h.shape[0]), "loss": loss, "gradNorm": gnorm,
            "trace": torch.trace(h).item(), "frobeniusSq": (h ** 2).sum().item(),
            "lambdaMax": ev[-1].item(), "lambdaMin": ev[0].item(),
            "eigenvalues": [float(f"{e:.9g}") for e in ev.tolist()],
        }
        with open(os.path.join(args.out, f"{name}.json"), "w") as f:
            json.dump(doc, f)
            f.write("\n")
        print(f"{name}: {doc['parameters']} params, loss {loss:.5f}, |g| {gnorm:.5f}, trace {doc['trace']:.4f}, "
              f"|H|_F^2 {doc['frobeniusSq']:.2f}, lambda {doc['lambdaMin']:.4f} .. {doc['lambdaMax']:.4f}, asym {asym:.1e}")


if __name__ == "__main__":
    sys.exit(main())
