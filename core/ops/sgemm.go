package ops

// sgemm is the single float32 matrix multiply behind Conv, ConvTranspose,
// Gemm and MatMul. It follows the Goto/BLIS scheme: B is packed in
// kc x nc blocks of nr-wide column panels, A in mc x kc blocks of mr-high
// row panels (scaled by alpha while packing), and a register-tiled
// micro-kernel computes one mr x nr tile of C from one A panel and one B
// panel. Transposed operands are absorbed by the packing routines.
//
// The reference loop it must match is
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += A(i, p) * B(p, j)
//			}
//			C[i*ldc+j] = alpha*s (+ C[i*ldc+j] if accumulate)
//		}
//	}
//
// with A(i, p) = a[i*lda+p] (a[p*lda+i] if transA) and B(p, j) =
// b[p*ldb+j] (b[j*ldb+p] if transB). Summation order differs from the
// loop, so results agree to float rounding, not bit for bit.

const (
	sgemmKC = 256  // depth of a packed block
	sgemmMC = 96   // rows of A per packed block (multiple of every mr)
	sgemmNC = 1024 // columns of B per packed block (multiple of every nr)
)

// sgemmKernel computes a full mr x nr tile: C = tile (or C += tile if acc)
// where tile = sum over p < kc of pa[p*mr+i] * pb[p*nr+j].
type sgemmKernel struct {
	mr, nr int
	tile   func(kc int, pa, pb []float32, c []float32, ldc int, acc bool)
}

// sgemmGo is the pure Go micro-kernel, used where no assembly one exists
// (wasm) or the CPU lacks the needed features.
var sgemmGo = sgemmKernel{mr: 4, nr: 4, tile: sgemmTile4x4}

// sgemmBest is the kernel sgemm uses; an assembly file may replace it at
// init when the CPU supports it.
var sgemmBest = sgemmGo

// sgemmWork holds sgemm's packing buffers so the hot path allocates
// nothing once they have grown. The zero value is ready to use.
type sgemmWork struct {
	packA, packB []float32
	edge         []float32 // one mr x nr tile for partial tiles
}

func (w *sgemmWork) grow(kern *sgemmKernel) {
	if na := sgemmMC * sgemmKC; cap(w.packA) < na {
		w.packA = make([]float32, na)
	}
	if nb := sgemmKC * sgemmNC; cap(w.packB) < nb {
		w.packB = make([]float32, nb)
	}
	if ne := kern.mr * kern.nr; cap(w.edge) < ne {
		w.edge = make([]float32, ne)
	}
}

// sgemm computes C = alpha*op(A)*op(B), or C += alpha*op(A)*op(B) when
// accumulate is set; op(A) is m x k, op(B) is k x n (see the reference loop
// above). w may be nil (buffers are then allocated per call).
func sgemm(w *sgemmWork, transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	sgemmWith(&sgemmBest, w, transA, transB, m, n, k, alpha, a, lda, b, ldb, c, ldc, accumulate)
}

func sgemmWith(kern *sgemmKernel, w *sgemmWork, transA, transB bool, m, n, k int, alpha float32,
	a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	if m <= 0 || n <= 0 {
		return
	}
	if k <= 0 || alpha == 0 {
		if !accumulate {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	if m == 1 && !transB {
		// A row vector times B: axpy over B's rows, no packing (a GEMV is
		// bound by reading B once; packing would read it twice).
		row := c[:n]
		if !accumulate {
			clear(row)
		}
		astep := 1
		if transA {
			astep = lda
		}
		for p := 0; p < k; p++ {
			nnAxpy(row, b[p*ldb:p*ldb+n], alpha*a[p*astep])
		}
		return
	}
	if w == nil {
		w = &sgemmWork{}
	}
	w.grow(kern)
	mr, nr := kern.mr, kern.nr
	for jc := 0; jc < n; jc += sgemmNC {
		nc := min(sgemmNC, n-jc)
		for pc := 0; pc < k; pc += sgemmKC {
			kc := min(sgemmKC, k-pc)
			acc := accumulate || pc > 0
			sgemmPackB(w.packB, nr, transB, b, ldb, pc, kc, jc, nc)
			for ic := 0; ic < m; ic += sgemmMC {
				mc := min(sgemmMC, m-ic)
				sgemmPackA(w.packA, mr, transA, alpha, a, lda, ic, mc, pc, kc)
				for jr := 0; jr < nc; jr += nr {
					nn := min(nr, nc-jr)
					pb := w.packB[jr*kc : (jr+nr)*kc]
					for ir := 0; ir < mc; ir += mr {
						mm := min(mr, mc-ir)
						pa := w.packA[ir*kc : (ir+mr)*kc]
						off := (ic+ir)*ldc + jc + jr
						if mm == mr && nn == nr {
							kern.tile(kc, pa, pb, c[off:], ldc, acc)
							continue
						}
						// Partial tile: compute into the edge buffer, then
						// write only the valid part.
						e := w.edge[:mr*nr]
						kern.tile(kc, pa, pb, e, nr, false)
						for i := 0; i < mm; i++ {
							ci := c[off+i*ldc : off+i*ldc+nn]
							ei := e[i*nr : i*nr+nn]
							if acc {
								for j := range ci {
									ci[j] += ei[j]
								}
							} else {
								copy(ci, ei)
							}
						}
					}
				}
			}
		}
	}
}

// sgemmPackA packs rows ic..ic+mc, depths pc..pc+kc of op(A), times alpha,
// into mr-high panels: panel r holds pa[r*mr*kc + p*mr + i]. Rows past mc
// are zero.
func sgemmPackA(dst []float32, mr int, trans bool, alpha float32, a []float32, lda, ic, mc, pc, kc int) {
	for ir := 0; ir < mc; ir += mr {
		panel := dst[ir*kc : (ir+mr)*kc]
		mm := min(mr, mc-ir)
		for i := 0; i < mr; i++ {
			if i >= mm {
				for p := 0; p < kc; p++ {
					panel[p*mr+i] = 0
				}
				continue
			}
			row := ic + ir + i
			if trans {
				for p := 0; p < kc; p++ {
					panel[p*mr+i] = alpha * a[(pc+p)*lda+row]
				}
			} else {
				src := a[row*lda+pc : row*lda+pc+kc]
				for p, v := range src {
					panel[p*mr+i] = alpha * v
				}
			}
		}
	}
}

// sgemmPackB packs depths pc..pc+kc, columns jc..jc+nc of op(B) into
// nr-wide panels: panel r holds pb[r*nr*kc + p*nr + j]. Columns past nc
// are zero.
func sgemmPackB(dst []float32, nr int, trans bool, b []float32, ldb, pc, kc, jc, nc int) {
	for jr := 0; jr < nc; jr += nr {
		panel := dst[jr*kc : (jr+nr)*kc]
		nn := min(nr, nc-jr)
		if trans {
			for j := 0; j < nr; j++ {
				if j >= nn {
					for p := 0; p < kc; p++ {
						panel[p*nr+j] = 0
					}
					continue
				}
				col := jc + jr + j
				src := b[col*ldb+pc : col*ldb+pc+kc]
				for p, v := range src {
					panel[p*nr+j] = v
				}
			}
			continue
		}
		for p := 0; p < kc; p++ {
			row := (pc+p)*ldb + jc + jr
			d := panel[p*nr : p*nr+nr]
			copy(d, b[row:row+nn])
			clear(d[nn:])
		}
	}
}

// sgemmTile4x4 is the pure Go micro-kernel. Sixteen scalar accumulators
// are about what the Go register allocator handles before spilling.
func sgemmTile4x4(kc int, pa, pb []float32, c []float32, ldc int, acc bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	pa = pa[:kc*4]
	pb = pb[:kc*4]
	for p := 0; p+4 <= len(pa); p += 4 {
		av := pa[p : p+4 : p+4]
		bv := pb[p : p+4 : p+4]
		b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
		a0 := av[0]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := av[1]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := av[2]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := av[3]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	r0 := c[0:4:4]
	r1 := c[ldc : ldc+4 : ldc+4]
	r2 := c[2*ldc : 2*ldc+4 : 2*ldc+4]
	r3 := c[3*ldc : 3*ldc+4 : 3*ldc+4]
	if acc {
		r0[0] += c00
		r0[1] += c01
		r0[2] += c02
		r0[3] += c03
		r1[0] += c10
		r1[1] += c11
		r1[2] += c12
		r1[3] += c13
		r2[0] += c20
		r2[1] += c21
		r2[2] += c22
		r2[3] += c23
		r3[0] += c30
		r3[1] += c31
		r3[2] += c32
		r3[3] += c33
		return
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
	r2[0], r2[1], r2[2], r2[3] = c20, c21, c22, c23
	r3[0], r3[1], r3[2], r3[3] = c30, c31, c32, c33
}
