#!/usr/bin/python3
"""PyTorch reference fixtures for the recurrent (RNN/GRU/LSTM) and Einsum models.

Run with Debian's Python (torch 1.13, onnx 1.12):

    /usr/bin/python3 tools/make_rnn_fixtures.py

Writes test/fixtures/torch/rnn/<model>-o<opset>/ in the format of tools/make_torch_fixtures.py
(model.onnx, manifest.json, data.bin; read by test/torch-fixture.ts), with these tensors:

  grad/input [8, 6] (token ids as floats: the model casts them, since crsam feeds float32 inputs)
  grad/labels [8]                      int64 in [0, 3)
  truth/<p>                            float64: d mean-CE / d p from the model in float64
  scalars: loss (float64), err32/loss and err32/<p>: PyTorch float32's own relative error
           against float64 (||g32 - g64|| / max(||g64||, gradFloor)), the yardstick for ours;
           gradFloor is 1e-4 of the whole float64 gradient's norm.

and for the models in TRAJECTORY also the 3-step CR-SAM trajectory of tools/make_torch_fixtures.py
(same config, reference form) in float64:
  batches/<i>/input, batches/<i>/labels, crsam/final/<p> (float64), scalars crsam/losses,
  crsam/losses32 (PyTorch float32's losses) and crsam/err32/<p> (PyTorch float32's trajectory
  against float64).

Models (embedding 12 x 5, hidden 4, 3 classes, sequence 6; logits from the time-mean of Y and the
last layer's final states, so Y, Y_h and Y_c all carry gradients), each exported with
torch.onnx.export(training=TrainingMode.TRAINING, do_constant_folding=False) at opsets 13, 15, 17
with a dynamic batch 'N' and a fixed sequence length. 'einsum' is a small two-head attention
classifier written with torch.einsum (ellipsis and MaxViT-style equations); 'maxvit' is torchvision's
MaxVit at 32x32 (8/16 channels, one block per stage, dropout and stochastic depth off), batch 4,
opsets 13 and 17.
Deterministic; re-runnable; a few seconds. CI has no Python: the outputs are committed.
"""
import copy
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_torch_fixtures import CFG, Blob, loss_and_grads, run_method  # noqa: E402

VOCAB, EMB, HID, SEQ, CLASSES, BATCH = 12, 5, 4, 6, 3, 8
OPSETS = (13, 15, 17)
TRAJECTORY = {"lstm-o17", "einsum-o17", "gru2-o17", "rnn-tanh-bi2-o17"}


class TextRNN(nn.Module):
    def __init__(self, kind, layers, bidirectional, batch_first, nonlinearity="tanh"):
        super().__init__()
        self.kind, self.batch_first = kind, batch_first
        self.emb = nn.Embedding(VOCAB, EMB)
        extra = {"nonlinearity": nonlinearity} if kind == "RNN" else {}
        self.rnn = getattr(nn, kind)(EMB, HID, num_layers=layers, bidirectional=bidirectional,
                                     batch_first=batch_first, **extra)
        dirs = 2 if bidirectional else 1
        self.fc = nn.Linear(HID * dirs + HID * (2 if kind == "LSTM" else 1), CLASSES)

    def forward(self, x):
        e = self.emb(x.long())                      # [N, SEQ, EMB]
        if not self.batch_first:
            e = e.transpose(0, 1)
        y, state = self.rnn(e)
        feats = [y.mean(dim=1 if self.batch_first else 0)]
        if self.kind == "LSTM":
            feats += [state[0][-1], state[1][-1]]
        else:
            feats.append(state[-1])
        return self.fc(torch.cat(feats, dim=1))


class EinsumAttention(nn.Module):
    """Two heads over 5 tokens of 4 features; scores with an ellipsis, values MaxViT-style."""

    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(4, 3 * 8)
        self.proj = nn.Parameter(torch.randn(2, 4, 4) * 0.3)   # per-head output projection
        self.fc = nn.Linear(4, CLASSES)

    def forward(self, x):
        n = x.shape[0]
        q, k, v = self.qkv(x).reshape(n, 5, 3, 1, 2, 4).permute(2, 0, 3, 4, 1, 5)  # [N, G=1, H=2, 5, 4] each
        s = torch.einsum("...id,...jd->...ij", q, k) * 0.5
        o = torch.einsum("bghij,bghjd->bghid", s.softmax(-1), v)
        o = torch.einsum("bghid,hde->bie", o, self.proj)          # sum over groups and heads
        return self.fc(o.mean(dim=1))


def small_maxvit():
    """torchvision 0.14's MaxVit at 32x32: its attention is exported as 'B G H I D, B G H J D -> B G H I J' Einsums."""
    from torchvision.models.maxvit import MaxVit
    m = MaxVit(input_size=(32, 32), stem_channels=8, partition_size=2, block_channels=[8, 16], block_layers=[1, 1],
               head_dim=4, stochastic_depth_prob=0.0, num_classes=CLASSES)
    for mod in m.modules():
        if isinstance(mod, nn.Dropout):
            mod.p = 0.0
    return m


MODELS = {
    "lstm": lambda: TextRNN("LSTM", 1, False, True),
    "lstm-bi2": lambda: TextRNN("LSTM", 2, True, False),
    "gru2": lambda: TextRNN("GRU", 2, False, True),
    "gru-bi": lambda: TextRNN("GRU", 1, True, False),
    "rnn-tanh-bi2": lambda: TextRNN("RNN", 2, True, True),
    "rnn-relu": lambda: TextRNN("RNN", 1, False, False, "relu"),
    "einsum": EinsumAttention,
    "maxvit": small_maxvit,
}
# Opsets per model where not OPSETS (the MaxVit fixture is the largest; two opsets keep it small).
MODEL_OPSETS = {"maxvit": (13, 17)}


class Blob64(Blob):
    """Blob that keeps float64 tensors as float64 (the truth), everything else as the base does."""

    def add64(self, key, t):
        a = t.detach().cpu().numpy().astype("<f8")
        pad = (-self.size) % 8
        if pad:
            self.parts.append(b"\0" * pad)
            self.size += pad
        raw = np.ascontiguousarray(a).tobytes()
        self.index[key] = {"dtype": "float64", "dims": list(a.shape), "offset": self.size, "length": int(a.size)}
        self.parts.append(raw)
        self.size += len(raw)


def rel(a, b, floor=0.0):
    """||a - b|| / max(||b||, floor): floor (1e-4 of the whole gradient's norm) keeps gradients that
    vanish in exact arithmetic (a conv bias before BatchNorm) from turning rounding into 'errors'."""
    a, b = torch.cat([t.double().flatten() for t in a]), torch.cat([t.double().flatten() for t in b])
    return (torch.linalg.norm(a - b) / max(torch.linalg.norm(b).item(), floor)).item()


def batch(name, gen):
    if name == "maxvit":
        x = torch.randn(4, 3, 32, 32, generator=gen)
    elif name == "einsum":
        x = torch.randn(BATCH, 5, 4, generator=gen)
    else:
        x = torch.randint(0, VOCAB, (BATCH, SEQ), generator=gen).float()
    return x, torch.randint(0, CLASSES, (x.shape[0],), generator=gen, dtype=torch.int64)


def build(name, opset, root, seed):
    torch.manual_seed(seed)
    model = MODELS[name]()
    model.train()
    key = f"{name}-o{opset}"
    out = os.path.join(root, key)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "model.onnx")
    gen = torch.Generator().manual_seed(seed + 1)
    gx, gy = batch(name, gen)
    torch.onnx.export(copy.deepcopy(model), gx[:2], path, training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False, opset_version=opset, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    om = onnx.load(path)
    onnx.checker.check_model(om)
    inits = {i.name for i in om.graph.initializer}
    names = [n for n, _ in model.named_parameters()]
    missing = [n for n in names if n not in inits]
    if missing:
        raise RuntimeError(f"{key}: parameters renamed by the export: {missing}")

    m64 = copy.deepcopy(model).double()
    p32, p64 = list(model.parameters()), list(m64.parameters())
    blob = Blob64()
    blob.add("grad/input", gx)
    blob.add("grad/labels", gy)
    l32, g32, _ = loss_and_grads(model, p32, gx, gy)
    l64, g64, _ = loss_and_grads(m64, p64, gx.double(), gy)
    scalars = {"loss": l64, "err32/loss": abs(l32 - l64) / abs(l64)}
    floor = 1e-4 * torch.linalg.norm(torch.cat([g.flatten() for g in g64])).item()
    scalars["gradFloor"] = floor
    for n, a, b in zip(names, g32, g64):
        blob.add64("truth/" + n, b)
        scalars["err32/" + n] = rel([a], [b], floor)
    if key in TRAJECTORY:
        batches = [batch(name, gen) for _ in range(3)]
        for i, (x, y) in enumerate(batches):
            blob.add(f"batches/{i}/input", x)
            blob.add(f"batches/{i}/labels", y)
        s64 = run_method("crsam", m64, p64, [(x.double(), y) for x, y in batches])
        s32 = run_method("crsam", model, p32, batches)
        scalars["crsam/losses"] = s64["losses"]
        scalars["crsam/losses32"] = s32["losses"]
        for n, a, b in zip(names, p32, p64):
            blob.add64(f"crsam/final/{n}", b)
            scalars[f"crsam/err32/{n}"] = rel([a], [b])
    with open(os.path.join(out, "data.bin"), "wb") as f:
        f.write(blob.bytes())
    manifest = {
        "format": 1, "model": name, "opset": opset, "inputShape": list(gx.shape), "numClasses": CLASSES,
        "params": names, "buffers": [], "config": CFG, "tensors": blob.index, "scalars": scalars,
        "opTypes": sorted({n.op_type for n in om.graph.node}),
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    worst = max(v for k, v in scalars.items() if k.startswith("err32/"))
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print(f"{key}: {len(names)} params, loss {l64:.6f}, worst float32 error {worst:.2e}, {size} bytes")
    return size


def main():
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    root = os.path.normpath(os.path.join(HERE, "..", "test", "fixtures", "torch", "rnn"))
    total = 0
    for i, name in enumerate(MODELS):
        for opset in MODEL_OPSETS.get(name, OPSETS):
            total += build(name, opset, root, 1000 + 10 * i)
    print(f"total {total} bytes")


if __name__ == "__main__":
    sys.exit(main())
