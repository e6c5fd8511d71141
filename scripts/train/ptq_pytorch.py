#!/usr/bin/python3
"""PyTorch 1.13 FX post-training quantization of fixq's test model: the peer fixq's Go quantizer is timed against.

    /usr/bin/python3 scripts/train/ptq_pytorch.py [--model mbv2_fmnist] [--calib 100] [--calib-batch 10]

Rebuilds the module from scripts/train/fmnist_models.py, loads testdata/models/<model>.pt (written by
train_models.py), then on one thread with the qnnpack engine (fbgemm/x86 is absent from Debian's build):
prepare_fx (BN folded into Conv) -> calibrate on the first 10 train images of each class (the same 100
images as public/demo/calib) -> convert_fx, and evaluates float and INT8 top-1 on the 10000 test images.
Default qnnpack qconfig: activations HistogramObserver quint8 per tensor (affine, reduce_range=False),
weights MinMaxObserver qint8 per-tensor symmetric; --observer minmax uses MinMaxObserver for activations too.
Every phase is timed with time.perf_counter; the report is JSON on stdout.

Workaround: in Debian's PyTorch 1.13 the qnnpack quantized ReLU6/hardtanh/clamp kernel gives wrong
results on channels_last input, which is what qnnpack's quantized Conv produces (the output is laid out
as NCHW but written in NHWC order; an MBV2 drops to ~11% top-1). With the qnnpack engine each ReLU6 is
therefore preceded by an explicit .contiguous() (traced by FX as a quantized tensor method). Pass
--no-relu6-fix to see the bug; --engine onednn runs the x86 engine, which needs no fix.
"""
import argparse
import io
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_models as fm  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


class Contiguous(nn.Module):
    def forward(self, x):
        return x.contiguous()


def fix_relu6(module):
    """Puts a Contiguous() before every nn.ReLU6 (see the qnnpack workaround above); returns the count."""
    n = 0
    for name, child in module.named_children():
        if type(child) is nn.ReLU6:
            setattr(module, name, nn.Sequential(Contiguous(), child))
            n += 1
        else:
            n += fix_relu6(child)
    return n


def describe(observer):
    """Names an observer constructor (a with_args wrapper around functools.partial) and its arguments."""
    p = getattr(observer, "p", observer)
    args = ", ".join("%s=%s" % kv for kv in sorted(p.keywords.items()))
    return "%s(%s)" % (p.func.__name__, args)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="mbv2_fmnist", choices=sorted(fm.MODELS))
    ap.add_argument("--calib", type=int, default=100, help="calibration images (a multiple of 10)")
    ap.add_argument("--calib-batch", type=int, default=10)
    ap.add_argument("--observer", default="histogram", choices=["histogram", "minmax"])
    ap.add_argument("--eval-batch", type=int, default=500)
    ap.add_argument("--engine", default="qnnpack", choices=["qnnpack", "onednn"])
    ap.add_argument("--no-float-eval", action="store_true", help="skip the float model's evaluation")
    ap.add_argument("--no-relu6-fix", action="store_true", help="leave the qnnpack ReLU6 bug in")
    args = ap.parse_args()

    from torch.ao.quantization import QConfig, QConfigMapping, get_default_qconfig_mapping
    from torch.ao.quantization.observer import MinMaxObserver
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    torch.set_num_threads(1)
    torch.manual_seed(0)
    torch.backends.quantized.engine = args.engine
    t = {}

    t0 = time.perf_counter()
    xtr_u8, ytr = fm.load_split("train")
    xte_u8, yte = fm.load_split("t10k")
    calib = fm.preprocess(xtr_u8[fm.calib_indices(ytr, per_class=args.calib // 10)])
    xte = fm.preprocess(xte_u8)
    t["load_data_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    model = fm.MODELS[args.model]()
    model.load_state_dict(torch.load(os.path.join(ROOT, "testdata", "models", args.model + ".pt")))
    model.eval()
    fixed = 0
    if args.engine == "qnnpack" and not args.no_relu6_fix:
        fixed = fix_relu6(model)
    t["load_model_s"] = time.perf_counter() - t0

    float_top1 = None
    if not args.no_float_eval:
        t0 = time.perf_counter()
        float_top1 = round(fm.evaluate(model, xte, yte, args.eval_batch), 4)
        t["eval_float_s"] = time.perf_counter() - t0

    if args.observer == "histogram":
        qmap = get_default_qconfig_mapping(args.engine)
    else:
        qmap = QConfigMapping().set_global(QConfig(
            activation=MinMaxObserver.with_args(dtype=torch.quint8, reduce_range=False),
            weight=MinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)))

    with torch.no_grad():
        t0 = time.perf_counter()
        prepared = prepare_fx(model, qmap, example_inputs=(torch.from_numpy(calib[:1]),))
        t["prepare_fx_s"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        for i in range(0, len(calib), args.calib_batch):
            prepared(torch.from_numpy(calib[i:i + args.calib_batch]))
        t["calibrate_s"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        quantized = convert_fx(prepared)
        t["convert_fx_s"] = time.perf_counter() - t0

    t["ptq_total_s"] = t["prepare_fx_s"] + t["calibrate_s"] + t["convert_fx_s"]

    t0 = time.perf_counter()
    int8_top1 = fm.evaluate(quantized, xte, yte, args.eval_batch)
    t["eval_int8_s"] = time.perf_counter() - t0

    buf = io.BytesIO()
    torch.save(quantized.state_dict(), buf)
    report = {
        "model": args.model,
        "torch": torch.__version__,
        "engine": torch.backends.quantized.engine,
        "threads": torch.get_num_threads(),
        "relu6_contiguous_fix": fixed,
        "observer": {"activation": describe(qmap.global_qconfig.activation),
                     "weight": describe(qmap.global_qconfig.weight)},
        "calib_images": len(calib),
        "calib_batch": args.calib_batch,
        "test_images": len(xte),
        "float_top1": float_top1,
        "int8_top1": round(int8_top1, 4),
        "int8_state_dict_bytes": buf.tell(),
        "seconds": {k: round(v, 4) for k, v in t.items()},
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
