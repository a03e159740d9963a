#!/usr/bin/python3
"""BatchNorm precision fixture: a CIFAR ResNet-20 in training mode, PyTorch float64 as the truth.

Run with Debian's Python (torch 1.13, onnx 1.12):

    /usr/bin/python3 tools/make_bn_fixtures.py [--out test/fixtures/torch/resnet20-bn]

Deterministic and re-runnable (a few seconds). Read by test/autodiff/bn-precision.test.ts.

The network: CIFAR ResNet-20 (16-32-64 channels, 3 basic blocks per stage, 1x1 conv + BatchNorm
shortcuts where the shape changes: 21 BatchNorms, 19 ReLUs), PyTorch default init (seeded), train
mode, exported with TrainingMode.TRAINING, do_constant_folding=False, opset 17, input 'input'
[N,3,32,32] (dynamic N), output 'logits'. One batch of 8 (randn inputs, labels in [0,10)).

PyTorch runs the batch twice, in float32 and on a float64 copy of the same weights. Stored:
  model.onnx      the export (its initializers are the initial weights)
  data.bin        little-endian tensors, 8-byte aligned (format of tools/make_torch_fixtures.py,
                  plus dtypes float64 and int32)
  manifest.json   {"format": 1, "model", "inputShape", "opset", "params", "tensors", "scalars",
                   "bn":   [{"module", "output" (ONNX value name), "numel", "torchMaxErr" (PyTorch
                             float32's max abs error over the whole output), "torchSampleMaxErr"
                             (the same over the stored sample), "key"}],
                   "relu": [{"input" (ONNX value name of the pre-activation), "numel",
                             "torchFlips" (pre-activations whose sign PyTorch float32 gets wrong),
                             "torchMaxErr", "key"}],
                   "grads": {param: {"torchRelErr" (||g32-g64||/||g64||), "torchMaxErr"}},
                   "tau": TAU}
Tensor keys:
  input, labels                          the batch
  bn/<k>/idx (int32), bn/<k>/truth (float64)     SAMPLE random positions of BN output k and the
                                         float64 values there (the whole outputs would be 12 MB)
  relu/<k>/idx (int32), relu/<k>/truth (float64) every pre-activation with |float64 value| < TAU:
                                         the only ones whose sign an error below TAU can flip
  grad64/<param>                         d mean-CE / d param in float64, stored rounded to float32
                                         (relative 6e-8, far below the errors compared)
Scalars: loss64, loss32.
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

OPSET = 17
BATCH = 8
SAMPLE = 2048
TAU = 1e-3
SEED = 20


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.relu2 = nn.ReLU()

    def forward(self, x):
        out = self.relu1(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu2(out + self.shortcut(x))


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU()
        layers, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            blocks = []
            for i in range(3):
                blocks.append(Block(cin, cout, stride if i == 0 else 1))
                cin = cout
            layers.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = layers
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class Blob:
    def __init__(self):
        self.parts, self.size, self.index = [], 0, {}

    def add(self, key, a, dtype):
        a = np.ascontiguousarray(a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else a)
        a = a.astype({"float32": "<f4", "float64": "<f8", "int32": "<i4", "int64": "<i8"}[dtype])
        pad = (-self.size) % 8
        if pad:
            self.parts.append(b"\0" * pad)
            self.size += pad
        self.index[key] = {"dtype": dtype, "dims": list(a.shape), "offset": self.size, "length": int(a.size)}
        raw = a.tobytes()
        self.parts.append(raw)
        self.size += len(raw)


def run(model, x, y):
    """Forward with hooks; returns loss, grads, BN outputs and ReLU inputs in call order."""
    bn_out, relu_in = [], []
    hooks = []
    for name, mod in model.named_modules():
        if isinstance(mod, nn.BatchNorm2d):
            hooks.append(mod.register_forward_hook(lambda m, i, o, n=name: bn_out.append((n, o.detach()))))
        elif isinstance(mod, nn.ReLU):
            hooks.append(mod.register_forward_hook(lambda m, i, o, n=name: relu_in.append((n, i[0].detach()))))
    loss = F.cross_entropy(model(x), y)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    for h in hooks:
        h.remove()
    return loss.item(), grads, bn_out, relu_in


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "..", "test", "fixtures", "torch", "resnet20-bn"))
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    model = ResNet20().train()
    model64 = copy.deepcopy(model).double()
    out = os.path.normpath(args.out)
    os.makedirs(out, exist_ok=True)
    onnx_path = os.path.join(out, "model.onnx")
    torch.onnx.export(copy.deepcopy(model), torch.randn(2, 3, 32, 32), onnx_path, training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False, opset_version=OPSET, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    g = onnx.load(onnx_path).graph
    inits = {i.name for i in g.initializer}
    params = [n for n, _ in model.named_parameters()]
    missing = [p for p in params if p not in inits]
    if missing:
        raise RuntimeError(f"parameters renamed by the export: {missing}")
    bn_nodes = [n for n in g.node if n.op_type == "BatchNormalization"]
    relu_nodes = [n for n in g.node if n.op_type == "Relu"]

    gen = torch.Generator().manual_seed(SEED + 1)
    x = torch.randn(BATCH, 3, 32, 32, generator=gen)
    y = torch.randint(0, 10, (BATCH,), generator=gen)
    loss32, g32, bn32, relu32 = run(model, x, y)
    loss64, g64, bn64, relu64 = run(model64, x.double(), y)
    assert len(bn32) == len(bn_nodes) == 21 and len(relu32) == len(relu_nodes) == 19

    blob = Blob()
    blob.add("input", x, "float32")
    blob.add("labels", y, "int64")
    rng = np.random.default_rng(SEED)
    bn_info, relu_info, grad_info = [], [], {}
    for k, ((name, o32), (_, o64), node) in enumerate(zip(bn32, bn64, bn_nodes)):
        if node.input[1] != f"{name}.weight":
            raise RuntimeError(f"BN node order differs from call order at {name}: {node.input[1]}")
        a32, a64 = o32.double().flatten().numpy(), o64.flatten().numpy()
        idx = np.sort(rng.choice(a64.size, SAMPLE, replace=False)).astype(np.int32)
        blob.add(f"bn/{k}/idx", idx, "int32")
        blob.add(f"bn/{k}/truth", a64[idx], "float64")
        bn_info.append({"module": name, "output": node.output[0], "numel": int(a64.size),
                        "torchMaxErr": float(np.abs(a32 - a64).max()),
                        "torchSampleMaxErr": float(np.abs(a32[idx] - a64[idx]).max()), "key": f"bn/{k}"})
    for k, ((name, i32), (_, i64), node) in enumerate(zip(relu32, relu64, relu_nodes)):
        a32, a64 = i32.double().flatten().numpy(), i64.flatten().numpy()
        near = np.nonzero(np.abs(a64) < TAU)[0].astype(np.int32)
        blob.add(f"relu/{k}/idx", near, "int32")
        blob.add(f"relu/{k}/truth", a64[near], "float64")
        flips = int(np.sum((a32 > 0) != (a64 > 0)))
        relu_info.append({"module": name, "input": node.input[0], "numel": int(a64.size), "torchFlips": flips,
                          "torchMaxErr": float(np.abs(a32 - a64).max()), "key": f"relu/{k}"})
    for name, a, b in zip(params, g32, g64):
        a, b = a.double(), b
        blob.add(f"grad64/{name}", b, "float32")
        grad_info[name] = {"torchRelErr": float((a - b).norm() / b.norm()), "torchMaxErr": float((a - b).abs().max())}

    with open(os.path.join(out, "data.bin"), "wb") as f:
        f.write(b"".join(blob.parts))
    manifest = {"format": 1, "model": "resnet20-bn", "inputShape": [BATCH, 3, 32, 32], "opset": OPSET,
                "params": params, "buffers": [], "tau": TAU, "bn": bn_info, "relu": relu_info, "grads": grad_info,
                "config": {}, "tensors": blob.index, "scalars": {"loss64": loss64, "loss32": loss32}}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    sizes = {n: os.path.getsize(os.path.join(out, n)) for n in ("model.onnx", "data.bin", "manifest.json")}
    print(f"loss64 {loss64:.9f} loss32 {loss32:.9f}; sizes {sizes}, total {sum(sizes.values())} bytes")
    print("BN torch f32 max err: " + " ".join(f"{b['torchMaxErr']:.1e}" for b in bn_info))
    print("ReLU flips (torch f32): " + str([r["torchFlips"] for r in relu_info]) + ", near-zero counts: "
          + str([blob.index[r["key"] + "/idx"]["length"] for r in relu_info]))
    print("grad rel err (torch f32) max: " + f"{max(v['torchRelErr'] for v in grad_info.values()):.2e}")


if __name__ == "__main__":
    sys.exit(main())
