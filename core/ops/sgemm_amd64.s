//go:build amd64 && !purego

#include "textflag.h"

// func sgemmKern6x16AVX2(kc int, pa, pb, c *float32, ldc int, acc bool, bias *float32)
// C[6x16] (+)= sum over p < kc of pa[p*6+i] * pb[p*16+j]; C rows ldc
// floats apart. kc >= 1. With bias != nil, row i is bias[i] + the sum. Multiply then add (no FMA), in the pure Go
// kernel's order, so both give the same bits: fixq's outputs must not
// depend on the machine (the browser's wasm runs the pure Go kernel).
TEXT ·sgemmKern6x16AVX2(SB), NOSPLIT, $0-56
	MOVQ kc+0(FP), CX
	MOVQ pa+8(FP), SI
	MOVQ pb+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

loop:
	VMOVUPS      (DI), Y12
	VMOVUPS      32(DI), Y13
	VBROADCASTSS (SI), Y14
	VMULPS       Y12, Y14, Y15
	VADDPS       Y15, Y0, Y0
	VMULPS       Y13, Y14, Y15
	VADDPS       Y15, Y1, Y1
	VBROADCASTSS 4(SI), Y14
	VMULPS       Y12, Y14, Y15
	VADDPS       Y15, Y2, Y2
	VMULPS       Y13, Y14, Y15
	VADDPS       Y15, Y3, Y3
	VBROADCASTSS 8(SI), Y14
	VMULPS       Y12, Y14, Y15
	VADDPS       Y15, Y4, Y4
	VMULPS       Y13, Y14, Y15
	VADDPS       Y15, Y5, Y5
	VBROADCASTSS 12(SI), Y14
	VMULPS       Y12, Y14, Y15
	VADDPS       Y15, Y6, Y6
	VMULPS       Y13, Y14, Y15
	VADDPS       Y15, Y7, Y7
	VBROADCASTSS 16(SI), Y14
	VMULPS       Y12, Y14, Y15
	VADDPS       Y15, Y8, Y8
	VMULPS       Y13, Y14, Y15
	VADDPS       Y15, Y9, Y9
	VBROADCASTSS 20(SI), Y14
	VMULPS       Y12, Y14, Y15
	VADDPS       Y15, Y10, Y10
	VMULPS       Y13, Y14, Y15
	VADDPS       Y15, Y11, Y11
	ADDQ         $24, SI
	ADDQ         $64, DI
	DECQ         CX
	JNZ          loop

	MOVQ         bias+48(FP), AX
	TESTQ        AX, AX
	JZ           nobias
	VBROADCASTSS (AX), Y12
	VADDPS       Y12, Y0, Y0
	VADDPS       Y12, Y1, Y1
	VBROADCASTSS 4(AX), Y12
	VADDPS       Y12, Y2, Y2
	VADDPS       Y12, Y3, Y3
	VBROADCASTSS 8(AX), Y12
	VADDPS       Y12, Y4, Y4
	VADDPS       Y12, Y5, Y5
	VBROADCASTSS 12(AX), Y12
	VADDPS       Y12, Y6, Y6
	VADDPS       Y12, Y7, Y7
	VBROADCASTSS 16(AX), Y12
	VADDPS       Y12, Y8, Y8
	VADDPS       Y12, Y9, Y9
	VBROADCASTSS 20(AX), Y12
	VADDPS       Y12, Y10, Y10
	VADDPS       Y12, Y11, Y11
	JMP          store

nobias:
	MOVBLZX acc+40(FP), AX
	TESTQ   AX, AX
	JZ      store
	VADDPS  (DX), Y0, Y0
	VADDPS  32(DX), Y1, Y1
	LEAQ    (DX)(R8*1), R9
	VADDPS  (R9), Y2, Y2
	VADDPS  32(R9), Y3, Y3
	LEAQ    (R9)(R8*1), R9
	VADDPS  (R9), Y4, Y4
	VADDPS  32(R9), Y5, Y5
	LEAQ    (R9)(R8*1), R9
	VADDPS  (R9), Y6, Y6
	VADDPS  32(R9), Y7, Y7
	LEAQ    (R9)(R8*1), R9
	VADDPS  (R9), Y8, Y8
	VADDPS  32(R9), Y9, Y9
	LEAQ    (R9)(R8*1), R9
	VADDPS  (R9), Y10, Y10
	VADDPS  32(R9), Y11, Y11

store:
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	ADDQ    R8, DX
	VMOVUPS Y10, (DX)
	VMOVUPS Y11, 32(DX)
	VZEROUPPER
	RET

// func nnCPUID(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·nnCPUID(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func nnXGETBV() (eax, edx uint32)
TEXT ·nnXGETBV(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET
