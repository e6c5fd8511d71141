#!/usr/bin/python3
"""Trains fixq's two Fashion-MNIST test models and writes the committed test data.

Run from anywhere with Debian's Python (PyTorch 1.13, CPU):
    /usr/bin/python3 scripts/train/train_models.py

Writes (paths relative to the repository root):
    testdata/models/{cnn_fmnist,mbv2_fmnist}.onnx   opset 13, input "input" [N,1,28,28], output "logits" [N,10]
    testdata/models/<name>.json                     metadata (preprocessing, classes, float top-1)
    testdata/models/<name>.ref.npy                  PyTorch logits for the first 64 test images, float32 [64,10]
    testdata/models/<name>.pt                       state_dict (for scripts/train/ptq_pytorch.py)
    testdata/models/README.md                       how all of this was produced, with the measured figures
    testdata/fmnist_test64.npy                      the first 64 test images, preprocessed, float32 [64,1,28,28]
    public/demo/{model.onnx,manifest.json,calib/*.png,eval/<class>/*.png}   browser demo data

Single thread, fixed seed: a rerun on the same machine reproduces the same weights.
"""
import argparse
import hashlib
import json
import os
import shutil
import struct
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn as nn

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_models as fm  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def train(model, x, y, epochs, seed, lr, batch=128, log=print):
    """Adam with a cosine learning-rate decay over all steps; channels_last (2-3x faster on CPU here)."""
    rng = np.random.RandomState(seed)
    model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * (len(x) // batch)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    for ep in range(epochs):
        model.train()
        perm = rng.permutation(len(x))
        t0, total, n = time.perf_counter(), 0.0, 0
        for i in range(0, len(x) - batch + 1, batch):  # drop the last partial batch
            idx = perm[i:i + batch]
            xb = torch.from_numpy(x[idx]).contiguous(memory_format=torch.channels_last)
            yb = torch.from_numpy(y[idx])
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(idx)
            n += len(idx)
        log("  epoch %d: loss %.4f, %.1f s" % (ep + 1, total / n, time.perf_counter() - t0))
    return model.to(memory_format=torch.contiguous_format).eval()


def export_onnx(model, path):
    model.eval()
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(model, dummy, path, opset_version=13, do_constant_folding=True,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      training=torch.onnx.TrainingMode.EVAL)
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = {}
    for node in m.graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    return ops


def write_png_gray(path, img):
    """Writes a uint8 [H,W] array as an 8-bit grayscale PNG (filter 0, zlib level 9): byte-for-byte deterministic."""
    h, w = img.shape
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(h))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(png)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_demo(demo_dir, model_path, meta, xtr_u8, ytr, xte_u8, yte, per_class_eval):
    os.makedirs(demo_dir, exist_ok=True)
    for sub in ("calib", "eval"):
        shutil.rmtree(os.path.join(demo_dir, sub), ignore_errors=True)
    shutil.copyfile(model_path, os.path.join(demo_dir, "model.onnx"))
    calib = []
    os.makedirs(os.path.join(demo_dir, "calib"))
    for k, i in enumerate(fm.calib_indices(ytr)):
        rel = "calib/%03d.png" % k
        write_png_gray(os.path.join(demo_dir, rel), xtr_u8[i])
        calib.append(rel)
    evals = []
    for c, d in enumerate(fm.CLASS_DIRS):
        os.makedirs(os.path.join(demo_dir, "eval", d))
        for k, i in enumerate(np.nonzero(yte == c)[0][:per_class_eval]):
            rel = "eval/%s/%02d.png" % (d, k)
            write_png_gray(os.path.join(demo_dir, rel), xte_u8[i])
            evals.append({"file": rel, "label": c})
    manifest = {
        "name": "mbv2_fmnist",
        "description": "MobileNetV2-style Fashion-MNIST classifier (fixq testdata/models/mbv2_fmnist.onnx)",
        "model": "model.onnx",
        "input": {"name": "input", "shape": [1, 1, 28, 28], "layout": "NCHW"},
        "output": {"name": "logits", "shape": [1, 10]},
        "channels": "gray",
        "scale": 255,
        "mean": [fm.MEAN],
        "std": [fm.STD],
        "preprocess": "x = (pixel/255 - mean) / std",
        "classes": fm.CLASSES,
        "class_dirs": fm.CLASS_DIRS,
        "float_top1_fmnist_test10k": meta["float_top1"],
        "calib": calib,
        "calib_source": "Fashion-MNIST train set: first 10 images of each class",
        "eval_dir": "eval",
        "eval": evals,
        "eval_source": "Fashion-MNIST t10k test set: first %d images of each class" % per_class_eval,
    }
    with open(os.path.join(demo_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    return len(calib), len(evals)


README = """# fixq test models

Produced by `scripts/train/train_models.py` (do not edit by hand; rerun the script):

    /usr/bin/python3 scripts/train/train_models.py      # seed {seed}; {minutes:.0f} min of CPU time, one thread

Environment: Debian's PyTorch {torch} (CPU, `torch.set_num_threads(1)`), numpy {numpy}, onnx {onnx}.
Data: Debian's `dataset-fashion-mnist`, /usr/share/datasets/fashion-mnist/*.gz (gzipped IDX, parsed
with numpy in scripts/train/fmnist_models.py). Training uses the 60000 train images, no augmentation;
accuracies are measured by the script with PyTorch on the full 10000-image test set (t10k).

## Preprocessing (both models)

Input is `input`, float32 `[N,1,28,28]` (NCHW, gray, no resize or padding):

    x = pixel / 255            # float32
    x = (x - 0.5) / 0.5        # mean 0.5, std 0.5, so x is in [-1, 1]

Output is `logits`, float32 `[N,10]` (no softmax). Classes, in index order:
{classes}.

## Models

| file | architecture | params | ONNX ops | size | epochs | float top-1 (10k test) |
|---|---|---|---|---|---|---|
{rows}

Export: `torch.onnx.export`, opset 13, `do_constant_folding=True`, eval mode, dynamic batch axis
named `N`. BatchNorm is **folded into the Conv weights and biases** by the exporter: the ONNX files
contain no BatchNormalization node. ReLU6 is exported as `Clip(min=0, max=6)`, the classifier as
`Gemm` after `Flatten`, global average pooling as `GlobalAveragePool`.

## Reference data for Go tests

- `<name>.ref.npy`: PyTorch's logits (float32 `[64,10]`) for the first 64 test images, from the
  PyTorch module in eval mode (BatchNorm not folded: an independent check of the ONNX export and of
  fixq's float engine).
- `../fmnist_test64.npy`: those 64 images, preprocessed as above, float32 `[64,1,28,28]`. Their labels
  are the first 64 of t10k-labels: {labels64}.
- `<name>.json`: metadata (input/output names and shapes, mean, std, classes, float top-1, op counts,
  sha256 of the .onnx).
- `<name>.pt`: the PyTorch `state_dict` (BatchNorm unfolded), loaded by `scripts/train/ptq_pytorch.py`.

`NODE_PATH=~/.cache/fixq/node/node_modules node scripts/train/check_onnx_ort.js` runs the .onnx files
with onnxruntime-node and compares with `<name>.ref.npy` (agreement within 1e-5 is expected).

Training is deterministic for a given seed on one machine (single thread, fixed shuffles); another
CPU or PyTorch build may round differently and give slightly different weights. The `train_seconds`
in the .json files are wall-clock times and depend on the machine's load (about 22 s a CNN epoch and
100-125 s an MBV2 epoch on an idle core; the committed run shared two cores with other jobs).
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs-cnn", type=int, default=5)
    ap.add_argument("--epochs-mbv2", type=int, default=3)
    ap.add_argument("--root", default=ROOT, help="repository root to write into")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    t_start = time.perf_counter()
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731

    xtr_u8, ytr = fm.load_split("train")
    xte_u8, yte = fm.load_split("t10k")
    xtr, xte = fm.preprocess(xtr_u8), fm.preprocess(xte_u8)
    models_dir = os.path.join(args.root, "testdata", "models")
    os.makedirs(models_dir, exist_ok=True)
    np.save(os.path.join(args.root, "testdata", "fmnist_test64.npy"), xte[:64])

    rows, summary = [], {}
    for name, epochs in (("cnn_fmnist", args.epochs_cnn), ("mbv2_fmnist", args.epochs_mbv2)):
        torch.manual_seed(args.seed)
        model = fm.MODELS[name]()
        params = sum(p.numel() for p in model.parameters())
        log("%s: %d params, %d epochs" % (name, params, epochs))
        t0 = time.perf_counter()
        model = train(model, xtr, ytr, epochs, args.seed, lr=3e-3, log=log)
        train_s = time.perf_counter() - t0
        top1 = fm.evaluate(model, xte, yte)
        log("%s: float top-1 %.4f (train %.0f s)" % (name, top1, train_s))
        with torch.no_grad():
            ref = model(torch.from_numpy(xte[:64])).numpy().astype(np.float32)
        np.save(os.path.join(models_dir, name + ".ref.npy"), ref)
        torch.save(model.state_dict(), os.path.join(models_dir, name + ".pt"))
        onnx_path = os.path.join(models_dir, name + ".onnx")
        ops = export_onnx(model, onnx_path)
        if "BatchNormalization" in ops:
            raise SystemExit("%s: BatchNormalization was not folded" % name)
        meta = {
            "name": name,
            "file": name + ".onnx",
            "sha256": sha256(onnx_path),
            "opset": 13,
            "input": {"name": "input", "shape": ["N", 1, 28, 28], "dtype": "float32", "layout": "NCHW"},
            "output": {"name": "logits", "shape": ["N", 10], "dtype": "float32"},
            "channels": "gray",
            "scale": 255,
            "mean": [fm.MEAN],
            "std": [fm.STD],
            "preprocess": "x = (pixel/255 - mean) / std",
            "classes": fm.CLASSES,
            "float_top1": round(top1, 4),
            "float_top1_correct": int(round(top1 * len(yte))),
            "test_set": "fashion-mnist t10k (10000 images)",
            "params": params,
            "onnx_ops": dict(sorted(ops.items())),
            "batchnorm": "folded into Conv by torch.onnx.export",
            "seed": args.seed,
            "epochs": epochs,
            "train_seconds": round(train_s, 1),
            "ref_logits": name + ".ref.npy",
            "ref_inputs": "../fmnist_test64.npy",
            "torch": torch.__version__,
        }
        with open(os.path.join(models_dir, name + ".json"), "w") as f:
            json.dump(meta, f, indent=1)
            f.write("\n")
        size = os.path.getsize(onnx_path)
        arch = (fm.PlainCNN if name == "cnn_fmnist" else fm.MBV2).__doc__.split("\n")[0].strip()
        if name == "mbv2_fmnist":
            arch = ("MobileNetV2-style: stem conv3x3(1->16), 6 inverted residual blocks "
                    "(t=1/4, 2 with stride 2, 4 residual adds), conv1x1(32->128), GAP, FC(10)")
        rows.append("| `%s.onnx` | %s | %d | %s | %.0f KB | %d | %.2f%% |" % (
            name, arch, params, ", ".join("%s x%d" % kv for kv in sorted(ops.items())),
            size / 1024, epochs, 100 * top1))
        summary[name] = meta
        if name == "mbv2_fmnist":
            n_calib, n_eval = write_demo(os.path.join(args.root, "public", "demo"), onnx_path, meta,
                                         xtr_u8, ytr, xte_u8, yte, per_class_eval=20)
            log("public/demo: %d calibration PNGs, %d eval PNGs" % (n_calib, n_eval))

    import onnx
    with open(os.path.join(models_dir, "README.md"), "w") as f:
        f.write(README.format(seed=args.seed, minutes=time.process_time() / 60,
                              torch=torch.__version__, numpy=np.__version__, onnx=onnx.__version__,
                              classes=", ".join("%d %s" % (i, c) for i, c in enumerate(fm.CLASSES)),
                              rows="\n".join(rows), labels64=" ".join(str(v) for v in yte[:64])))
    print(json.dumps({k: {"float_top1": v["float_top1"], "train_seconds": v["train_seconds"]}
                      for k, v in summary.items()}, indent=1))
    log("total %.0f s" % (time.perf_counter() - t_start))


if __name__ == "__main__":
    main()
