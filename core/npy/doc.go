// Package npy reads and writes NumPy .npy files (format versions 1.0, 2.0
// and 3.0) as tensor.Tensors: little-endian, C order, dtypes <f4, <i8,
// <i4, |i1, |u1 and |b1; <f8 is read and converted to float32 (fixq
// computes in float32). Fortran order, big-endian data, structured and
// object dtypes are refused with an error.
//
// Read treats its input as untrusted: the header is bounded
// (MaxHeaderBytes), the element count is checked against
// tensor.MaxElements, and the data is read in growing chunks, so a small
// file that claims a huge shape fails at its end of file having allocated
// about twice its own size. ReadHeader reads only the header.
package npy
