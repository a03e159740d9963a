#!/usr/bin/env python3
"""The PyTorch peer of `npm run bench`: ms per SGD / SAM / CR-SAM step (and forward, forward+backward)
for the benchmark models at batch 128 with 2 threads, as JSON on stdout.

Run with Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread):
    /usr/bin/python3 tools/bench_torch.py [mlp] [resnet20] [vit-cifar]
or, as `npm run bench` runs it, serving one model (or `gemm`) so that the bench can interleave
PyTorch's repetitions with ours: `--serve MODEL` reads one JSON request per line on stdin
({"cmd": "setup", "config": "sgd"}, {"cmd": "run"}, {"cmd": "rss"}, {"cmd": "quit"}) and answers
one JSON line each ({"ms": ..., "cpuMs": ...} for a run: one repetition, timed here, wall and
process CPU time).
The architectures mirror the zoo's (src/zoo): MLP 784-256-256-10, ResNet-20 (CIFAR, 1x1-conv
projection shortcuts), ViT with 4x4 patches, width 128, depth 4, 4 heads, MLP 256 on 32x32x3.
"""
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(0)
BATCH = 128


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.short is None else self.short(x)))


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for stage, cout in enumerate([16, 32, 64]):
            for i in range(3):
                layers.append(Block(cin, cout, 2 if i == 0 and stage > 0 else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.layers(F.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class ViT(nn.Module):
    def __init__(self, patch=4, dim=128, depth=4, heads=4, mlp=256):
        super().__init__()
        self.embed = nn.Conv2d(3, dim, patch, patch)
        n = (32 // patch) ** 2
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.randn(1, n + 1, dim) * 0.02)
        layer = nn.TransformerEncoderLayer(dim, heads, mlp, dropout=0.0, activation='gelu', batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, depth)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 10)

    def forward(self, x):
        x = self.embed(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.pos
        return self.head(self.norm(self.blocks(x))[:, 0])


def build(name):
    if name == 'mlp':
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)), (BATCH, 1, 28, 28)
    if name == 'resnet20':
        return ResNet20(), (BATCH, 3, 32, 32)
    if name == 'vit-cifar':
        return ViT(), (BATCH, 3, 32, 32)
    raise SystemExit(f'unknown model {name}')


def grads(model, x, y):
    model.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    return loss


def step(model, opt, x, y, method, rho=0.1, alpha=0.1, beta=0.01):
    params = [p for p in model.parameters()]
    grads(model, x, y)
    if method == 'sgd':
        opt.step()
        return
    g0 = [p.grad.clone() for p in params]
    norm = torch.sqrt(sum((g * g).sum() for g in g0)) + 1e-12
    e = [rho * g / norm for g in g0]
    with torch.no_grad():
        for p, d in zip(params, e):
            p.add_(d)
    grads(model, x, y)
    gp = [p.grad.clone() for p in params]
    if method == 'crsam':
        with torch.no_grad():
            for p, d in zip(params, e):
                p.sub_(2 * d)
        grads(model, x, y)
        gm = [p.grad.clone() for p in params]
        with torch.no_grad():
            for p, d in zip(params, e):
                p.add_(d)
            for p, a, b, c in zip(params, gp, gm, g0):
                p.grad = a + alpha * (a + b - 2 * c) + beta * (a - b)
    else:
        with torch.no_grad():
            for p, d, g in zip(params, e, gp):
                p.sub_(d)
                p.grad = g
    opt.step()


def timed(fn, budget=3.0):
    fn()
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - start < budget and len(times) < 50):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return times[len(times) // 2]


def configs(name):
    """The timed functions of one model by config name (the bench's names)."""
    if name == 'gemm':
        n = 2048
        a, b = torch.randn(n, n), torch.randn(n, n)
        return {'gemm': lambda: torch.mm(a, b)}
    model, shape = build(name)
    model.train()
    x = torch.randn(*shape)
    y = torch.randint(0, 10, (BATCH,))
    opt = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9, weight_decay=5e-4)

    def forward():
        with torch.no_grad():
            model(x)
    fns = {'forward': forward, 'forwardBackward': lambda: grads(model, x, y)}
    for method in ['sgd', 'sam', 'crsam']:
        fns[method] = (lambda m: lambda: step(model, opt, x, y, m))(method)
    return fns


def serve(name):
    fns = configs(name)
    fn = None
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        cmd = req['cmd']
        if cmd == 'setup':
            fn = fns[req['config']]
            print(json.dumps({'ok': True}), flush=True)
        elif cmd == 'run':
            r0 = resource.getrusage(resource.RUSAGE_SELF)
            t = time.perf_counter()
            fn()
            ms = (time.perf_counter() - t) * 1000
            r1 = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000
            print(json.dumps({'ms': ms, 'cpuMs': cpu}), flush=True)
        elif cmd == 'rss':
            print(json.dumps({'maxRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
        else:
            return


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--serve':
        serve(sys.argv[2])
        return
    out = {}
    for name in sys.argv[1:] or ['mlp', 'resnet20', 'vit-cifar']:
        model, shape = build(name)
        model.train()
        x = torch.randn(*shape)
        y = torch.randint(0, 10, (BATCH,))
        opt = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9, weight_decay=5e-4)
        r = {}
        with torch.no_grad():
            r['forward'] = timed(lambda: model(x))
        r['forwardBackward'] = timed(lambda: grads(model, x, y))
        for method in ['sgd', 'sam', 'crsam']:
            r[method] = timed(lambda: step(model, opt, x, y, method))
        out[name] = r
    print(json.dumps(out))


if __name__ == '__main__':
    main()
