#!/usr/bin/python3
"""PyTorch reference for the crsam model zoo (src/zoo): parameter counts and gradient parity.

Run with Debian's Python (torch 1.13, onnx 1.12), from the repository root:

    /usr/bin/python3 tools/zoo_reference.py [--counts] [--parity] [--out test/fixtures/zoo]

Both parts run by default. The architectures are written out here in plain PyTorch (torchvision is
not installed), after the definitions the zoo follows:

  resnet        torchvision.models.resnet (BasicBlock / Bottleneck v1.5), layout 'imagenet' or
                'cifar' (3x3 stride-1 stem, no max-pool)
  cifar-resnet  He et al. 2016 CIFAR ResNet (16-32-64), option-B (1x1 conv + BN) shortcuts
  wide-resnet   xternalz/WideResNet-pytorch
  pyramidnet    dyhan0920/PyramidNet-PyTorch, basic blocks (global average pool instead of
                AvgPool2d(8): the same at 32x32, and it allows 16x16 inputs)
  vit           timm VisionTransformer (class token, pre-norm, exact GELU, LayerNorm eps 1e-6)
  mlp, lenet5   as src/zoo/small.ts

--counts writes param-counts.json: for each zoo entry, the trainable parameter count
(sum of p.numel() over model.parameters()) and the forward multiply-accumulates of Conv2d and
Linear layers plus the attention products, at batch 1 and the default input size.

--parity exports the parity models with `npx tsx tools/export-zoo.ts --parity <tmp>`, reads
each ONNX file, rebuilds the architecture from its metadata ('crsam.zoo.family' and
'crsam.zoo.options'), loads every initializer by name into the state_dict (names and shapes must
match one to one), and runs one train-mode forward/backward in float64 on a fixed batch (N=4,
torch.manual_seed(0)). It writes <name>.json + <name>.bin:

  <name>.bin   tensors concatenated, little-endian, each at an 8-byte aligned offset
  <name>.json  {"format": 1, "model": name, "family", "options", "loss": mean cross-entropy,
                "tensors": {key: {"dtype": "float32"|"int64", "dims", "offset", "length"}}}
  keys: "input" (float32 [4,C,H,W]), "labels" (int64 [4]), "grad/<param>" (d loss / d param,
  float32, ONNX initializer name), "updated/<buffer>" (BatchNorm running statistics after the
  forward pass, momentum 0.1, unbiased variance).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MACS = [0]  # attention products, added by the ViT forward (hooks count Conv2d / Linear)


# ---------------------------------------------------------------- ResNets (torchvision)
class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = None
        if stride != 1 or inplanes != planes * 4:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes * 4, 1, stride, bias=False), nn.BatchNorm2d(planes * 4))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNet(nn.Module):
    SPECS = {18: (BasicBlock, [2, 2, 2, 2]), 34: (BasicBlock, [3, 4, 6, 3]),
             50: (Bottleneck, [3, 4, 6, 3]), 101: (Bottleneck, [3, 4, 23, 3])}

    def __init__(self, depth, layout, channels, num_classes):
        super().__init__()
        block, layers = self.SPECS[depth]
        self.imagenet = layout == 'imagenet'
        if self.imagenet:
            self.conv1 = nn.Conv2d(channels, 64, 7, 2, 3, bias=False)
        else:
            self.conv1 = nn.Conv2d(channels, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        inplanes = 64
        for i, n in enumerate(layers):
            planes = 64 * 2 ** i
            blocks = []
            for j in range(n):
                blocks.append(block(inplanes, planes, 2 if j == 0 and i > 0 else 1))
                inplanes = planes * block.expansion
            setattr(self, 'layer%d' % (i + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(inplanes, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        if self.imagenet:
            x = F.max_pool2d(x, 3, 2, 1)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class CifarResNet(nn.Module):
    def __init__(self, depth, channels, num_classes, width=16, stem_stride=1):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(channels, width, 3, stem_stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        inplanes = width
        for i, planes in enumerate([width, 2 * width, 4 * width]):
            blocks = []
            for j in range(n):
                blocks.append(BasicBlock(inplanes, planes, 2 if j == 0 and i > 0 else 1))
                inplanes = planes
            setattr(self, 'layer%d' % (i + 1), nn.Sequential(*blocks))
        self.fc = nn.Linear(4 * width, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# ---------------------------------------------------------------- WideResNet (xternalz)
class WideBlock(nn.Module):
    def __init__(self, in_planes, out_planes, stride, drop_rate=0.0):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.relu1 = nn.ReLU()
        self.conv1 = nn.Conv2d(in_planes, out_planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_planes)
        self.relu2 = nn.ReLU()
        self.conv2 = nn.Conv2d(out_planes, out_planes, 3, 1, 1, bias=False)
        self.droprate = drop_rate
        self.equalInOut = in_planes == out_planes
        self.convShortcut = None if self.equalInOut else nn.Conv2d(in_planes, out_planes, 1, stride, 0, bias=False)

    def forward(self, x):
        if not self.equalInOut:
            x = self.relu1(self.bn1(x))
        else:
            out = self.relu1(self.bn1(x))
        out = self.relu2(self.bn2(self.conv1(out if self.equalInOut else x)))
        if self.droprate > 0:
            out = F.dropout(out, p=self.droprate, training=self.training)
        out = self.conv2(out)
        return torch.add(x if self.equalInOut else self.convShortcut(x), out)


class NetworkBlock(nn.Module):
    def __init__(self, nb_layers, in_planes, out_planes, stride, drop_rate):
        super().__init__()
        self.layer = nn.Sequential(*[WideBlock(in_planes if i == 0 else out_planes, out_planes, stride if i == 0 else 1, drop_rate)
                                     for i in range(nb_layers)])

    def forward(self, x):
        return self.layer(x)


class WideResNet(nn.Module):
    def __init__(self, depth, widen, dropout, channels, num_classes):
        super().__init__()
        ch = [16, 16 * widen, 32 * widen, 64 * widen]
        n = (depth - 4) // 6
        self.conv1 = nn.Conv2d(channels, ch[0], 3, 1, 1, bias=False)
        self.block1 = NetworkBlock(n, ch[0], ch[1], 1, dropout)
        self.block2 = NetworkBlock(n, ch[1], ch[2], 2, dropout)
        self.block3 = NetworkBlock(n, ch[2], ch[3], 2, dropout)
        self.bn1 = nn.BatchNorm2d(ch[3])
        self.fc = nn.Linear(ch[3], num_classes)

    def forward(self, x):
        x = self.block3(self.block2(self.block1(self.conv1(x))))
        x = F.relu(self.bn1(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# ---------------------------------------------------------------- PyramidNet (dyhan0920)
class PyramidBlock(nn.Module):
    outchannel_ratio = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        out = self.bn3(self.conv2(F.relu(self.bn2(self.conv1(self.bn1(x))))))
        shortcut = x if self.downsample is None else self.downsample(x)
        extra = out.size(1) - shortcut.size(1)
        if extra > 0:
            pad = torch.zeros(out.size(0), extra, shortcut.size(2), shortcut.size(3), dtype=out.dtype)
            shortcut = torch.cat((shortcut, pad), 1)
        return out + shortcut


class PyramidNet(nn.Module):
    def __init__(self, depth, alpha, channels, num_classes):
        super().__init__()
        n = (depth - 2) // 6
        self.addrate = alpha / (3 * n * 1.0)
        self.input_featuremap_dim = 16
        self.conv1 = nn.Conv2d(channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.featuremap_dim = 16
        self.layer1 = self.make_layer(n)
        self.layer2 = self.make_layer(n, stride=2)
        self.layer3 = self.make_layer(n, stride=2)
        self.bn_final = nn.BatchNorm2d(self.input_featuremap_dim)
        self.fc = nn.Linear(self.input_featuremap_dim, num_classes)

    def make_layer(self, block_depth, stride=1):
        downsample = nn.AvgPool2d((2, 2), stride=(2, 2), ceil_mode=True) if stride != 1 else None
        self.featuremap_dim = self.featuremap_dim + self.addrate
        layers = [PyramidBlock(self.input_featuremap_dim, int(round(self.featuremap_dim)), stride, downsample)]
        for _ in range(1, block_depth):
            temp = self.featuremap_dim + self.addrate
            layers.append(PyramidBlock(int(round(self.featuremap_dim)), int(round(temp)), 1))
            self.featuremap_dim = temp
        self.input_featuremap_dim = int(round(self.featuremap_dim))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.bn1(self.conv1(x)))))
        x = F.relu(self.bn_final(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# ---------------------------------------------------------------- ViT (timm)
class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        hd = d // self.heads
        qkv = self.qkv(x).reshape(b, t, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q @ k.transpose(-2, -1)) * hd ** -0.5).softmax(dim=-1)
        MACS[0] += 2 * b * self.heads * t * t * hd
        return self.proj((attn @ v).transpose(1, 2).reshape(b, t, d))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, channels, dim, patch):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, patch, patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class VisionTransformer(nn.Module):
    def __init__(self, patchSize, dim, depth, heads, mlpRatio, inputSize, channels, numClasses):
        super().__init__()
        tokens = (inputSize // patchSize) ** 2 + 1
        self.patch_embed = PatchEmbed(channels, dim, patchSize)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens, dim))
        self.blocks = nn.Sequential(*[Block(dim, heads, int(dim * mlpRatio)) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, numClasses)

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1) + self.pos_embed
        return self.head(self.norm(self.blocks(x))[:, 0])


# ---------------------------------------------------------------- small models
class Mlp784(nn.Module):
    def __init__(self, hidden, inputs, num_classes):
        super().__init__()
        widths = [inputs] + list(hidden) + [num_classes]
        for i in range(len(widths) - 1):
            setattr(self, 'fc%d' % (i + 1), nn.Linear(widths[i], widths[i + 1]))
        self.n = len(widths) - 1

    def forward(self, x):
        x = torch.flatten(x, 1)
        for i in range(self.n):
            x = getattr(self, 'fc%d' % (i + 1))(x)
            if i < self.n - 1:
                x = F.relu(x)
        return x


class LeNet5(nn.Module):
    def __init__(self, input_size, channels, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        s = ((input_size // 2) - 4) // 2
        self.fc1 = nn.Linear(16 * s * s, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def build(family, o):
    c, k = o['channels'], o['numClasses']
    if family == 'resnet':
        return ResNet(o['depth'], o['layout'], c, k)
    if family == 'cifar-resnet':
        return CifarResNet(o['depth'], c, k, o.get('width', 16), o.get('stemStride', 1))
    if family == 'wide-resnet':
        return WideResNet(o['depth'], o['widen'], o['dropout'], c, k)
    if family == 'pyramidnet':
        return PyramidNet(o['depth'], o['alpha'], c, k)
    if family == 'vit':
        return VisionTransformer(o['patchSize'], o['dim'], o['depth'], o['heads'], o['mlpRatio'], o['inputSize'], c, k)
    if family == 'mlp':
        return Mlp784(o['hidden'], c * o['inputSize'] ** 2, k)
    if family == 'lenet5':
        return LeNet5(o['inputSize'], c, k)
    raise ValueError('unknown family ' + family)


# The zoo table (src/zoo/zoo.ts) as (name, family, options).
CIFAR = dict(inputSize=32, channels=3, numClasses=10)
IMAGENET = dict(inputSize=224, channels=3, numClasses=1000)
MNIST = dict(inputSize=28, channels=1, numClasses=10)
ZOO = [
    ('mlp', 'mlp', dict(hidden=[256, 256], **MNIST)),
    ('lenet5', 'lenet5', dict(MNIST)),
    ('resnet-fmnist', 'cifar-resnet', dict(depth=8, width=16, stemStride=2, **MNIST)),
    ('resnet20', 'cifar-resnet', dict(depth=20, **CIFAR)),
    ('resnet32', 'cifar-resnet', dict(depth=32, **CIFAR)),
    ('resnet56', 'cifar-resnet', dict(depth=56, **CIFAR)),
] + [('resnet%d-cifar' % d, 'resnet', dict(depth=d, layout='cifar', **CIFAR)) for d in (18, 34, 50, 101)] \
  + [('resnet%d' % d, 'resnet', dict(depth=d, layout='imagenet', **IMAGENET)) for d in (18, 34, 50, 101)] + [
    ('wrn-28-10', 'wide-resnet', dict(depth=28, widen=10, dropout=0, **CIFAR)),
    ('wrn-16-8', 'wide-resnet', dict(depth=16, widen=8, dropout=0, **CIFAR)),
    ('pyramidnet-110-270', 'pyramidnet', dict(depth=110, alpha=270, **CIFAR)),
    ('vit-tiny', 'vit', dict(patchSize=8, dim=64, depth=2, heads=4, mlpRatio=2, **CIFAR)),
    ('vit-cifar', 'vit', dict(patchSize=4, dim=128, depth=4, heads=4, mlpRatio=2, **CIFAR)),
    ('vit-s-32', 'vit', dict(patchSize=32, dim=384, depth=12, heads=6, mlpRatio=4, **IMAGENET)),
    ('vit-b-32', 'vit', dict(patchSize=32, dim=768, depth=12, heads=12, mlpRatio=4, **IMAGENET)),
]


def count_macs(model, o):
    macs = [0]

    def conv_hook(m, _inp, out):
        macs[0] += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def linear_hook(m, _inp, out):
        macs[0] += out.numel() * m.in_features

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    MACS[0] = 0
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, o['channels'], o['inputSize'], o['inputSize']))
    for h in hooks:
        h.remove()
    return macs[0] + MACS[0]


def counts(out_dir):
    result = {}
    for name, family, o in ZOO:
        model = build(family, o)
        params = sum(p.numel() for p in model.parameters())
        result[name] = {'parameters': params, 'macs': count_macs(model, o)}
        print('%-20s %12d params %8.4f GMACs' % (name, params, result[name]['macs'] / 1e9))
    path = os.path.join(out_dir, 'param-counts.json')
    with open(path, 'w') as f:
        json.dump({'source': 'tools/zoo_reference.py (PyTorch %s)' % torch.__version__.split('a')[0], 'models': result}, f, indent=2)
        f.write('\n')
    print('wrote', os.path.relpath(path, ROOT))


class Writer:
    def __init__(self):
        self.chunks, self.offset, self.tensors = [], 0, {}

    def add(self, key, array):
        array = np.ascontiguousarray(array)
        dtype = 'int64' if array.dtype == np.int64 else 'float32'
        data = array.astype('<i8' if dtype == 'int64' else '<f4').tobytes()
        pad = (-self.offset) % 8
        if pad:
            self.chunks.append(b'\0' * pad)
            self.offset += pad
        self.tensors[key] = {'dtype': dtype, 'dims': list(array.shape), 'offset': self.offset, 'length': int(array.size)}
        self.chunks.append(data)
        self.offset += len(data)


def parity_one(path, out_dir):
    m = onnx.load(path)
    meta = {p.key: p.value for p in m.metadata_props}
    family, o = meta['crsam.zoo.family'], json.loads(meta['crsam.zoo.options'])
    name = os.path.splitext(os.path.basename(path))[0]
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    model = build(family, o).double()
    state = model.state_dict()
    expected = {k for k in state if not k.endswith('num_batches_tracked')}
    # Every state_dict entry must come from an initializer of the same shape; the other
    # initializers are the graph's constants (integer shapes, rank-0 scalars).
    weights = {k: v for k, v in inits.items() if v.dtype == np.float32 and v.ndim >= 1}
    if set(weights) != expected:
        raise SystemExit('%s: ONNX weights and the PyTorch state_dict differ: only ONNX %s, only torch %s'
                         % (name, sorted(set(weights) - expected)[:5], sorted(expected - set(weights))[:5]))
    for k in expected:
        if tuple(state[k].shape) != weights[k].shape:
            raise SystemExit('%s: %s is %s in ONNX but %s in PyTorch' % (name, k, weights[k].shape, tuple(state[k].shape)))
        state[k] = torch.from_numpy(weights[k].astype(np.float64))
    model.load_state_dict(state)
    model.train()

    torch.manual_seed(0)
    x = torch.randn(4, o['channels'], o['inputSize'], o['inputSize'])
    y = torch.randint(0, o['numClasses'], (4,), dtype=torch.int64)
    loss = F.cross_entropy(model(x.double()), y)
    loss.backward()

    w = Writer()
    w.add('input', x.numpy())
    w.add('labels', y.numpy())
    params = []
    for k, p in model.named_parameters():
        w.add('grad/' + k, p.grad.numpy())
        params.append(k)
    buffers = []
    for k, b in model.named_buffers():
        if k.endswith('num_batches_tracked'):
            continue
        w.add('updated/' + k, b.numpy())
        buffers.append(k)
    manifest = {'format': 1, 'model': name, 'family': family, 'options': o, 'loss': loss.item(),
                'params': params, 'buffers': buffers, 'tensors': w.tensors}
    with open(os.path.join(out_dir, name + '.bin'), 'wb') as f:
        f.write(b''.join(w.chunks))
    with open(os.path.join(out_dir, name + '.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')
    print('%-20s loss %.6f, %d params, %d buffers, %d bytes' % (name, loss.item(), len(params), len(buffers), w.offset))


def parity(out_dir):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(['npx', 'tsx', 'tools/export-zoo.ts', '--parity', tmp], cwd=ROOT, check=True)
        for f in sorted(os.listdir(tmp)):
            if f.endswith('.onnx'):
                parity_one(os.path.join(tmp, f), out_dir)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=os.path.join(ROOT, 'test', 'fixtures', 'zoo'))
    ap.add_argument('--counts', action='store_true')
    ap.add_argument('--parity', action='store_true')
    a = ap.parse_args()
    both = not a.counts and not a.parity
    torch.set_num_threads(2)
    os.makedirs(a.out, exist_ok=True)
    if a.counts or both:
        counts(a.out)
    if a.parity or both:
        parity(a.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
