#!/usr/bin/python3
"""PyTorch references for crsam's geometry tools (Hessian-vector products, Hutchinson trace,
power iteration), written as fixtures for the TypeScript tests.

Run with Debian's Python (torch 1.13, onnx 1.12):

    /usr/bin/python3 tools/geometry_reference.py [--out test/fixtures/geometry] [--models mlp,resnet]

Deterministic and re-runnable (about 4 minutes on 2 cores: float64 double backward). CI has no
Python: the outputs are committed.

What it does, per model of test/fixtures/torch/ (mlp, resnet):
  * builds the PyTorch module of tools/make_torch_fixtures.py and loads its weights from that
    fixture's model.onnx (the initializers are the initial weights, named as torch names them);
  * for models with BatchNorm, draws non-trivial running statistics (mean ~ 0.1*N(0,1),
    var ~ U(0.5, 1.5)) and writes them into the fixture: with the exported zero means, bias-free
    convolutions of all-zero ReLU patches sit exactly on a ReLU kink, where the loss is not twice
    differentiable;
  * puts the module in eval mode (BatchNorm on running statistics, as PyHessian does) and computes
    everything in float64, over three batches of that fixture's data.bin: grad/input (8 images),
    batches/0/input (8) and the first 5 images of batches/1 -- averaged with sample weights, as
    PyHessian's dataloader_hv_product does;
  * Hv by double backward (torch.autograd.grad of the gradient with grad_outputs=v) for v = the
    first power-iteration start vector;
  * PyHessian's trace() (Rademacher probes, stop when the running mean moves < tol relative) and
    eigenvalues() (power iteration with deflation) loops, verbatim, with the probes and start
    vectors drawn here and stored, so the TypeScript side replays exactly the same vectors.

Output: test/fixtures/geometry/<model>.json and <model>.bin.
  <model>.bin    tensors back to back, little-endian, each at an 8-byte aligned offset:
                 float32 ('f32') or bytes ('u8').
  <model>.json   {
                   "model", "params" (names, flat-vector order = torch named_parameters order),
                   "sizes" (element count per param), "buffers" (BatchNorm running-stat names),
                   "batches": [{"key": data.bin key of the inputs, "labels": key, "count": n}],
                   "trace": {"maxIter", "tol", "probes" (how many were used), "vhv": [...], "trace"},
                   "eigen": {"topK", "maxIter", "tol", "eigenvalues": [...], "iterations": [...]},
                   "loss", "gradNormMean", "gradNormFull", "gradNormsPerBatch": [...],
                   "tensors": {key: {"dtype", "offset", "length"}}
                 }
  tensor keys:   "buffers/<name>" running statistics (float32)
                 "start/<k>" power-iteration start vector k over the flat vector (float32), and
                 "hv" H·start/0 (float32; start/0 is v as stored, before normalization)
                 "probes" the Rademacher probes actually used, packed 8 per byte, bit order
                 little, probe after probe, each padded to whole bytes; bit 1 = +1, bit 0 = -1.
"""

import argparse
import importlib.util
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
TRACE_MAX_ITER = 30      # PyHessian's default is 100; 30 keeps the committed probes small
TRACE_TOL = 1e-3
EIGEN_MAX_ITER = 100
EIGEN_TOL = 1e-3
TOP_K = {"mlp": 1, "resnet": 2}


def load_fixture_module():
    spec = importlib.util.spec_from_file_location("make_torch_fixtures", os.path.join(HERE, "make_torch_fixtures.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Blob:
    def __init__(self):
        self.parts, self.size, self.index = [], 0, {}

    def add(self, key, a, dtype):
        raw = np.ascontiguousarray(a.astype("<f4" if dtype == "f32" else np.uint8)).tobytes()
        pad = (-self.size) % 8
        self.parts.append(b"\0" * pad)
        self.size += pad
        self.index[key] = {"dtype": dtype, "offset": self.size, "length": int(a.size)}
        self.parts.append(raw)
        self.size += len(raw)

    def bytes(self):
        return b"".join(self.parts)


# -- PyHessian's helpers, verbatim in behaviour (pyhessian/utils.py) ------------------------------

def group_product(xs, ys):
    return sum(torch.sum(x * y) for x, y in zip(xs, ys))


def normalization(v):
    s = group_product(v, v) ** 0.5
    s = s.cpu().item()
    return [vi / (s + 1e-6) for vi in v]


def orthnormal(w, v_list):
    for v in v_list:
        a = group_product(w, v)
        w = [wi - a * vi for wi, vi in zip(w, v)]
    return normalization(w)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "..", "test", "fixtures", "geometry"))
    ap.add_argument("--models", default="mlp,resnet")
    args = ap.parse_args()
    torch.set_num_threads(2)
    fx = load_fixture_module()
    os.makedirs(args.out, exist_ok=True)
    for i, name in enumerate(args.models.split(",")):
        build(fx, name, os.path.normpath(args.out), 1000 + i)


def build(fx, name, out, seed):
    root = os.path.join(HERE, "..", "test", "fixtures", "torch", name)
    manifest = json.load(open(os.path.join(root, "manifest.json")))
    blob_in = open(os.path.join(root, "data.bin"), "rb").read()

    def tensor(key, dtype):
        t = manifest["tensors"][key]
        return np.frombuffer(blob_in, dtype=dtype, count=t["length"], offset=t["offset"]).reshape(t["dims"]).copy()

    cls, _ = fx.MODELS[name]
    model = cls()
    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(os.path.join(root, "model.onnx")).graph.initializer}
    state = model.state_dict()
    for k in state:
        if k in inits:
            state[k] = torch.tensor(inits[k])
    gen = torch.Generator().manual_seed(seed)
    buffers = {}
    for k in manifest["buffers"]:
        n = state[k].numel()
        buffers[k] = (0.1 * torch.randn(n, generator=gen) if k.endswith("running_mean")
                      else 0.5 + torch.rand(n, generator=gen)).float()
        state[k] = buffers[k]
    model.load_state_dict(state)
    model = model.double().eval()
    params = [p for _, p in model.named_parameters()]
    names = [n for n, _ in model.named_parameters()]
    assert names == manifest["params"], "parameter order differs from the torch fixture"

    batch_spec = [("grad/input", "grad/labels", 8), ("batches/0/input", "batches/0/labels", 8), ("batches/1/input", "batches/1/labels", 5)]
    data = [(torch.tensor(tensor(x, "<f4")[:n]).double(), torch.tensor(tensor(y, "<i8")[:n])) for x, y, n in batch_spec]
    total = float(sum(n for _, _, n in batch_spec))

    def grads(x, y, create_graph):
        loss = F.cross_entropy(model(x), y)
        return loss, torch.autograd.grad(loss, params, create_graph=create_graph)

    def hv_product(v):  # PyHessian's dataloader_hv_product
        acc = [torch.zeros_like(p) for p in params]
        for x, y in data:
            _, g = grads(x, y, True)
            hv = torch.autograd.grad(g, params, grad_outputs=v)
            acc = [a + h * float(x.shape[0]) for a, h in zip(acc, hv)]
        acc = [a / total for a in acc]
        return group_product(acc, v).item(), acc

    loss, norms, full = 0.0, [], [torch.zeros_like(p) for p in params]
    for x, y in data:
        l, g = grads(x, y, False)
        loss += l.item() * x.shape[0] / total
        norms.append(torch.sqrt(sum((t ** 2).sum() for t in g)).item())
        full = [f + t * x.shape[0] / total for f, t in zip(full, g)]
    full_norm = torch.sqrt(sum((t ** 2).sum() for t in full)).item()

    blob = Blob()
    for k, v in buffers.items():
        blob.add("buffers/" + k, v.numpy(), "f32")

    # Start vectors stored as float32; the run uses exactly those values.
    top_k = TOP_K[name]
    starts = [[torch.randn(p.shape, generator=gen).float().double() for p in params] for _ in range(top_k)]
    for k, s in enumerate(starts):
        blob.add(f"start/{k}", torch.cat([t.reshape(-1) for t in s]).numpy(), "f32")
    _, hv = hv_product(starts[0])
    blob.add("hv", torch.cat([t.reshape(-1) for t in hv]).numpy(), "f32")

    # PyHessian trace() with stored probes.
    probes, vhv, trace = [], [], 0.0
    for _ in range(TRACE_MAX_ITER):
        v = [torch.randint(0, 2, p.shape, generator=gen).double() * 2 - 1 for p in params]
        probes.append(np.packbits((torch.cat([t.reshape(-1) for t in v]).numpy() > 0).astype(np.uint8), bitorder="little"))
        _, hv_i = hv_product(v)
        vhv.append(group_product(hv_i, v).item())
        if abs(np.mean(vhv) - trace) / (abs(trace) + 1e-6) < TRACE_TOL:
            break
        trace = np.mean(vhv)
    blob.add("probes", np.concatenate(probes), "u8")

    # PyHessian eigenvalues() with stored start vectors.
    eigenvalues, eigenvectors, iterations = [], [], []
    for k in range(top_k):
        eigenvalue = None
        v = normalization(starts[k])
        it = 0
        for i in range(EIGEN_MAX_ITER):
            it = i + 1
            v = orthnormal(v, eigenvectors)
            tmp, hv_k = hv_product(v)
            v = normalization(hv_k)
            if eigenvalue is None:
                eigenvalue = tmp
            elif abs(eigenvalue - tmp) / (abs(eigenvalue) + 1e-6) < EIGEN_TOL:
                break
            else:
                eigenvalue = tmp
        eigenvalues.append(eigenvalue)
        eigenvectors.append(v)
        iterations.append(it)

    with open(os.path.join(out, f"{name}.bin"), "wb") as f:
        f.write(blob.bytes())
    doc = {
        "format": 1, "model": name, "params": names, "sizes": [p.numel() for p in params], "buffers": list(buffers),
        "batches": [{"key": x, "labels": y, "count": n} for x, y, n in batch_spec],
        "loss": loss, "gradNormMean": float(np.mean(norms)), "gradNormFull": full_norm, "gradNormsPerBatch": norms,
        "trace": {"maxIter": TRACE_MAX_ITER, "tol": TRACE_TOL, "probes": len(vhv), "vhv": vhv, "trace": float(np.mean(vhv))},
        "eigen": {"topK": top_k, "maxIter": EIGEN_MAX_ITER, "tol": EIGEN_TOL, "eigenvalues": eigenvalues, "iterations": iterations},
        "tensors": blob.index,
    }
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"{name}: loss {loss:.6f} |g| mean {np.mean(norms):.6f} full {full_norm:.6f}; trace {np.mean(vhv):.4f} "
          f"after {len(vhv)} probes; eigenvalues {[round(e, 5) for e in eigenvalues]} after {iterations} iterations; "
          f"{blob.size} bytes")


if __name__ == "__main__":
    sys.exit(main())
