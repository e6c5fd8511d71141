#!/usr/bin/python3
"""Writes N text-line PNGs (192x48 RGB) for PaddleOCR's direction classifier,
or with --rec, upright 320x48 ones for its text recogniser.

    /usr/bin/python3 scripts/module/ocr_cls_pngs.py OUT_DIR [--n 100] [--seed 1] [--rec]

The crops are scripts/ocr-fidelity/make_text_images.py's text_line() (random
words in DejaVu/Liberation fonts on paper, half rotated 180 degrees, resized
to height 48 and padded to 192 wide; with --rec none rotated, padded to 320
wide, the recogniser's x[N,3,48,320]), saved as cls_000.png (rec_000.png) ... so the browser
(an image input) and `fixq quantize --calib DIR` read the same files.
Deterministic for a seed.
"""
import argparse
import os
import random
import sys

from PIL import Image

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ocr-fidelity"))
import make_text_images as mti  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rec", action="store_true", help="upright 320x48 lines for the text recogniser")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    r = random.Random(a.seed)
    fs = mti.fonts()
    for i in range(a.n):
        im, _ = mti.text_line(r, fs, width=320, flip=False) if a.rec else mti.text_line(r, fs)
        Image.fromarray(im).save(os.path.join(a.out, ("rec_%03d.png" if a.rec else "cls_%03d.png") % i))
    print("wrote %d PNGs to %s" % (a.n, a.out))


if __name__ == "__main__":
    main()
