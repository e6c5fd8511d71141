//go:build amd64 && !purego

#include "textflag.h"

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
