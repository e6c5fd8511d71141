package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"fixq/core/prep"
)

// prepFlags are the preprocessing flags every data-reading command shares.
type prepFlags struct {
	size, crop, mean, std, scale, layout, file string
	gray, bgr                                  bool
}

func (p *prepFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.size, "size", "", "resize images to HxW (bilinear) before cropping, e.g. 256x256")
	fs.StringVar(&p.crop, "crop", "", "centre-crop HxW after resizing, e.g. 224x224")
	fs.BoolVar(&p.gray, "gray", false, "read images as one luminance channel")
	fs.BoolVar(&p.bgr, "bgr", false, "order colour channels B,G,R")
	fs.StringVar(&p.scale, "scale", "", "multiply raw 0..255 pixels by this (default 1/255)")
	fs.StringVar(&p.mean, "mean", "", "per-channel mean after scaling, e.g. 0.485,0.456,0.406")
	fs.StringVar(&p.std, "std", "", "per-channel std after scaling, e.g. 0.229,0.224,0.225")
	fs.StringVar(&p.layout, "layout", "", "input layout: nchw (default) or nhwc")
	fs.StringVar(&p.file, "preprocess", "", "read preprocessing options from a JSON file (flags override it)")
}

// options builds prep.Options: the JSON file first, then the flags.
func (p *prepFlags) options() (prep.Options, error) {
	var o prep.Options
	var err error
	if p.file != "" {
		b, err := os.ReadFile(p.file)
		if err != nil {
			return o, err
		}
		if o, err = prep.ParseOptionsJSON(b); err != nil {
			return o, fmt.Errorf("%s: %w", p.file, err)
		}
	}
	if p.size != "" {
		if o.Size, err = prep.ParseHW(p.size); err != nil {
			return o, usagef("--size: %v", err)
		}
	}
	if p.crop != "" {
		if o.Crop, err = prep.ParseHW(p.crop); err != nil {
			return o, usagef("--crop: %v", err)
		}
	}
	o.Gray = o.Gray || p.gray
	o.BGR = o.BGR || p.bgr
	if p.scale != "" {
		v, err := prep.ParseFloats(p.scale)
		if err != nil || len(v) != 1 {
			return o, usagef("--scale: want one number")
		}
		o.Scale = v[0]
	}
	if p.mean != "" {
		if o.Mean, err = prep.ParseFloats(p.mean); err != nil {
			return o, usagef("--mean: %v", err)
		}
	}
	if p.std != "" {
		if o.Std, err = prep.ParseFloats(p.std); err != nil {
			return o, usagef("--std: %v", err)
		}
	}
	if p.layout != "" {
		o.Layout = strings.ToLower(p.layout)
	}
	return o, o.Validate()
}

// loadDataset reads a data path: a .npy tensor file, or a folder of
// images (labelled: an ImageFolder with one sub-folder per class). Image
// files are listed now and read one batch at a time later.
func loadDataset(path string, labelled bool) (*prep.Dataset, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if strings.EqualFold(filepath.Ext(path), ".npy") {
			if labelled {
				return nil, fmt.Errorf("%s: evaluation needs an ImageFolder (one sub-folder per class), not a .npy", path)
			}
			f, err := os.Open(path)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			d, err := prep.FromNPY(f)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			return d, nil
		}
		return nil, fmt.Errorf("%s: want a folder of images or a .npy file", path)
	}
	var rel []string
	err = filepath.WalkDir(path, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.Type().IsRegular() {
			r, err := filepath.Rel(path, p)
			if err != nil {
				return err
			}
			rel = append(rel, filepath.ToSlash(r))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	d, err := prep.FromFiles(rel, func(r string) ([]byte, error) {
		return os.ReadFile(filepath.Join(path, filepath.FromSlash(r)))
	}, labelled)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}
