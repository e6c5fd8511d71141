// Package prep turns calibration and evaluation data into model inputs:
// decoding PNG/JPEG images, resizing (bilinear, half-pixel centres),
// centre-cropping, channel order, scaling and mean/std normalisation, and
// NCHW/NHWC layout; and walking data sets given as a list of named byte
// blobs (a folder of images, an ImageFolder with one sub-folder per class,
// or one .npy tensor [N, ...]) in fixed-size batches, so only one batch is
// decoded at a time.
//
// It reads bytes, never files: the CLI, the browser worker and the
// Cloudflare Worker each hand it what they read their own way.
package prep
