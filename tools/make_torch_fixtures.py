#!/usr/bin/python3
"""Generate PyTorch reference fixtures for the crsam TypeScript tests.

Run with Debian's Python (torch 1.13, onnx 1.12):

    /usr/bin/python3 tools/make_torch_fixtures.py [--out test/fixtures/torch] [--models mlp,resnet,vit]

Deterministic (torch.manual_seed, torch.set_num_threads(2)), re-runnable, well under a minute.
CI has no Python: the outputs are committed and read by the TypeScript tests.

Output format
=============
One folder per model: test/fixtures/torch/<model>/ with

  model.onnx     forward graph exported by torch.onnx.export(training=TrainingMode.TRAINING,
                 do_constant_folding=False, opset_version=14), input 'input' [N,...], output
                 'logits' [N,10], dynamic batch axis 'N'. Its initializers hold the initial
                 weights (identical to the "init/<param>" / "init_buffers/<buffer>" tensors).
                 BatchNormalization nodes carry training_mode=1.
  data.bin       all tensors concatenated, little-endian; float32 for floats (float64 for the
                 f64/ keys), int64 for labels.
                 Every tensor starts at an 8-byte aligned byte offset (zero padding between).
  manifest.json  {
                   "format": 1,
                   "model": "<model>",
                   "inputShape": [N, ...] (the N=8 shape used),
                   "numClasses": 10,
                   "opset": 14,
                   "params":  [trainable initializer names, in torch named_parameters() order],
                   "buffers": [BatchNorm running-stat initializer names (running_mean/running_var)],
                   "paramNameMap": {torchName: onnxName}   (only entries whose names differ; {} if none),
                   "bn": [{"module", "mean", "var" (buffer names), "channels",
                           "spatial" (H*W of the BN input), "countAtBatch" (N*H*W at N=8)}],
                   "opTypes": [sorted ONNX op types in the graph],
                   "config": {rho, alpha, beta, lr, momentum, weightDecay, bnMomentum, eps,
                              labelSmoothing, steps, batchSize, bnUpdate: "first",
                              crsamForm: "reference"},
                   "tensors": { "<key>": {"dtype": "float32"|"float64"|"int64", "dims": [...],
                                          "offset": <bytes into data.bin>, "length": <elements>} },
                   "scalars": { "<key>": number | number[] }
                 }

Tensor keys (<p> ranges over "params", <b> over "buffers", names are ONNX initializer names):
  init/<p>, init_buffers/<b>          initial weights / running stats (= model.onnx initializers)
  grad/input, grad/labels             the gradient-fixture batch (N=8; labels int64 in [0,10))
  grad/logits                         logits of that batch, train mode (batch statistics)
  grad/<p>                            d mean-CE / d p at init, train mode
  grad_ls/<p>                         same with label_smoothing=0.1
  grad/bn_updated/<b>                 running stats after that one train-mode forward (momentum 0.1)
  f64/grad/<p>, f64/grad_ls/<p>, f64/grad/bn_updated/<b>
                                      the same three computed in float64 (a float64 copy of the
                                      model, same weights and batch), stored as float64: the truth
                                      that PyTorch float32 (grad/...) and crsam are both measured against
  batches/<i>/input, batches/<i>/labels   i = 0,1,2: the trajectory batches (step i uses batch i)
  <m>/final/<p>                       parameters after 3 steps, m in {sgd, sam, crsam}
  <m>/final_buffers/<b>               running stats after 3 steps (resnet only has buffers)

Scalar keys:
  loss, loss_ls                       mean CE (resp. with label smoothing 0.1) of the grad batch
  f64/loss, f64/loss_ls               the same in float64
  grad_norm                           ||grad|| over all params together
  sgd/losses                          [L0 per step]   (loss at w before the step)
  sam/losses, sam/losses_plus         [L0], [L+]
  crsam/losses, crsam/losses_plus, crsam/losses_minus     [L0], [L+], [L-]
  sam/grad_norms, crsam/grad_norms    [||g0||] per step

Math (docs/optimizers.md): base optimizer torch.optim.SGD(lr=0.05, momentum=0.9, weight_decay=5e-4)
(coupled decay, dampening 0, no Nesterov). SAM: g0 at w; e = rho*g0/(||g0||+1e-12) with the norm
over all trainable parameters together; g+ at w+e; restore w; base step with g+.
CR-SAM (reference form): additionally g- at w-e; g = g+ + alpha*(g+ + g- - 2 g0) + beta*(g+ - g-);
restore w; base step with g. All passes in train mode (batch statistics); BatchNorm running stats
are updated only by the pass at w (policy 'first': buffers saved and restored around the
perturbed passes). rho=0.1, alpha=0.1, beta=0.01.

BatchNorm running variance: PyTorch updates running_var with the UNBIASED batch variance
(var_biased * m/(m-1), m = N*H*W = countAtBatch), running_var <- 0.9*running_var + 0.1*var_unbiased.
ONNX Runtime's BatchNormalization(training_mode=1) output running_var uses the BIASED variance, so
raw ORT outputs differ from these fixtures by 0.1*var_biased/(m-1) (checked: ~1e-5 at m=2048);
running_mean agrees. A trainer that wants PyTorch semantics must apply the m/(m-1) correction.
The torch export also runs a train-mode forward while tracing, which moves the running stats; the
script exports a deep copy and rewrites model.onnx's running-stat initializers to the initial values.
"""

import argparse
import copy
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_CLASSES = 10
BATCH = 8
STEPS = 3
OPSET = 14
CFG = dict(rho=0.1, alpha=0.1, beta=0.01, lr=0.05, momentum=0.9, weightDecay=5e-4,
           bnMomentum=0.1, eps=1e-12, labelSmoothing=0.1, steps=STEPS, batchSize=BATCH,
           bnUpdate="first", crsamForm="reference")


# ----------------------------------------------------------------------------- models

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(784, 64)
        self.fc2 = nn.Linear(64, 32)
        self.fc3 = nn.Linear(32, NUM_CLASSES)

    def forward(self, x):
        x = self.flatten(x)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.layer1 = BasicBlock(8, 8, 1)
        self.layer2 = BasicBlock(8, 16, 2)
        self.fc = nn.Linear(16, NUM_CLASSES)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer2(self.layer1(x))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


class ViT(nn.Module):
    def __init__(self, img=16, patch=4, dim=32, depth=2, heads=4, mlp=64):
        super().__init__()
        n = (img // patch) ** 2
        self.patch_embed = nn.Conv2d(3, dim, patch, patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim))
        nn.init.normal_(self.cls_token, std=0.02)
        nn.init.normal_(self.pos_embed, std=0.02)
        self.blocks = nn.ModuleList([
            nn.TransformerEncoderLayer(d_model=dim, nhead=heads, dim_feedforward=mlp, dropout=0.0,
                                       activation="gelu", batch_first=True, norm_first=True)
            for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, NUM_CLASSES)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)          # [N, P, dim]
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x)[:, 0])


MODELS = {
    "mlp": (MLP, (1, 28, 28)),
    "resnet": (ResNet, (3, 16, 16)),
    "vit": (ViT, (3, 16, 16)),
}


# ----------------------------------------------------------------------------- helpers

class Blob:
    """Accumulates tensors into one little-endian buffer with 8-byte aligned offsets."""

    def __init__(self):
        self.parts = []
        self.size = 0
        self.index = {}

    def add(self, key, t):
        if key in self.index:
            raise KeyError("duplicate tensor key " + key)
        a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        if a.dtype == np.float64 and key.startswith("f64/"):
            a, dtype = a.astype("<f8"), "float64"
        elif a.dtype.kind == "f":
            a, dtype = a.astype("<f4"), "float32"
        elif a.dtype.kind in "iu":
            a, dtype = a.astype("<i8"), "int64"
        else:
            raise TypeError(a.dtype)
        pad = (-self.size) % 8
        if pad:
            self.parts.append(b"\0" * pad)
            self.size += pad
        raw = np.ascontiguousarray(a).tobytes()
        self.index[key] = {"dtype": dtype, "dims": list(a.shape), "offset": self.size,
                           "length": int(a.size)}
        self.parts.append(raw)
        self.size += len(raw)

    def bytes(self):
        return b"".join(self.parts)


def bn_buffer_names(model):
    names = []
    for mod_name, mod in model.named_modules():
        if isinstance(mod, nn.modules.batchnorm._BatchNorm):
            for b in ("running_mean", "running_var"):
                names.append(f"{mod_name}.{b}" if mod_name else b)
    return names


def make_batch(shape, gen):
    x = torch.randn((BATCH,) + shape, generator=gen)
    y = torch.randint(0, NUM_CLASSES, (BATCH,), generator=gen, dtype=torch.int64)
    return x, y


def loss_and_grads(model, params, x, y, label_smoothing=0.0):
    model.zero_grad(set_to_none=True)
    logits = model(x)
    loss = F.cross_entropy(logits, y, label_smoothing=label_smoothing)
    grads = torch.autograd.grad(loss, params)
    return loss.item(), [g.detach().clone() for g in grads], logits.detach()


def global_norm(ts):
    return torch.sqrt(sum((t.double() ** 2).sum() for t in ts)).item()


def save_buffers(model):
    return {k: v.detach().clone() for k, v in model.named_buffers()}


def load_buffers(model, saved):
    with torch.no_grad():
        for k, v in model.named_buffers():
            v.copy_(saved[k])


def run_method(method, model, params, batches):
    """3 steps of sgd / sam / crsam (reference form, bnUpdate 'first'); returns per-step stats."""
    c = CFG
    opt = torch.optim.SGD(params, lr=c["lr"], momentum=c["momentum"], weight_decay=c["weightDecay"])
    stats = {"losses": [], "losses_plus": [], "losses_minus": [], "grad_norms": []}
    for x, y in batches:
        l0, g0, _ = loss_and_grads(model, params, x, y)       # the pass at w moves running stats
        stats["losses"].append(l0)
        if method == "sgd":
            g = g0
        else:
            n0 = global_norm(g0)
            stats["grad_norms"].append(n0)
            scale = c["rho"] / (n0 + c["eps"])
            e = [scale * gi for gi in g0]
            w = [p.detach().clone() for p in params]
            bufs = save_buffers(model)
            with torch.no_grad():
                for p, ei in zip(params, e):
                    p.add_(ei)
            lp, gp, _ = loss_and_grads(model, params, x, y)
            load_buffers(model, bufs)
            stats["losses_plus"].append(lp)
            if method == "sam":
                g = gp
            else:
                with torch.no_grad():
                    for p, wi, ei in zip(params, w, e):
                        p.copy_(wi).sub_(ei)
                lm, gm, _ = loss_and_grads(model, params, x, y)
                load_buffers(model, bufs)
                stats["losses_minus"].append(lm)
                a, b = c["alpha"], c["beta"]
                g = [gpi + a * (gpi + gmi - 2 * g0i) + b * (gpi - gmi)
                     for gpi, gmi, g0i in zip(gp, gm, g0)]
            with torch.no_grad():
                for p, wi in zip(params, w):
                    p.copy_(wi)
        for p, gi in zip(params, g):
            p.grad = gi.clone()
        opt.step()
        opt.zero_grad(set_to_none=True)
    return {k: v for k, v in stats.items() if v}


def export_onnx(model, shape, path):
    m = copy.deepcopy(model)   # tracing runs a train-mode forward, which would move running stats
    m.train()
    x = torch.randn((2,) + shape)
    torch.onnx.export(m, x, path, training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False, opset_version=OPSET,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})


def attr_summary(graph):
    """Notable attributes per op type."""
    notes = {}
    for node in graph.node:
        keep = {}
        for a in node.attribute:
            v = onnx.helper.get_attribute_value(a)
            if isinstance(v, bytes):
                v = v.decode()
            if isinstance(v, onnx.TensorProto):
                continue
            if isinstance(v, list):
                v = tuple(v)
            keep[a.name] = v
        s = notes.setdefault(node.op_type, set())
        s.add(tuple(sorted(keep.items())))
    return notes


# ----------------------------------------------------------------------------- main

def build(name, out_root, seed):
    cls, shape = MODELS[name]
    torch.manual_seed(seed)
    model = cls()
    model.train()
    out = os.path.join(out_root, name)
    os.makedirs(out, exist_ok=True)
    onnx_path = os.path.join(out, "model.onnx")

    init_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    param_names = [n for n, _ in model.named_parameters()]
    buffer_names = bn_buffer_names(model)

    # 1. export, then make sure the initializers are exactly the initial state and named as torch does
    export_onnx(model, shape, onnx_path)
    om = onnx.load(onnx_path)
    inits = {i.name: i for i in om.graph.initializer}
    name_map = {}
    for n in param_names + buffer_names:
        if n in inits:
            continue
        # torch may rename; find an initializer with identical contents and shape
        want = init_state[n].numpy()
        cands = [k for k, i in inits.items()
                 if k not in name_map.values() and tuple(i.dims) == want.shape
                 and np.array_equal(numpy_helper.to_array(i), want)]
        if len(cands) != 1:
            raise RuntimeError(f"{name}: no unique ONNX initializer for {n}: {cands}")
        name_map[n] = cands[0]
    onnx_name = {n: name_map.get(n, n) for n in param_names + buffer_names}
    patched = []
    for n in param_names + buffer_names:
        init = inits[onnx_name[n]]
        want = init_state[n].numpy().astype(np.float32)
        have = numpy_helper.to_array(init)
        if have.shape != want.shape:
            raise RuntimeError(f"{name}: shape mismatch for {n}: {have.shape} vs {want.shape}")
        if not np.array_equal(have, want):
            init.CopyFrom(numpy_helper.from_array(want, init.name))
            patched.append(n)
    extra_inits = sorted(set(inits) - set(onnx_name.values()))
    if patched:
        onnx.save(om, onnx_path)
    onnx.checker.check_model(onnx.load(onnx_path))

    # 2. gradient fixture
    blob = Blob()
    params = list(model.parameters())
    P = [onnx_name[n] for n in param_names]
    B = [onnx_name[n] for n in buffer_names]
    for n in param_names:
        blob.add("init/" + onnx_name[n], init_state[n])
    for n in buffer_names:
        blob.add("init_buffers/" + onnx_name[n], init_state[n])

    gen = torch.Generator().manual_seed(seed + 1)
    gx, gy = make_batch(shape, gen)
    batches = [make_batch(shape, gen) for _ in range(STEPS)]

    scalars = {}
    bn_shapes = {}
    hooks = [mod.register_forward_hook(
        lambda m, inp, out, n=mod_name: bn_shapes.__setitem__(n, list(inp[0].shape)))
        for mod_name, mod in model.named_modules() if isinstance(mod, nn.modules.batchnorm._BatchNorm)]
    loss, grads, logits = loss_and_grads(model, params, gx, gy)
    for h in hooks:
        h.remove()
    bn_info = []
    for mod_name, shp in bn_shapes.items():
        pre = mod_name + "." if mod_name else ""
        bn_info.append({"module": mod_name, "mean": onnx_name[pre + "running_mean"],
                        "var": onnx_name[pre + "running_var"], "channels": shp[1],
                        "spatial": int(np.prod(shp[2:])), "countAtBatch": int(np.prod(shp) // shp[1])})
    blob.add("grad/input", gx)
    blob.add("grad/labels", gy)
    blob.add("grad/logits", logits)
    for pn, g in zip(P, grads):
        blob.add("grad/" + pn, g)
    sd = model.state_dict()
    for n in buffer_names:
        blob.add("grad/bn_updated/" + onnx_name[n], sd[n])
    scalars["loss"] = loss
    scalars["grad_norm"] = global_norm(grads)
    model.load_state_dict(init_state)

    loss_ls, grads_ls, _ = loss_and_grads(model, params, gx, gy, CFG["labelSmoothing"])
    for pn, g in zip(P, grads_ls):
        blob.add("grad_ls/" + pn, g)
    scalars["loss_ls"] = loss_ls
    model.load_state_dict(init_state)

    # 2b. the same in float64: the truth that both PyTorch float32 and crsam are measured against
    model64 = copy.deepcopy(model).double()
    params64 = list(model64.parameters())
    loss64, grads64, _ = loss_and_grads(model64, params64, gx.double(), gy)
    for pn, g in zip(P, grads64):
        blob.add("f64/grad/" + pn, g)
    sd64 = model64.state_dict()
    for n in buffer_names:
        blob.add("f64/grad/bn_updated/" + onnx_name[n], sd64[n])
    model64.load_state_dict({k: v.double() if v.is_floating_point() else v for k, v in init_state.items()})
    loss64_ls, grads64_ls, _ = loss_and_grads(model64, params64, gx.double(), gy, CFG["labelSmoothing"])
    for pn, g in zip(P, grads64_ls):
        blob.add("f64/grad_ls/" + pn, g)
    scalars["f64/loss"] = loss64
    scalars["f64/loss_ls"] = loss64_ls

    # 3. trajectories
    for i, (x, y) in enumerate(batches):
        blob.add(f"batches/{i}/input", x)
        blob.add(f"batches/{i}/labels", y)
    for method in ("sgd", "sam", "crsam"):
        model.load_state_dict(init_state)
        stats = run_method(method, model, params, batches)
        for k, v in stats.items():
            scalars[f"{method}/{k}"] = v
        sd = model.state_dict()
        for n in param_names:
            blob.add(f"{method}/final/{onnx_name[n]}", sd[n])
        for n in buffer_names:
            blob.add(f"{method}/final_buffers/{onnx_name[n]}", sd[n])
    model.load_state_dict(init_state)

    data = blob.bytes()
    with open(os.path.join(out, "data.bin"), "wb") as f:
        f.write(data)

    g = onnx.load(onnx_path).graph
    op_types = sorted({n.op_type for n in g.node})
    manifest = {
        "format": 1,
        "model": name,
        "inputShape": [BATCH] + list(shape),
        "numClasses": NUM_CLASSES,
        "opset": OPSET,
        "params": P,
        "buffers": B,
        "paramNameMap": name_map,
        "bn": bn_info,
        "opTypes": op_types,
        "config": CFG,
        "tensors": blob.index,
        "scalars": scalars,
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")

    # 5. summary
    n_params = sum(p.numel() for p in params)
    print(f"== {name}: {len(P)} param tensors, {n_params} parameters, {len(B)} running-stat buffers")
    print(f"   renamed initializers: {name_map or 'none'}; patched to initial values: {patched or 'none'}")
    print(f"   other initializers: {extra_inits or 'none'}")
    print(f"   graph: {len(g.node)} nodes, outputs {[o.name for o in g.output]}")
    print(f"   op types: {op_types}")
    notes = attr_summary(g)
    for op in op_types:
        variants = [dict(v) for v in notes[op] if v]
        if variants:
            print(f"     {op}: {variants}")
    print(f"   loss {loss:.6f}  loss_ls {loss_ls:.6f}  |g| {scalars['grad_norm']:.6f}")
    for m in ("sgd", "sam", "crsam"):
        print(f"   {m}: " + ", ".join(f"{k.split('/')[1]}={[round(v, 5) for v in scalars[k]]}"
                                      for k in scalars if k.startswith(m + "/")))
    sizes = {f: os.path.getsize(os.path.join(out, f)) for f in ("model.onnx", "data.bin", "manifest.json")}
    print(f"   sizes: {sizes}  total {sum(sizes.values())} bytes")
    return sum(sizes.values())


def add_float64_trajectories(out_dir, seed, cls, shape):
    """Reruns build()'s trajectories in float64 and appends them to data.bin and manifest.json;
    cls and shape are the model class and input shape given to build()."""
    torch.manual_seed(seed)
    model = cls().double()   # same seed and construction as build(), so the same initial weights
    model.train()
    gen = torch.Generator().manual_seed(seed + 1)
    make_batch(shape, gen)   # build()'s gradient batch, drawn first
    batches = [make_batch(shape, gen) for _ in range(STEPS)]
    batches = [(x.double(), y) for x, y in batches]
    with open(os.path.join(out_dir, 'manifest.json')) as f:
        manifest = json.load(f)
    with open(os.path.join(out_dir, 'data.bin'), 'rb') as f:
        data = f.read()
    blob = Blob()
    blob.size = len(data)
    blob.parts = [data]
    init = {k: v.clone() for k, v in model.state_dict().items()}
    names = [n for n, _ in model.named_parameters()]
    for method in ('sgd', 'sam', 'crsam'):
        model.load_state_dict(init)
        stats = run_method(method, model, list(model.parameters()), batches)
        manifest['scalars'][f'{method}/losses64'] = stats['losses']
        sd = model.state_dict()
        for n in names:
            blob.add(f'{method}/final64/{manifest["paramNameMap"].get(n, n)}', sd[n])
    manifest['tensors'].update(blob.index)
    with open(os.path.join(out_dir, 'data.bin'), 'wb') as f:
        f.write(blob.bytes())
    with open(os.path.join(out_dir, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')


def build_op_family(name, cls, seed, shape=(3, 8, 8)):
    """An op-family fixture (acts, norms, misc): opset 17, the float32 fixture by build() plus the
    float64 trajectories, in test/fixtures/torch/<name>."""
    global OPSET
    here = os.path.dirname(os.path.abspath(__file__))
    OPSET = 17
    MODELS[name] = (cls, shape)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    root = os.path.normpath(os.path.join(here, '..', 'test', 'fixtures', 'torch'))
    build(name, root, seed)
    add_float64_trajectories(os.path.join(root, name), seed, cls, shape)
    return os.path.join(root, name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "test", "fixtures", "torch"))
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    total = 0
    for i, name in enumerate(args.models.split(",")):
        total += build(name, os.path.normpath(args.out), args.seed + 100 * i)
    print(f"total output: {total} bytes")


if __name__ == "__main__":
    sys.exit(main())
