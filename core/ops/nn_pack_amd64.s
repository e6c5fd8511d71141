//go:build amd64 && !purego

#include "textflag.h"

// Pool rows: dst[i] = OP(src[s*i], dst[i]) for i < n (a multiple of 8),
// s 1 or 2. VMAXPS mem, v, v is (v > dst) ? v : dst, nnMaxRow's rule.
#define POOL_ROW(OP) \
	MOVQ dst+0(FP), DI; \
	MOVQ src+8(FP), SI; \
	MOVQ n+16(FP), CX; \
	MOVQ s+24(FP), DX; \
	CMPQ DX, $2; \
	JEQ  stride2; \
stride1:; \
	VMOVUPS (SI), Y1; \
	OP      (DI), Y1, Y1; \
	VMOVUPS Y1, (DI); \
	ADDQ    $32, SI; \
	ADDQ    $32, DI; \
	SUBQ    $8, CX; \
	JNZ     stride1; \
	VZEROUPPER; \
	RET; \
stride2:; \
	VMOVUPS (SI), Y1; \
	VMOVUPS 32(SI), Y2; \
	VSHUFPS $0x88, Y2, Y1, Y1; \
	VPERMPD $0xD8, Y1, Y1; \
	OP      (DI), Y1, Y1; \
	VMOVUPS Y1, (DI); \
	ADDQ    $64, SI; \
	ADDQ    $32, DI; \
	SUBQ    $8, CX; \
	JNZ     stride2; \
	VZEROUPPER; \
	RET

// func nnCopy16TapsKern(dst, src *float32, taps *int, n int)
// dst[16*i+j] = src[taps[i]+j], j < 16, i < n (n >= 1).
TEXT ·nnCopy16TapsKern(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ taps+16(FP), BX
	MOVQ n+24(FP), CX

loop:
	MOVQ    (BX), AX
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $8, BX
	ADDQ    $64, DI
	DECQ    CX
	JNZ     loop
	VZEROUPPER
	RET

// func nnGather16x2TapsKern(dst, src *float32, taps *int, n int)
// dst[16*i+j] = src[taps[i]+2*j], j < 16, i < n (n >= 1); reads
// src[taps[i] : taps[i]+32].
TEXT ·nnGather16x2TapsKern(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ taps+16(FP), BX
	MOVQ n+24(FP), CX

loop:
	MOVQ    (BX), AX
	LEAQ    (SI)(AX*4), DX
	VMOVUPS (DX), Y0                 // s0..s7
	VMOVUPS 32(DX), Y1               // s8..s15
	VMOVUPS 64(DX), Y2               // s16..s23
	VMOVUPS 96(DX), Y3               // s24..s31
	VSHUFPS $0x88, Y1, Y0, Y0        // s0 s2 s8 s10 | s4 s6 s12 s14
	VPERMPD $0xD8, Y0, Y0            // s0 s2 s4 s6 s8 s10 s12 s14
	VSHUFPS $0x88, Y3, Y2, Y2
	VPERMPD $0xD8, Y2, Y2            // s16 ... s30
	VMOVUPS Y0, (DI)
	VMOVUPS Y2, 32(DI)
	ADDQ    $8, BX
	ADDQ    $64, DI
	DECQ    CX
	JNZ     loop
	VZEROUPPER
	RET

// func nnPackRows16Kern(dst, src *float32, ldb, kc, np int)
// dst[(q*kc+p)*16+j] = src[p*ldb+q*16+j], p < kc, q < np (both >= 1).
TEXT ·nnPackRows16Kern(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ldb+16(FP), DX
	SHLQ $2, DX                      // source row pitch in bytes
	MOVQ kc+24(FP), CX
	MOVQ CX, R10
	SHLQ $6, R10                     // panel pitch in bytes (kc*16 floats)

rows:
	MOVQ SI, R8
	MOVQ DI, R9
	MOVQ np+32(FP), R11

panels:
	VMOVUPS (R8), Y0
	VMOVUPS 32(R8), Y1
	VMOVUPS Y0, (R9)
	VMOVUPS Y1, 32(R9)
	ADDQ    $64, R8
	ADDQ    R10, R9
	DECQ    R11
	JNZ     panels
	ADDQ    DX, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     rows
	VZEROUPPER
	RET

// func nnDwRowKern(dst *float32, n int, src *float32, s int, w *float32, offs *int, ntaps int, bias float32)
// dst[i] = bias + sum over t of w[t]*src[s*i+offs[t]], summed from 0 in
// order of t (multiply, then add), for i < n; n a multiple of 8, s 1 or
// 2, ntaps >= 1. Stride 2 reads src[s*i+offs[t]+1] of the last i too.
TEXT ·nnDwRowKern(SB), NOSPLIT, $0-60
	MOVQ         dst+0(FP), DI
	MOVQ         n+8(FP), CX
	MOVQ         src+16(FP), SI
	MOVQ         s+24(FP), DX
	MOVQ         w+32(FP), R8
	MOVQ         offs+40(FP), R9
	MOVQ         ntaps+48(FP), R10
	VBROADCASTSS bias+56(FP), Y15
	CMPQ         DX, $2
	JEQ          s2x16

s1x32:
	CMPQ   CX, $32
	JLT    s1x8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ   R8, R11
	MOVQ   R9, R12
	MOVQ   R10, R13

s1x32tap:
	VBROADCASTSS (R11), Y4
	MOVQ         (R12), AX
	LEAQ         (SI)(AX*4), BX
	VMULPS       (BX), Y4, Y5
	VADDPS       Y5, Y0, Y0
	VMULPS       32(BX), Y4, Y6
	VADDPS       Y6, Y1, Y1
	VMULPS       64(BX), Y4, Y7
	VADDPS       Y7, Y2, Y2
	VMULPS       96(BX), Y4, Y8
	VADDPS       Y8, Y3, Y3
	ADDQ         $4, R11
	ADDQ         $8, R12
	DECQ         R13
	JNZ          s1x32tap
	VADDPS       Y15, Y0, Y0
	VADDPS       Y15, Y1, Y1
	VADDPS       Y15, Y2, Y2
	VADDPS       Y15, Y3, Y3
	VMOVUPS      Y0, (DI)
	VMOVUPS      Y1, 32(DI)
	VMOVUPS      Y2, 64(DI)
	VMOVUPS      Y3, 96(DI)
	ADDQ         $128, DI
	ADDQ         $128, SI
	SUBQ         $32, CX
	JMP          s1x32

s1x8:
	CMPQ   CX, $8
	JLT    done
	VXORPS Y0, Y0, Y0
	MOVQ   R8, R11
	MOVQ   R9, R12
	MOVQ   R10, R13

s1x8tap:
	VBROADCASTSS (R11), Y4
	MOVQ         (R12), AX
	VMULPS       (SI)(AX*4), Y4, Y5
	VADDPS       Y5, Y0, Y0
	ADDQ         $4, R11
	ADDQ         $8, R12
	DECQ         R13
	JNZ          s1x8tap
	VADDPS       Y15, Y0, Y0
	VMOVUPS      Y0, (DI)
	ADDQ         $32, DI
	ADDQ         $32, SI
	SUBQ         $8, CX
	JMP          s1x8

s2x16:
	CMPQ   CX, $16
	JLT    s2x8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	MOVQ   R8, R11
	MOVQ   R9, R12
	MOVQ   R10, R13

s2x16tap:
	VBROADCASTSS (R11), Y4
	MOVQ         (R12), AX
	LEAQ         (SI)(AX*4), BX
	VMOVUPS      (BX), Y5
	VMOVUPS      32(BX), Y6
	VSHUFPS      $0x88, Y6, Y5, Y5
	VPERMPD      $0xD8, Y5, Y5
	VMULPS       Y5, Y4, Y5
	VADDPS       Y5, Y0, Y0
	VMOVUPS      64(BX), Y6
	VMOVUPS      96(BX), Y7
	VSHUFPS      $0x88, Y7, Y6, Y6
	VPERMPD      $0xD8, Y6, Y6
	VMULPS       Y6, Y4, Y6
	VADDPS       Y6, Y1, Y1
	ADDQ         $4, R11
	ADDQ         $8, R12
	DECQ         R13
	JNZ          s2x16tap
	VADDPS       Y15, Y0, Y0
	VADDPS       Y15, Y1, Y1
	VMOVUPS      Y0, (DI)
	VMOVUPS      Y1, 32(DI)
	ADDQ         $64, DI
	ADDQ         $128, SI
	SUBQ         $16, CX
	JMP          s2x16

s2x8:
	CMPQ   CX, $8
	JLT    done
	VXORPS Y0, Y0, Y0
	MOVQ   R8, R11
	MOVQ   R9, R12
	MOVQ   R10, R13

s2x8tap:
	VBROADCASTSS (R11), Y4
	MOVQ         (R12), AX
	LEAQ         (SI)(AX*4), BX
	VMOVUPS      (BX), Y5
	VMOVUPS      32(BX), Y6
	VSHUFPS      $0x88, Y6, Y5, Y5
	VPERMPD      $0xD8, Y5, Y5
	VMULPS       Y5, Y4, Y5
	VADDPS       Y5, Y0, Y0
	ADDQ         $4, R11
	ADDQ         $8, R12
	DECQ         R13
	JNZ          s2x8tap
	VADDPS       Y15, Y0, Y0
	VMOVUPS      Y0, (DI)
	ADDQ         $32, DI
	ADDQ         $64, SI
	SUBQ         $8, CX
	JMP          s2x8

done:
	VZEROUPPER
	RET

// func nnSum64Kern(x *float32, blocks int) float64
// The float64 sum of x[0 : 16*blocks] in nnSum64's order: 16 lanes
// (Y0..Y3, four each), combined l += l+8, l+4, l+2, l+1. blocks >= 1.
TEXT ·nnSum64Kern(SB), NOSPLIT, $0-24
	MOVQ   x+0(FP), SI
	MOVQ   blocks+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3

loop:
	VCVTPS2PD    (SI), Y4
	VCVTPS2PD    16(SI), Y5
	VCVTPS2PD    32(SI), Y6
	VCVTPS2PD    48(SI), Y7
	VADDPD       Y4, Y0, Y0
	VADDPD       Y5, Y1, Y1
	VADDPD       Y6, Y2, Y2
	VADDPD       Y7, Y3, Y3
	ADDQ         $64, SI
	DECQ         CX
	JNZ          loop
	VADDPD       Y2, Y0, Y0          // lanes 0-7 += 8-15
	VADDPD       Y3, Y1, Y1
	VADDPD       Y1, Y0, Y0          // lanes 0-3 += 4-7
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0          // lanes 0-1 += 2-3
	VUNPCKHPD    X0, X0, X1
	VADDSD       X1, X0, X0          // lane 0 += 1
	VMOVSD       X0, ret+16(FP)
	VZEROUPPER
	RET

// func nnMaxRowKern(dst, src *float32, n, s int)
TEXT ·nnMaxRowKern(SB), NOSPLIT, $0-32
	POOL_ROW(VMAXPS)

// func nnSumRowKern(dst, src *float32, n, s int)
TEXT ·nnSumRowKern(SB), NOSPLIT, $0-32
	POOL_ROW(VADDPS)
