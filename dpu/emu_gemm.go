package dpu

// The int8 GEMM of the conv engine: C[m][n] = Σ_k A[m][k]·B[k][n] with
// int8 operands and exact int32 results, in pure Go.
//
// Two products share one 64-bit multiply (SWAR): pixel pair (n, n+1) is
// packed as the int64 b(n) + b(n+1)·2^32, so w·pair = w·b(n) +
// w·b(n+1)·2^32 and a sum over k holds both dot products. The low one is
// recovered as the sign-extended low 32 bits, the high one as (s - lo)/2^32;
// both are exact while |Σ| < 2^31, i.e. for K < 2^31/2^14 = 131072 taps
// (|w·b| <= 2^14), far beyond any DPU layer (the bank limit is 16·16·2048).
// Operands are packed in blocks so that the micro-kernel streams one slice
// of weights and one of pixels: weights (int8, sign-extended as they load)
// in blocks of gemmRB rows (aP[blk][k][r]), pixel pairs in blocks of
// gemmPB pairs (bP[blk][k][p]). Callers pass pixels in chunks small enough
// for the cache (gemmChunk); within a chunk a weight block stays in L1
// while it meets every pixel block.

const (
	gemmRB = 6 // weight rows per block (micro6x1)
	gemmPB = 1 // pixel pairs per block
	// gemmMaxK is the largest K the packed sums keep exact.
	gemmMaxK = 1<<31/(1<<14) - 1
	// gemmChunkBytes bounds a chunk of packed pixels (4 bytes per tap).
	gemmChunkBytes = 96 << 10
)

// gemmChunk is the number of pixels per chunk for K taps: a multiple of
// 2·gemmPB, at least one block.
func gemmChunk(K int) int {
	n := gemmChunkBytes / (4 * max(K, 1))
	n -= n % (2 * gemmPB)
	return max(n, 2*gemmPB)
}

// packWeights packs rows [M][K] int8 (row stride lda) into blocks of
// gemmRB rows; missing rows of the last block are zero.
func packWeights(a []int8, M, K, lda int) []int8 {
	blocks := (M + gemmRB - 1) / gemmRB
	dst := make([]int8, blocks*K*gemmRB)
	for m := 0; m < M; m++ {
		blk, r := m/gemmRB, m%gemmRB
		base := blk * K * gemmRB
		row := a[m*lda : m*lda+K]
		for k, v := range row {
			dst[base+k*gemmRB+r] = v
		}
	}
	return dst
}

// pairBlocks is the number of gemmPB-pair blocks holding n pixels.
func pairBlocks(n int) int { return (n + 2*gemmPB - 1) / (2 * gemmPB) }

// pixelSlot returns the index in a packed pixel buffer (K taps per pixel)
// of tap k of pixel n, and whether n is the high half of its pair.
func pixelSlot(n, k, K int) (idx int, high bool) {
	pair := n >> 1
	blk, p := pair/gemmPB, pair%gemmPB
	return blk*K*gemmPB + k*gemmPB + p, n&1 == 1
}

// gemmPacked computes c[m·ldc + n] for m < M, n < N from packed weights
// aP (packWeights) and packed pixels bP (pairBlocks(N) blocks of K taps).
func gemmPacked(c []int32, ldc int, aP []int8, M int, bP []int64, N, K int) {
	rowBlocks := (M + gemmRB - 1) / gemmRB
	colBlocks := pairBlocks(N)
	for rb := 0; rb < rowBlocks; rb++ {
		a := aP[rb*K*gemmRB : (rb+1)*K*gemmRB]
		m0 := rb * gemmRB
		rows := min(gemmRB, M-m0)
		for cb := 0; cb < colBlocks; cb++ {
			var s [gemmRB]int64
			s[0], s[1], s[2], s[3], s[4], s[5] = micro6x1(a, bP[cb*K:(cb+1)*K])
			n := 2 * cb
			for r := 0; r < rows; r++ {
				v := s[r]
				lo := int32(v)
				row := c[(m0+r)*ldc:]
				row[n] = lo
				if n+1 < N {
					row[n+1] = int32((v - int64(lo)) >> 32)
				}
			}
		}
	}
}

// micro6x1 is the inner loop: six weight rows against one pixel pair
// (twelve multiply-adds per k in six 64-bit multiplies). Six int64
// accumulators, one pixel and one weight fit the amd64 registers; wider
// tiles spill (measured).
func micro6x1(a []int8, b []int64) (s0, s1, s2, s3, s4, s5 int64) {
	a = a[:6*len(b)]
	for k, x := range b {
		ak := (*[6]int8)(a[6*k:])
		s0 += int64(ak[0]) * x
		s1 += int64(ak[1]) * x
		s2 += int64(ak[2]) * x
		s3 += int64(ak[3]) * x
		s4 += int64(ak[4]) * x
		s5 += int64(ak[5]) * x
	}
	return
}
