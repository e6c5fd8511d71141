"""Model definitions and data helpers shared by train_models.py and ptq_pytorch.py.

Fashion-MNIST is read from Debian's dataset-fashion-mnist (gzipped IDX files)
with numpy only. Preprocessing, used everywhere in fixq's test data:
    x = pixel / 255            (float32)
    x = (x - 0.5) / 0.5        (mean 0.5, std 0.5; inputs in [-1, 1])
"""
import gzip
import struct

import numpy as np
import torch
import torch.nn as nn

FMNIST_DIR = "/usr/share/datasets/fashion-mnist"
MEAN = 0.5
STD = 0.5
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
# Folder names for the demo ImageFolder: they sort in class-index order.
CLASS_DIRS = ["0_tshirt", "1_trouser", "2_pullover", "3_dress", "4_coat",
              "5_sandal", "6_shirt", "7_sneaker", "8_bag", "9_ankle_boot"]


def read_idx(path):
    """Reads a gzipped IDX file (magic 0x0000 0x08 ndim, big-endian dims) into a uint8 array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError("%s: not an unsigned-byte IDX file" % path)
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError("%s: %d bytes of data, want %d" % (path, body.size, int(np.prod(dims))))
    return body.reshape(dims)


def load_split(split):
    """split is "train" or "t10k"; returns (images uint8 [N,28,28], labels int64 [N])."""
    x = read_idx("%s/%s-images-idx3-ubyte.gz" % (FMNIST_DIR, split))
    y = read_idx("%s/%s-labels-idx1-ubyte.gz" % (FMNIST_DIR, split))
    return x, y.astype(np.int64)


def preprocess(u8):
    """uint8 [N,28,28] -> float32 [N,1,28,28], (p/255 - 0.5)/0.5 computed in float32."""
    x = u8.astype(np.float32) / np.float32(255.0)
    x = (x - np.float32(MEAN)) / np.float32(STD)
    return x.reshape(-1, 1, u8.shape[-2], u8.shape[-1]).astype(np.float32)


class PlainCNN(nn.Module):
    """conv3x3(1->16)-BN-ReLU-maxpool-conv3x3(16->32)-BN-ReLU-maxpool-conv3x3(32->64)-BN-ReLU-GAP-FC(10)"""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.fc(torch.flatten(x, 1))


def conv_bn(inp, out, k, stride=1, groups=1, act=True):
    layers = [nn.Conv2d(inp, out, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(out)]
    if act:
        layers.append(nn.ReLU6())
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand-BN-ReLU6, 3x3 depthwise-BN-ReLU6, 1x1 project-BN, + x if shapes match."""

    def __init__(self, inp, out, stride, expand):
        super().__init__()
        hidden = inp * expand
        layers = []
        if expand != 1:
            layers.append(conv_bn(inp, hidden, 1))
        layers.append(conv_bn(hidden, hidden, 3, stride, groups=hidden))
        layers.append(conv_bn(hidden, out, 1, act=False))
        self.conv = nn.Sequential(*layers)
        self.use_residual = stride == 1 and inp == out

    def forward(self, x):
        if self.use_residual:
            return x + self.conv(x)
        return self.conv(x)


class MBV2(nn.Module):
    """A small MobileNetV2 for 1x28x28 inputs (no resize):
    stem conv3x3(1->16) @28, IR(16->16,t1) @28, IR(16->24,t4,s2) @14, IR(24->24,t4) @14,
    IR(24->32,t4,s2) @7, IR(32->32,t4) @7, IR(32->32,t4) @7, conv1x1(32->128), GAP, FC(10)."""

    def __init__(self):
        super().__init__()
        cfg = [(16, 16, 1, 1), (16, 24, 2, 4), (24, 24, 1, 4),
               (24, 32, 2, 4), (32, 32, 1, 4), (32, 32, 1, 4)]
        layers = [conv_bn(1, 16, 3)]
        for inp, out, stride, t in cfg:
            layers.append(InvertedResidual(inp, out, stride, t))
        layers.append(conv_bn(32, 128, 1))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.fc(torch.flatten(x, 1))


MODELS = {"cnn_fmnist": PlainCNN, "mbv2_fmnist": MBV2}


def evaluate(model, x, y, batch=500):
    """Top-1 accuracy of model on preprocessed float32 x [N,1,28,28] and labels y."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(torch.from_numpy(x[i:i + batch]))
            correct += int((logits.argmax(1).numpy() == y[i:i + batch]).sum())
    return correct / len(x)


def calib_indices(train_labels, per_class=10):
    """Indices of the calibration images: the first per_class train images of each class, in index order."""
    picked = []
    for c in range(10):
        picked.extend(np.nonzero(train_labels == c)[0][:per_class].tolist())
    return sorted(picked)
