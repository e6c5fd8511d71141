#!/usr/bin/python3
"""Renders real-looking text images for PaddleOCR fidelity and timing runs (fixq's quantizer evidence).

    /usr/bin/python3 scripts/ocr-fidelity/make_text_images.py OUT_DIR [--seed 1]

Writes, preprocessed as PaddleOCR expects (RGB, x/255, then (x-0.5)/0.5; float32 NCHW .npy):
  cls_calib.npy [100,3,48,192]  text-line crops for the direction classifier (half rotated 180 degrees)
  cls_eval.npy  [300,3,48,192]  other crops, same recipe;  cls_eval_rot.npy [300] uint8, 1 = rotated
  det_calib.npy [20,3,320,320]  pages with 4-9 text lines each (the detector's input)
  det_eval.npy  [20,3,320,320]
plus a few PNGs (cls_*.png, det_*.png) to look at.

Text: random words of Latin letters/digits and, where a font has them, none else (DejaVu and Liberation,
regular/bold/serif/mono, 14-40 px), dark ink (0-80 grey, sometimes blue-ish) on white or light paper
(200-255, with slight per-image tint and mild Gaussian noise), small rotations (+-3 degrees) and blur on
some. Cls crops are resized to height 48 keeping the aspect ratio and right-padded with the background to
192 wide, as PaddleOCR's cls preprocessing does (it pads with zeros after normalization; we pad with the
paper colour, which is what a real crop looks like). Deterministic for a seed.
"""
import argparse
import glob
import os
import random
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.dont_write_bytecode = True

WORDS = ("the of and to in is for on that by with from this are as at be or an have not it new data model "
         "invoice total amount date page order number price item quantity address phone email street city "
         "report summary chapter section figure table result value account payment receipt customer service "
         "open close start stop north south east west monday friday january march october 2024 2025 100 250 "
         "42 3.14 15:30 No. Ref. ID Tel. Fax www example com").split()


def fonts():
    fs = []
    for pat in ("/usr/share/fonts/truetype/dejavu/*.ttf", "/usr/share/fonts/truetype/liberation/*.ttf"):
        fs += sorted(glob.glob(pat))
    if not fs:
        sys.exit("no TrueType fonts under /usr/share/fonts/truetype")
    return fs


def sentence(r, lo, hi):
    s = " ".join(r.choice(WORDS) for _ in range(r.randint(lo, hi)))
    return s.capitalize() if r.random() < 0.5 else (s.upper() if r.random() < 0.2 else s)


def paper(r):
    base = r.randint(200, 255)
    return tuple(max(0, min(255, base + r.randint(-12, 6))) for _ in range(3))


def ink(r):
    g = r.randint(0, 80)
    if r.random() < 0.2:
        return (g // 3, g // 3, min(255, g + 90))  # blue pen
    return (g, g, g)


def finish(r, im):
    if r.random() < 0.3:
        im = im.filter(ImageFilter.GaussianBlur(r.uniform(0.3, 0.9)))
    a = np.asarray(im, dtype=np.float32)
    a = a + np.random.default_rng(r.randint(0, 1 << 30)).normal(0, r.uniform(0, 6), a.shape)
    return np.clip(a, 0, 255).astype(np.uint8)


def text_line(r, fs, width=192, flip=True):
    """A random text line, height 48, padded to width; with flip, rotated 180
    degrees half the time (the direction classifier's task). The defaults draw
    the same lines as always for a seed."""
    font = ImageFont.truetype(r.choice(fs), r.randint(18, 40))
    txt = sentence(r, 1, 4)
    bg = paper(r)
    l, t, rr, b = font.getbbox(txt)
    w, h = rr - l + r.randint(4, 20), b - t + r.randint(4, 14)
    im = Image.new("RGB", (w, h), bg)
    ImageDraw.Draw(im).text((r.randint(2, 8) - l, (h - (b - t)) // 2 - t), txt, font=font, fill=ink(r))
    im = im.rotate(r.uniform(-3, 3), resample=Image.BILINEAR, expand=False, fillcolor=bg)
    rot = flip and r.random() < 0.5
    if rot:
        im = im.rotate(180)
    # PaddleOCR cls/rec resize: height 48, width min(width, ceil(48*w/h)), then pad to width.
    nw = min(width, int(np.ceil(48 * im.width / im.height)))
    im = im.resize((nw, 48), Image.BILINEAR)
    out = Image.new("RGB", (width, 48), bg)
    out.paste(im, (0, 0))
    return finish(r, out), rot


def page(r, fs):
    bg = paper(r)
    im = Image.new("RGB", (320, 320), bg)
    d = ImageDraw.Draw(im)
    y = r.randint(4, 30)
    for _ in range(r.randint(4, 9)):
        font = ImageFont.truetype(r.choice(fs), r.randint(14, 30))
        txt = sentence(r, 1, 5)
        x = r.randint(4, 80)
        l, t, rr, b = font.getbbox(txt)
        if y + (b - t) > 310:
            break
        d.text((x - l, y - t), txt, font=font, fill=ink(r))
        y += (b - t) + r.randint(8, 30)
    im = im.rotate(r.uniform(-3, 3), resample=Image.BILINEAR, fillcolor=bg)
    return finish(r, im)


def norm(batch):
    x = np.stack(batch).astype(np.float32) / 255.0
    return ((x - 0.5) / 0.5).transpose(0, 3, 1, 2).copy()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cls", type=int, default=100, help="calibration crops")
    ap.add_argument("--cls-eval", type=int, default=300, help="evaluation crops")
    ap.add_argument("--det", type=int, default=20)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    r = random.Random(a.seed)
    fs = fonts()
    for split in ("calib", "eval"):
        ims, rots = zip(*[text_line(r, fs) for _ in range(a.cls if split == "calib" else a.cls_eval)])
        np.save(os.path.join(a.out, "cls_%s.npy" % split), norm(ims))
        if split == "eval":
            np.save(os.path.join(a.out, "cls_eval_rot.npy"), np.array(rots, dtype=np.uint8))
        for i in range(3):
            Image.fromarray(ims[i]).save(os.path.join(a.out, "cls_%s_%d.png" % (split, i)))
        pages = [page(r, fs) for _ in range(a.det)]
        np.save(os.path.join(a.out, "det_%s.npy" % split), norm(pages))
        for i in range(2):
            Image.fromarray(pages[i]).save(os.path.join(a.out, "det_%s_%d.png" % (split, i)))
    print("wrote %s" % a.out)


if __name__ == "__main__":
    main()
