// Package dataset reads the image data sets fixq calibrates and evaluates
// on, and the NumPy arrays that hold PyTorch's reference outputs.
//
// It is pure: everything takes an io.Reader or a byte slice, so it builds
// for js/wasm and the browser can feed it fetched files.
//
// IDX (the MNIST / Fashion-MNIST format, gzipped or not) is read whole into
// uint8 pixels: ReadIDXImages gives an Images (N images of H x W, 1 byte a
// pixel; the 10000 Fashion-MNIST test images are 7.8 MB), ReadIDXLabels the
// labels. Headers are checked before anything is allocated, and a file
// whose header claims more data than it holds is refused with an error, not
// a huge allocation.
//
// Floats are made a batch at a time: Images.Batch writes images
// [start, start+count) as float32 [count,1,H,W] with
//
//	x = (pixel/255 - Mean) / Std
//
// computed in float32 exactly as NumPy does it (so the result matches
// scripts/train's testdata/fmnist_test64.npy bit for bit), and
// Images.Batches iterates over the set reusing one tensor.
//
// CountTop1 scores logits against labels (PyTorch's logits reach Go tests
// as .npy files, read with core/npy).
package dataset
