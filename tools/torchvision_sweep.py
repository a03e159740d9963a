#!/usr/bin/python3
"""Export torchvision's classification models (and small text classifiers) for the crsam sweep.

Run with Debian's Python (torch 1.13, torchvision 0.14, onnx 1.12):

    nice -n 10 /usr/bin/python3 tools/torchvision_sweep.py [--out .cache/sweep] [--opsets 17]
        [--models resnet18,small_swin] [--max-params 30e6] [--batch 4] [--size 0] [--list]

Every model is built with 10 classes and random (seeded) weights, put in train mode with every
Dropout at p=0 and stochastic depth off, and exported by torch.onnx.export(training=TRAINING,
do_constant_folding=False) with a dynamic batch axis 'N'. For one batch of BATCH samples the script
records PyTorch's loss and parameter gradients in float64 (the truth) and PyTorch float32's own
error against it, plus the ReLU-kink statistics of the batch (see KINKS below).

Output: <out>/<model>_op<opset>/ with model.onnx, data.bin and manifest.json:
  manifest = {format: 1, model, opset, inputKind: "image"|"tokens", inputShape, numClasses,
              params: [ONNX initializer names, torch order], opTypes: [...],
              tensors: {key: {dtype: "float32"|"float64"|"int64", dims, offset, length}},
              scalars: {loss64, loss32, torch32GradErr, torch32LossErr, kinkNear, kinkCrossed32,
                        kinkValues, numParams}}
  tensors: input (float32 images or int64 tokens), labels (int64), grad64/<p> (float64).
  torch32GradErr = ||g32 - g64|| / ||g64|| over all parameters together (the same norm the TS
  sweep uses for ours). Status lines go to <out>/export-log.jsonl (one JSON object per model).

KINKS: inputs of every F.relu / F.relu6 / F.hardtanh call are recorded in both precisions.
kinkNear counts float64 pre-activations within 1e-5 * max|x| of a kink (where float32 rounding can
flip the branch); kinkCrossed32 counts those whose branch PyTorch float32 actually flipped.
"""

import argparse
import copy
import json
import os
import sys
import time
import traceback

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from onnx import numpy_helper
from torchvision import models as tvm

BATCH = 4
NUM_CLASSES = 10
SEQ = 12
VOCAB = 50

# Input side per torchvision family: the smallest that every stride and kernel accepts (AlexNet and
# VGG: the exporter needs the feature map to be a multiple of their adaptive pool's 6×6 / 7×7).
IMAGE_SIZE = {"alexnet": 224, "vgg": 224, "squeezenet": 64, "inception_v3": 75, "vit": 32, "swin": 32, "maxvit": 224}


def image_size(name):
    for prefix, s in IMAGE_SIZE.items():
        if name.startswith(prefix):
            return s
    return 32


def torchvision_ctor(name):
    fn = getattr(tvm, name)
    kw = {"num_classes": NUM_CLASSES}
    if name in ("googlenet", "inception_v3"):
        kw.update(aux_logits=False, init_weights=True)
    if name.startswith("vit"):
        kw["image_size"] = 32
    return lambda: fn(**kw)


# ---------------------------------------------------------------- small configurations (CI)

def small_swin():
    from torchvision.models.swin_transformer import SwinTransformer
    return SwinTransformer(patch_size=[4, 4], embed_dim=16, depths=[1, 1], num_heads=[2, 2],
                           window_size=[3, 3], stochastic_depth_prob=0.0, num_classes=NUM_CLASSES)


def small_mobilenet_v3():
    return tvm.mobilenet_v3_small(num_classes=NUM_CLASSES, width_mult=0.25)


def small_shufflenet():
    from torchvision.models.shufflenetv2 import ShuffleNetV2
    return ShuffleNetV2([1, 1, 1], [8, 16, 32, 64, 64], num_classes=NUM_CLASSES)


def small_vit():
    from torchvision.models.vision_transformer import VisionTransformer
    return VisionTransformer(image_size=16, patch_size=4, num_layers=2, num_heads=2, hidden_dim=16,
                             mlp_dim=32, num_classes=NUM_CLASSES)


def small_maxvit():
    from torchvision.models.maxvit import MaxVit
    return MaxVit(input_size=(32, 32), stem_channels=8, partition_size=2, block_channels=[16, 32],
                  block_layers=[1, 1], head_dim=8, stochastic_depth_prob=0.0, num_classes=NUM_CLASSES)


def small_convnext():
    from torchvision.models.convnext import ConvNeXt, CNBlockConfig
    cfg = [CNBlockConfig(8, 16, 1), CNBlockConfig(16, None, 1)]
    return ConvNeXt(cfg, stochastic_depth_prob=0.0, num_classes=NUM_CLASSES)


class TextConv1d(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 16)
        self.conv = nn.Conv1d(16, 24, 3, padding=1)
        self.fc = nn.Linear(24, NUM_CLASSES)

    def forward(self, tokens):
        h = F.relu(self.conv(self.emb(tokens).transpose(1, 2)))
        return self.fc(h.mean(dim=2))


class TextRecurrent(nn.Module):
    def __init__(self, kind, bidirectional=False, layers=1):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 16)
        cell = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
        self.rnn = cell(16, 20, num_layers=layers, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(20 * (2 if bidirectional else 1), NUM_CLASSES)

    def forward(self, tokens):
        out = self.rnn(self.emb(tokens))[0]
        return self.fc(out[:, -1])


class TextTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 16)
        layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.fc = nn.Linear(16, NUM_CLASSES)

    def forward(self, tokens):
        return self.fc(self.enc(self.emb(tokens)).mean(dim=1))


CUSTOM = {
    "small_swin": (small_swin, ("image", 16)),
    "small_mobilenet_v3": (small_mobilenet_v3, ("image", 32)),
    "small_shufflenet": (small_shufflenet, ("image", 32)),
    "small_vit": (small_vit, ("image", 16)),
    "small_maxvit": (small_maxvit, ("image", 32)),
    "small_convnext": (small_convnext, ("image", 16)),
    "text_conv1d": (TextConv1d, ("tokens", SEQ)),
    "text_rnn": (lambda: TextRecurrent("rnn"), ("tokens", SEQ)),
    "text_lstm": (lambda: TextRecurrent("lstm", bidirectional=True), ("tokens", SEQ)),
    "text_gru": (lambda: TextRecurrent("gru", layers=2), ("tokens", SEQ)),
    "text_transformer": (TextTransformer, ("tokens", SEQ)),
}


def approx_params(name):
    """Parameter count of the ImageNet variant from torchvision's weight metadata (0 if none)."""
    try:
        return tvm.get_model_weights(name).DEFAULT.meta["num_params"]
    except (ValueError, KeyError, AttributeError):
        return 0


def all_models():
    out = dict(CUSTOM)
    for name in sorted(tvm.list_models(module=tvm)):
        out[name] = (torchvision_ctor(name), ("image", image_size(name)))
    return out


# ---------------------------------------------------------------- helpers

class Blob:
    """Tensors in one little-endian buffer, 8-byte aligned (float64 kept as float64)."""

    def __init__(self):
        self.parts, self.size, self.index = [], 0, {}

    def add(self, key, t):
        a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        dtype = {"f": {4: "float32", 8: "float64"}[a.dtype.itemsize], "i": "int64"}[a.dtype.kind]
        a = a.astype({"float32": "<f4", "float64": "<f8", "int64": "<i8"}[dtype])
        pad = (-self.size) % 8
        if pad:
            self.parts.append(b"\0" * pad)
            self.size += pad
        raw = np.ascontiguousarray(a).tobytes()
        self.index[key] = {"dtype": dtype, "dims": list(a.shape), "offset": self.size, "length": int(a.size)}
        self.parts.append(raw)
        self.size += len(raw)


def quiet_model(model):
    """Train mode with dropout and stochastic depth off, so one forward is deterministic."""
    model.train()
    for m in model.modules():
        if isinstance(m, nn.modules.dropout._DropoutNd):
            m.p = 0.0
        if type(m).__name__ == "StochasticDepth":
            m.p = 0.0
        if isinstance(m, nn.MultiheadAttention):
            m.dropout = 0.0
    return model


class KinkRecorder:
    """Records the inputs of F.relu / relu6 / hardtanh calls (by call order)."""

    def __init__(self):
        self.calls = []
        self.orig = {}

    def __enter__(self):
        for fname, kinks in (("relu", (0.0,)), ("relu6", (0.0, 6.0)), ("hardtanh", None)):
            orig = getattr(F, fname)
            self.orig[fname] = orig

            def wrapped(x, *a, _orig=orig, _k=kinks, **kw):
                k = _k if _k is not None else (kw.get("min_val", a[0] if a else -1.0), kw.get("max_val", a[1] if len(a) > 1 else 1.0))
                self.calls.append((x.detach().clone(), k))
                return _orig(x, *a, **kw)
            setattr(F, fname, wrapped)
        return self

    def __exit__(self, *exc):
        for fname, orig in self.orig.items():
            setattr(F, fname, orig)


def kink_stats(calls64, calls32):
    near = crossed = total = 0
    for (x64, kinks), (x32, _) in zip(calls64, calls32):
        scale = float(x64.abs().max()) or 1.0
        for k in kinks:
            d64 = x64 - k
            d32 = x32.double() - k
            close = d64.abs() < 1e-5 * scale
            near += int(close.sum())
            crossed += int(((d64 > 0) != (d32 > 0)).sum())
        total += x64.numel()
    return near, crossed, total


def run_once(model, x, y):
    model.zero_grad(set_to_none=True)
    with KinkRecorder() as rec:
        loss = F.cross_entropy(model(x), y)
    params = [p for p in model.parameters()]
    grads = torch.autograd.grad(loss, params, allow_unused=True)
    grads = [torch.zeros_like(p) if g is None else g for p, g in zip(params, grads)]
    return loss.item(), grads, rec.calls


def map_names(model, om):
    """ONNX initializer name of every torch parameter (torch may rename; match by contents)."""
    inits = {i.name: i for i in om.graph.initializer}
    state = dict(model.named_parameters())
    out, taken = {}, set()
    for n, p in state.items():
        if n in inits:
            out[n] = n
            taken.add(n)
    for n, p in state.items():
        if n in out:
            continue
        want = p.detach().numpy()
        cands = [k for k, i in inits.items() if k not in taken and tuple(i.dims) == want.shape
                 and np.array_equal(numpy_helper.to_array(i), want)]
        if len(cands) != 1:
            raise RuntimeError(f"no unique ONNX initializer for parameter {n} ({len(cands)} candidates)")
        out[n] = cands[0]
        taken.add(cands[0])
    return out


def build(name, ctor, spec, opset, out_root, max_params):
    kind, side = spec
    approx = approx_params(name)
    if approx > max_params:  # decided before building: the largest models take GBs to construct
        return {"status": "skipped", "reason": f"about {approx:.0f} parameters (ImageNet head) > --max-params"}
    torch.manual_seed(0)
    model = quiet_model(ctor())
    nparams = sum(p.numel() for p in model.parameters())
    if nparams > max_params:
        return {"status": "skipped", "reason": f"{nparams} parameters > --max-params"}
    gen = torch.Generator().manual_seed(1)
    if kind == "image":
        x = torch.randn((BATCH, 3, side, side), generator=gen)
    else:
        x = torch.randint(0, VOCAB, (BATCH, side), generator=gen)
    y = torch.randint(0, NUM_CLASSES, (BATCH,), generator=gen)
    out = os.path.join(out_root, f"{name}_op{opset}")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "model.onnx")
    t0 = time.time()
    torch.onnx.export(copy.deepcopy(model), x[:2], path, training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False, opset_version=opset, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    export_s = time.time() - t0
    om = onnx.load(path)
    names = map_names(model, om)

    m64 = copy.deepcopy(model).double()
    x64 = x.double() if kind == "image" else x
    loss64, g64, calls64 = run_once(m64, x64, y)
    loss32, g32, calls32 = run_once(copy.deepcopy(model), x, y)
    num = sum(float(((a.double() - b) ** 2).sum()) for a, b in zip(g32, g64))
    den = sum(float((b ** 2).sum()) for b in g64)
    near, crossed, total = kink_stats(calls64, calls32)

    blob = Blob()
    blob.add("input", x)
    blob.add("labels", y)
    for (n, _), g in zip(model.named_parameters(), g64):
        blob.add(f"grad64/{names[n]}", g)
    with open(os.path.join(out, "data.bin"), "wb") as f:
        f.write(b"".join(blob.parts))
    manifest = {
        "format": 1, "model": name, "opset": opset, "inputKind": kind, "inputShape": list(x.shape),
        "numClasses": NUM_CLASSES, "params": [names[n] for n, _ in model.named_parameters()],
        "opTypes": sorted({n.op_type for n in om.graph.node}), "tensors": blob.index,
        "scalars": {"loss64": loss64, "loss32": loss32,
                    "torch32GradErr": (num / den) ** 0.5 if den > 0 else num ** 0.5,
                    "torch32LossErr": abs(loss32 - loss64) / abs(loss64),
                    "kinkNear": near, "kinkCrossed32": crossed, "kinkValues": total, "numParams": nparams},
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    return {"status": "exported", "dir": out, "export_s": round(export_s, 2), "params": nparams,
            "input": list(x.shape)}


def main():
    global BATCH
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=".cache/sweep")
    ap.add_argument("--opsets", default="17")
    ap.add_argument("--models", default="")
    ap.add_argument("--max-params", type=float, default=30e6)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--batch", type=int, default=BATCH, help="samples in the gradient batch")
    ap.add_argument("--size", type=int, default=0, help="image side for every image model (0: per family)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    BATCH = args.batch
    models = all_models()
    if args.size:
        models = {n: (c, (k, args.size if k == "image" else side)) for n, (c, (k, side)) in models.items()}
    if args.list:
        for n, (_, spec) in models.items():
            print(n, spec)
        return
    chosen = [m for m in args.models.split(",") if m] or list(models)
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "export-log.jsonl"), "a")
    for opset in [int(o) for o in args.opsets.split(",")]:
        for name in chosen:
            ctor, spec = models[name]
            try:
                rec = build(name, ctor, spec, opset, args.out, args.max_params)
            except Exception as e:  # record and go on: the sweep reports every model
                rec = {"status": "export-failed", "reason": f"{type(e).__name__}: {str(e).splitlines()[0][:300]}"}
                traceback.print_exc(limit=1)
            rec.update(model=name, opset=opset)
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()


if __name__ == "__main__":
    main()
