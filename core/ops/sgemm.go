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
	sgemmKC = 256 // depth of a packed block (fixes the summation order: keep)
	// sgemmMC is the most rows of A packed at once (a multiple of every
	// mr). Up to that many rows, each B panel is packed once into a small
	// buffer right before the micro-kernel uses it for every row panel.
	sgemmMC = 384
	sgemmNC = 1024 // columns of B per packed block when m > sgemmMC
	// sgemmABudget bounds the floats of A packed once for all of n.
	sgemmABudget = 1 << 20
	// sgemmCBudget is about how many floats of C one column block holds.
	sgemmCBudget = 1 << 16
	// sgemmGroup is how many B panels are packed together for one row
	// block (so B's rows are read in longer runs).
	sgemmGroup = 8
)

// sgemmKernel computes a full mr x nr tile: C = tile (C += tile if acc;
// C = bias[i] + tile on row i if bias is not nil) where tile = sum over
// p < kc of pa[p*mr+i] * pb[p*nr+j], summed in order of p.
//
// strip, if not nil, computes nt full tiles stacked down one B panel in a
// single call: tile r from pa[r*mr*kc:(r+1)*mr*kc] into rows r*mr.. of c,
// bias[r*mr:(r+1)*mr] if bias is not nil.
type sgemmKernel struct {
	mr, nr int
	tile   func(kc int, pa, pb []float32, c []float32, ldc int, acc bool, bias []float32)
	strip  func(kc int, pa, pb []float32, c []float32, ldc, nt int, acc bool, bias []float32)
}

// sgemmGo is the pure Go micro-kernel, used where no assembly one exists
// (wasm) or the CPU lacks the needed features.
var sgemmGo = sgemmKernel{mr: 4, nr: 4, tile: sgemmTile4x4, strip: sgemmStrip4x4}

// sgemmBest is the kernel sgemm uses; an assembly file may replace it at
// init when the CPU supports it.
var sgemmBest = sgemmGo

// sgemmWork holds sgemm's packing buffers so the hot path allocates
// nothing once they have grown. The zero value is ready to use.
type sgemmWork struct {
	packA, packB []float32
	edge         []float32 // one mr x nr tile for partial tiles
	mat          sgemmMat  // the B source of a plain sgemm call
}

func (w *sgemmWork) grow(kern *sgemmKernel, na, nb int) {
	if cap(w.packA) < na {
		w.packA = make([]float32, na)
	}
	if cap(w.packB) < nb {
		w.packB = make([]float32, nb)
	}
	if ne := kern.mr * kern.nr; cap(w.edge) < ne {
		w.edge = make([]float32, ne)
	}
}

// sgemmB is where sgemm reads op(B) from: a matrix (sgemmMat) or an
// implicit one such as Conv's im2col (convImB), packed straight from X.
type sgemmB interface {
	// packPanels writes depths pc..pc+kc of columns j0..j0+ncols as
	// ceil(ncols/nr) panels of nr columns: column j0+q*nr+j of panel q at
	// dst[q*nr*kc + p*nr + j], zero past ncols.
	packPanels(dst []float32, nr, pc, kc, j0, ncols int)
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
	w.mat = sgemmMat{b: b, ldb: ldb, trans: transB}
	sgemmPacked(kern, w, transA, m, n, k, alpha, a, lda, &w.mat, c, ldc, accumulate, nil)
	w.mat = sgemmMat{}
}

// sgemmPacked is the blocked product with B read through src. With
// rowInit (length m) and !accumulate, C starts as rowInit[i] on row i
// (a bias), added before the first depth block's sum exactly as if C had
// been filled with it and accumulated into. m, n, k >= 1.
func sgemmPacked(kern *sgemmKernel, w *sgemmWork, transA bool, m, n, k int, alpha float32,
	a []float32, lda int, src sgemmB, c []float32, ldc int, accumulate bool, rowInit []float32) {
	mr, nr := kern.mr, kern.nr
	mpad := (m + mr - 1) / mr * mr
	single := m <= sgemmMC
	// With one row block, all of A is packed once (if small enough) and
	// each B panel goes through a small buffer; otherwise B is packed a
	// block at a time and reused across row blocks.
	aOnce := single && mpad*k <= sgemmABudget
	na := min(m, sgemmMC) * sgemmKC
	if single {
		na = mpad * min(k, sgemmKC)
		if aOnce {
			na = mpad * k
		}
	}
	nb := sgemmKC * nr * sgemmGroup
	if !single {
		nb = sgemmKC * sgemmNC
	}
	w.grow(kern, na, nb)
	// Columns per pass over the depth blocks: with A packed once, C is
	// walked in blocks of about sgemmCBudget floats, which stay in cache
	// from one depth block to the next.
	nc0 := sgemmNC
	if single {
		nc0 = n
		if aOnce && k > sgemmKC {
			nc0 = max(4*nr, sgemmCBudget/m/nr*nr)
		}
	}
	for jc := 0; jc < n; jc += nc0 {
		nc := min(nc0, n-jc)
		for pc := 0; pc < k; pc += sgemmKC {
			kc := min(sgemmKC, k-pc)
			acc := accumulate || pc > 0
			init := rowInit != nil && !acc
			for ic := 0; ic < m; ic += sgemmMC {
				mc := min(sgemmMC, m-ic)
				var pa []float32
				switch {
				case aOnce:
					pa = w.packA[pc*mpad : pc*mpad+mpad*kc]
					if jc == 0 {
						sgemmPackA(pa, mr, transA, alpha, a, lda, ic, mc, pc, kc)
					}
				default:
					pa = w.packA[:(mc+mr-1)/mr*mr*kc]
					sgemmPackA(pa, mr, transA, alpha, a, lda, ic, mc, pc, kc)
				}
				for jr := 0; jr < nc; jr += nr {
					nn := min(nr, nc-jr)
					var pb []float32
					if single {
						// Pack sgemmGroup panels at a time into a buffer
						// that stays in cache.
						g := jr / nr % sgemmGroup
						if g == 0 {
							src.packPanels(w.packB, nr, pc, kc, jc+jr, min(nc-jr, sgemmGroup*nr))
						}
						pb = w.packB[g*nr*kc : (g+1)*nr*kc]
					} else {
						pb = w.packB[jr*kc : (jr+nr)*kc]
						if ic == 0 {
							src.packPanels(pb, nr, pc, kc, jc+jr, nn)
						}
					}
					ir := 0
					if nt := mc / mr; kern.strip != nil && nn == nr && nt > 0 {
						// All full tiles of this column in one call.
						off := ic*ldc + jc + jr
						if init {
							kern.strip(kc, pa, pb, c[off:], ldc, nt, false, rowInit[ic:ic+nt*mr])
						} else {
							kern.strip(kc, pa, pb, c[off:], ldc, nt, acc, nil)
						}
						ir = nt * mr
					}
					for ; ir < mc; ir += mr {
						mm := min(mr, mc-ir)
						pai := pa[ir*kc : (ir+mr)*kc]
						off := (ic+ir)*ldc + jc + jr
						if mm == mr && nn == nr {
							if init {
								kern.tile(kc, pai, pb, c[off:], ldc, false, rowInit[ic+ir:ic+ir+mr])
							} else {
								kern.tile(kc, pai, pb, c[off:], ldc, acc, nil)
							}
							continue
						}
						// Partial tile: compute into the edge buffer, then
						// write only the valid part.
						e := w.edge[:mr*nr]
						kern.tile(kc, pai, pb, e, nr, false, nil)
						for i := 0; i < mm; i++ {
							ci := c[off+i*ldc : off+i*ldc+nn]
							ei := e[i*nr : i*nr+nn]
							switch {
							case init:
								v := rowInit[ic+ir+i]
								for j := range ci {
									ci[j] = v + ei[j]
								}
							case acc:
								for j := range ci {
									ci[j] += ei[j]
								}
							default:
								copy(ci, ei)
							}
						}
					}
				}
			}
		}
	}
}

// sgemmMat is a stored op(B): B(p, j) = b[p*ldb+j], or b[j*ldb+p] if
// trans.
type sgemmMat struct {
	b     []float32
	ldb   int
	trans bool
}

func (s *sgemmMat) packPanels(dst []float32, nr, pc, kc, j0, ncols int) {
	b, ldb := s.b, s.ldb
	if !s.trans && nr == 16 && ncols%16 == 0 {
		// Row by row, so each row of B is read contiguously.
		nnPackRows16(dst, b[pc*ldb+j0:], ldb, kc, ncols/16)
		return
	}
	if !s.trans && nr == 4 && ncols%4 == 0 {
		sgemmPackRows4(dst, b[pc*ldb+j0:], ldb, kc, ncols/4)
		return
	}
	for q := 0; q*nr < ncols; q++ {
		s.packPanel(dst[q*nr*kc:(q+1)*nr*kc], nr, pc, kc, j0+q*nr, min(nr, ncols-q*nr))
	}
}

func (s *sgemmMat) packPanel(panel []float32, nr, pc, kc, j0, nn int) {
	b, ldb := s.b, s.ldb
	if s.trans {
		for j := 0; j < nr; j++ {
			if j >= nn {
				for p := 0; p < kc; p++ {
					panel[p*nr+j] = 0
				}
				continue
			}
			src := b[(j0+j)*ldb+pc : (j0+j)*ldb+pc+kc]
			for p, v := range src {
				panel[p*nr+j] = v
			}
		}
		return
	}
	if nn == nr && nr == 16 {
		nnPackRows16(panel, b[pc*ldb+j0:], ldb, kc, 1)
		return
	}
	if nn == nr && nr == 4 {
		sgemmPackRows4(panel, b[pc*ldb+j0:], ldb, kc, 1)
		return
	}
	for p := 0; p < kc; p++ {
		row := (pc+p)*ldb + j0
		d := panel[p*nr : p*nr+nr]
		copy(d, b[row:row+nn])
		clear(d[nn:])
	}
}

// sgemmPackRows4 sets dst[(q*kc+p)*4+j] = src[p*ldb+q*4+j] for p < kc,
// q < np, j < 4 (the pure Go kernel's panels), element by element: a copy
// per 4 floats would be a memmove call each.
func sgemmPackRows4(dst, src []float32, ldb, kc, np int) {
	for p := 0; p < kc; p++ {
		row := src[p*ldb : p*ldb+np*4]
		for q := 0; q < np; q++ {
			d, v := (*[4]float32)(dst[(q*kc+p)*4:]), (*[4]float32)(row[q*4:])
			d[0], d[1], d[2], d[3] = v[0], v[1], v[2], v[3]
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

// sgemmStrip4x4 is the pure Go micro-kernel over a column of nt 4x4
// tiles sharing one B panel: tile r is rows 4r..4r+3 of c (A panel
// pa[r*4*kc:(r+1)*4*kc]; bias[4r:4r+4] if bias is not nil), each computed
// as sgemmKernel.tile describes. Sixteen scalar accumulators are about
// what the Go register allocator handles before spilling. Under wasm,
// every call and every loop iteration is costly, so one call covers the
// strip and the depth loop is unrolled by four (then one at a time); each
// accumulator still adds its products in order of p.
func sgemmStrip4x4(kc int, pa, pb []float32, c []float32, ldc, nt int, acc bool, bias []float32) {
	pb = pb[:kc*4]
	for r := 0; r < nt; r++ {
		var c00, c01, c02, c03, c10, c11, c12, c13 float32
		var c20, c21, c22, c23, c30, c31, c32, c33 float32
		pa := pa[r*4*kc : (r+1)*4*kc]
		pb := pb
		for len(pa) >= 16 && len(pb) >= 16 {
			av := (*[16]float32)(pa)
			bv := (*[16]float32)(pb)
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
			b0, b1, b2, b3 = bv[4], bv[5], bv[6], bv[7]
			a0 = av[4]
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c03 += a0 * b3
			a1 = av[5]
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			c13 += a1 * b3
			a2 = av[6]
			c20 += a2 * b0
			c21 += a2 * b1
			c22 += a2 * b2
			c23 += a2 * b3
			a3 = av[7]
			c30 += a3 * b0
			c31 += a3 * b1
			c32 += a3 * b2
			c33 += a3 * b3
			b0, b1, b2, b3 = bv[8], bv[9], bv[10], bv[11]
			a0 = av[8]
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c03 += a0 * b3
			a1 = av[9]
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			c13 += a1 * b3
			a2 = av[10]
			c20 += a2 * b0
			c21 += a2 * b1
			c22 += a2 * b2
			c23 += a2 * b3
			a3 = av[11]
			c30 += a3 * b0
			c31 += a3 * b1
			c32 += a3 * b2
			c33 += a3 * b3
			b0, b1, b2, b3 = bv[12], bv[13], bv[14], bv[15]
			a0 = av[12]
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c03 += a0 * b3
			a1 = av[13]
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			c13 += a1 * b3
			a2 = av[14]
			c20 += a2 * b0
			c21 += a2 * b1
			c22 += a2 * b2
			c23 += a2 * b3
			a3 = av[15]
			c30 += a3 * b0
			c31 += a3 * b1
			c32 += a3 * b2
			c33 += a3 * b3
			pa = pa[16:]
			pb = pb[16:]
		}
		for len(pa) >= 4 && len(pb) >= 4 {
			av := (*[4]float32)(pa)
			bv := (*[4]float32)(pb)
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
			pa = pa[4:]
			pb = pb[4:]
		}
		off := r * 4 * ldc
		r0 := c[off : off+4 : off+4]
		r1 := c[off+ldc : off+ldc+4 : off+ldc+4]
		r2 := c[off+2*ldc : off+2*ldc+4 : off+2*ldc+4]
		r3 := c[off+3*ldc : off+3*ldc+4 : off+3*ldc+4]
		if bias != nil {
			b := bias[4*r : 4*r+4 : 4*r+4]
			r0[0], r0[1], r0[2], r0[3] = b[0]+c00, b[0]+c01, b[0]+c02, b[0]+c03
			r1[0], r1[1], r1[2], r1[3] = b[1]+c10, b[1]+c11, b[1]+c12, b[1]+c13
			r2[0], r2[1], r2[2], r2[3] = b[2]+c20, b[2]+c21, b[2]+c22, b[2]+c23
			r3[0], r3[1], r3[2], r3[3] = b[3]+c30, b[3]+c31, b[3]+c32, b[3]+c33
			continue
		}
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
			continue
		}
		r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
		r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
		r2[0], r2[1], r2[2], r2[3] = c20, c21, c22, c23
		r3[0], r3[1], r3[2], r3[3] = c30, c31, c32, c33
	}
}

// sgemmTile4x4 is one tile of sgemmStrip4x4.
func sgemmTile4x4(kc int, pa, pb []float32, c []float32, ldc int, acc bool, bias []float32) {
	sgemmStrip4x4(kc, pa, pb, c, ldc, 1, acc, bias)
}
