#!/bin/sh
# PTQ timing, native: fixq's Quantize (Go) on mbv2_fmnist and on PaddleOCR's
# direction classifier, each with 100 calibration samples in batches of 10,
# next to PyTorch 1.13's FX PTQ (prepare_fx/calibrate/convert_fx, one
# thread, qnnpack) on the same mbv2_fmnist model and calibration set
# (scripts/train/ptq_pytorch.py: the first 10 training images of each class).
#
#   scripts/bench-ptq.sh            # RUNS=5 runs of each, medians and the ratio
#   RUNS=3 scripts/bench-ptq.sh
#
# The text crops for the classifier come from
# scripts/ocr-fidelity/make_text_images.py (written to $FIXQ_OCR_DIR,
# default /tmp/fixq-ocr, if missing). Machine load matters: run it on an
# idle machine, or compare figures from the same run only.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
OCR=${FIXQ_OCR_DIR:-/tmp/fixq-ocr}
PY=/usr/bin/python3
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

[ -f "$OCR/cls_calib.npy" ] || $PY scripts/ocr-fidelity/make_text_images.py "$OCR" >&2

echo "fixq: go test -bench BenchmarkPTQ -benchtime 1x -count $RUNS" >&2
FIXQ_OCR_DIR=$OCR go test ./core/quant -run '^$' -bench '^BenchmarkPTQ$' -benchtime 1x -count "$RUNS" -timeout 60m >"$OUT/go.txt"

echo "pytorch: $RUNS runs of scripts/train/ptq_pytorch.py" >&2
i=0
while [ "$i" -lt "$RUNS" ]; do
	$PY scripts/train/ptq_pytorch.py --no-float-eval >"$OUT/torch$i.json"
	i=$((i + 1))
done

$PY - "$OUT" "$RUNS" <<'EOF'
import json, re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
go = {}
for line in open(out + "/go.txt"):
    m = re.match(r"BenchmarkPTQ/model=(\S+?)(?:-\d+)?\s+\d+\s+(\d+) ns/op(.*)", line)
    if m:
        row = {"total": int(m.group(2)) / 1e9}
        for v, k in re.findall(r"([\d.]+) (\w+)-s/op", m.group(3)):
            row[k] = float(v)
        go.setdefault(m.group(1), []).append(row)
torch = [json.load(open("%s/torch%d.json" % (out, i)))["seconds"] for i in range(runs)]
med = lambda rows, k: statistics.median(r[k] for r in rows)
print("runs: %d each (medians; all runs in seconds)" % runs)
for name, rows in go.items():
    print("fixq %-12s PTQ total %.3f s  (prepare %.3f, calibrate %.3f, report %.3f, export %.3f)  runs %s" % (
        name, med(rows, "total"), med(rows, "prepare"), med(rows, "calibrate"), med(rows, "report"), med(rows, "export"),
        " ".join("%.3f" % r["total"] for r in rows)))
t = [r["ptq_total_s"] for r in torch]
print("pytorch mbv2_fmnist  FX PTQ total %.3f s  (prepare_fx %.3f, calibrate %.3f, convert_fx %.3f)  runs %s" % (
    statistics.median(t), med(torch, "prepare_fx_s"), med(torch, "calibrate_s"), med(torch, "convert_fx_s"),
    " ".join("%.3f" % v for v in t)))
if "mbv2_fmnist" in go:
    f = med(go["mbv2_fmnist"], "total")
    print("ratio pytorch/fixq on mbv2_fmnist: %.2f (>1: fixq faster)" % (statistics.median(t) / f))
EOF
