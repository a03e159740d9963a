#!/usr/bin/python3
"""Fixtures for the interop tests (today's exporters, eval-mode exports, fixed-batch exports).

Run with Debian's Python (torch 1.13, onnx 1.12):   /usr/bin/python3 tools/make_interop_fixtures.py

Writes test/fixtures/interop/:
  opset18.onnx, opset21.onnx  hand-built (onnx.helper; torch 1.13 cannot emit these forms, and
      onnx 1.12's checker stops at opset 17, so it is not run) with the opset 18+ forms:
      ReduceMean/ReduceSum/ReduceMax with axes as an input, Split with num_outputs, Pad with axes,
      and a model-local function (domain 'local', op Act: LeakyRelu(X + B) with alpha taken from
      the caller by ref_attr_name). Input 'input' [N, 4, 6]; output 'logits' [N, 10].
  forms.json  the batch, PyTorch's float64 loss and gradients of the same computation (the truth)
      and PyTorch float32's own gradient error.
  eval_export.onnx   a Conv-BatchNorm-ReLU classifier exported in eval mode (BatchNorm folded,
      weights renamed onnx::Conv_*), opset 13.
  fixed_batch.onnx   the same classifier exported in train mode with a fixed batch of 8.
  gap_symbolic.onnx  tanh(x*w+b) -> GlobalAveragePool -> Flatten -> Gemm with input [N, 1, H, W] (symbolic
      spatial dims, so the pooling gradient cannot use a constant 1/(H*W)); gap.json: its float64
      truth at a 4x1x5x7 batch and float32's own error.
  functions.onnx     a two-block MLP (Linear, GELU, LayerNorm, residual) exported by torch 1.13 with
      export_modules_as_functions={Block} at opset 15: each block is a model-local function;
      functions.json: its float64 truth and float32's own error.
"""

import copy
import json
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "interop")
N = 4
ALPHA = 0.2


def forms_math(x, W, V, bias):
    """The computation of opset18.onnx, in PyTorch."""
    h = x @ W                                   # [N, 4, 6]
    a, b = torch.split(h, 3, dim=2)             # Split num_outputs=2
    pa = F.pad(a.transpose(1, 2), (1, 1)).transpose(1, 2)   # Pad axes=[1], pads=[1, 1] -> [N, 6, 3]
    m = pa.mean(dim=1, keepdim=True)            # ReduceMean axes input, keepdims 1 -> [N, 1, 3]
    s = (b * b).sum(dim=1)                      # ReduceSum axes input, keepdims 0 -> [N, 3]
    mx = h.amax(dim=1)                          # ReduceMax axes input, keepdims 0 -> [N, 6]
    z = torch.cat([m.squeeze(1) + s, mx], dim=1) @ V   # [N, 10]
    return F.leaky_relu(z + bias, ALPHA)        # the local function Act


def forms_model(opset):
    I = lambda name, vals: numpy_helper.from_array(np.array(vals, dtype=np.int64), name)
    nodes = [
        helper.make_node("MatMul", ["input", "W"], ["h"], name="mm"),
        helper.make_node("Split", ["h"], ["a", "b"], name="split", axis=2, num_outputs=2),
        helper.make_node("Pad", ["a", "pads", "", "pad_axes"], ["pa"], name="pad"),
        helper.make_node("ReduceMean", ["pa", "axes1"], ["m"], name="mean", keepdims=1),
        helper.make_node("Mul", ["b", "b"], ["bb"], name="sq"),
        helper.make_node("ReduceSum", ["bb", "axes1"], ["s"], name="sum", keepdims=0),
        helper.make_node("ReduceMax", ["h", "axes1"], ["mx"], name="max", keepdims=0),
        helper.make_node("Squeeze", ["m", "axes1"], ["m2"], name="squeeze"),
        helper.make_node("Add", ["m2", "s"], ["ms"], name="add"),
        helper.make_node("Concat", ["ms", "mx"], ["c"], name="concat", axis=1),
        helper.make_node("MatMul", ["c", "V"], ["z"], name="mm2"),
        helper.make_node("Act", ["z", "bias"], ["logits"], name="act", domain="local", alpha=ALPHA),
    ]
    leaky = helper.make_node("LeakyRelu", ["t"], ["Y"], name="leaky")
    leaky.attribute.append(onnx.AttributeProto(name="alpha", ref_attr_name="alpha", type=onnx.AttributeProto.FLOAT))
    fn = helper.make_function("local", "Act", ["X", "B"], ["Y"],
                              [helper.make_node("Add", ["X", "B"], ["t"], name="add"), leaky],
                              [helper.make_opsetid("", opset)], attributes=["alpha"])
    torch.manual_seed(3)
    W, V, bias = torch.randn(6, 6) * 0.5, torch.randn(9, 10) * 0.3, torch.randn(10) * 0.1
    inits = [numpy_helper.from_array(W.numpy(), "W"), numpy_helper.from_array(V.numpy(), "V"),
             numpy_helper.from_array(bias.numpy(), "bias"), I("pads", [1, 1]), I("pad_axes", [1]), I("axes1", [1])]
    graph = helper.make_graph(nodes, "opset18_forms",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 4, 6])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset), helper.make_opsetid("local", 1)],
                              functions=[fn], ir_version=8, producer_name="make_interop_fixtures")
    return model, (W, V, bias)


def forms_truth(params):
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(N, 4, 6, generator=gen)
    y = torch.randint(0, 10, (N,), generator=gen)
    out = {}
    for dt in (torch.float64, torch.float32):
        ps = [p.to(dt).clone().requires_grad_(True) for p in params]
        loss = F.cross_entropy(forms_math(x.to(dt), *ps), y)
        out[dt] = (loss.item(), [g.detach().double() for g in torch.autograd.grad(loss, ps)])
    (l64, g64), (l32, g32) = out[torch.float64], out[torch.float32]
    num = sum(float(((a - b) ** 2).sum()) for a, b in zip(g32, g64))
    den = sum(float((b ** 2).sum()) for b in g64)
    return {"input": x.flatten().tolist(), "inputShape": list(x.shape), "labels": y.tolist(),
            "loss64": l64, "loss32": l32, "torch32GradErr": (num / den) ** 0.5,
            "grad64": {n: g.flatten().tolist() for n, g in zip(["W", "V", "bias"], g64)}}


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 10)

    def forward(self, x):
        return self.fc(F.relu(self.bn(self.conv(x))).mean(dim=(2, 3)))


class Gap(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(1, 3, 1, 1))
        self.b = nn.Parameter(torch.randn(1, 3, 1, 1))
        self.fc = nn.Linear(3, 10)

    def forward(self, x):   # no Conv: its rule needs known spatial sizes, the pooling's must not
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(torch.tanh(x * self.w + self.b), 1), 1))


def gap_fixture():
    torch.manual_seed(6)
    m = Gap()
    x = torch.randn(N, 1, 5, 7, generator=torch.Generator().manual_seed(7))
    y = torch.tensor([1, 4, 7, 9])
    torch.onnx.export(m, x, os.path.join(OUT, "gap_symbolic.onnx"), opset_version=13, input_names=["input"],
                      output_names=["logits"], training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False,
                      dynamic_axes={"input": {0: "N", 2: "H", 3: "W"}, "logits": {0: "N"}})
    out = {}
    for dt in (torch.float64, torch.float32):
        mm = Gap()
        mm.load_state_dict(m.state_dict())
        mm = mm.to(dt)
        loss = F.cross_entropy(mm(x.to(dt)), y)
        names = [n for n, _ in mm.named_parameters()]
        out[dt] = (loss.item(), dict(zip(names, [g.double() for g in torch.autograd.grad(loss, list(mm.parameters()))])))
    g64, g32 = out[torch.float64][1], out[torch.float32][1]
    num = sum(float(((g32[k] - g64[k]) ** 2).sum()) for k in g64)
    den = sum(float((g64[k] ** 2).sum()) for k in g64)
    with open(os.path.join(OUT, "gap.json"), "w") as f:
        json.dump({"input": x.flatten().tolist(), "inputShape": list(x.shape), "labels": y.tolist(),
                   "loss64": out[torch.float64][0], "torch32GradErr": (num / den) ** 0.5,
                   "grad64": {k: v.flatten().tolist() for k, v in g64.items()}}, f)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)
        self.ln = nn.LayerNorm(6)

    def forward(self, x):
        return self.ln(F.gelu(self.fc(x))) + x


class TwoBlocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.b1, self.b2, self.head = Block(), Block(), nn.Linear(6, 10)

    def forward(self, x):
        return self.head(self.b2(self.b1(x)))


def truth_of(m, x, y):
    out = {}
    for dt in (torch.float64, torch.float32):
        mm = copy.deepcopy(m).to(dt)
        loss = F.cross_entropy(mm(x.to(dt)), y)
        names = [n for n, _ in mm.named_parameters()]
        out[dt] = (loss.item(), dict(zip(names, [g.double() for g in torch.autograd.grad(loss, list(mm.parameters()))])))
    g64, g32 = out[torch.float64][1], out[torch.float32][1]
    num = sum(float(((g32[k] - g64[k]) ** 2).sum()) for k in g64)
    den = sum(float((g64[k] ** 2).sum()) for k in g64)
    return {"input": x.flatten().tolist(), "inputShape": list(x.shape), "labels": y.tolist(),
            "loss64": out[torch.float64][0], "torch32GradErr": (num / den) ** 0.5,
            "grad64": {k: v.flatten().tolist() for k, v in g64.items()}}


def functions_fixture():
    torch.manual_seed(8)
    m = TwoBlocks()
    x = torch.randn(N, 6, generator=torch.Generator().manual_seed(9))
    y = torch.tensor([0, 3, 5, 8])
    torch.onnx.export(copy.deepcopy(m), x, os.path.join(OUT, "functions.onnx"), opset_version=15, input_names=["input"],
                      output_names=["logits"], training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False,
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, export_modules_as_functions={Block})
    with open(os.path.join(OUT, "functions.json"), "w") as f:
        json.dump(truth_of(m, x, y), f)


def main():
    os.makedirs(OUT, exist_ok=True)
    for opset in (18, 21):
        model, params = forms_model(opset)
        onnx.save(model, os.path.join(OUT, f"opset{opset}.onnx"))
    with open(os.path.join(OUT, "forms.json"), "w") as f:
        json.dump(forms_truth(params), f)
    torch.manual_seed(5)
    m = Tiny()
    x = torch.randn(8, 1, 8, 8)
    m.eval()
    torch.onnx.export(m, x, os.path.join(OUT, "eval_export.onnx"), opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    m.train()
    torch.onnx.export(m, x, os.path.join(OUT, "fixed_batch.onnx"), opset_version=13, input_names=["input"],
                      output_names=["logits"], training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False)
    gap_fixture()
    functions_fixture()
    names = [i.name for i in onnx.load(os.path.join(OUT, "eval_export.onnx")).graph.initializer]
    print("eval export initializers:", names)


if __name__ == "__main__":
    main()
