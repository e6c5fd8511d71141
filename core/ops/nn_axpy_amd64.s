//go:build amd64 && !purego

#include "textflag.h"

// func nnAxpyKernAVX2(dst, src *float32, n int, a float32)
// dst[i] += a*src[i] for i < n, 16 then 8 lanes at a time, then scalars.
// Multiply then add (no FMA) so the bits equal the pure Go loop's.
TEXT ·nnAxpyKernAVX2(SB), NOSPLIT, $0-28
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS a+24(FP), Y0

loop16:
	CMPQ        CX, $16
	JLT         tail8
	VMOVUPS     (SI), Y1
	VMOVUPS     32(SI), Y2
	VMULPS      Y0, Y1, Y1
	VADDPS      (DI), Y1, Y1
	VMULPS      Y0, Y2, Y2
	VADDPS      32(DI), Y2, Y2
	VMOVUPS     Y1, (DI)
	VMOVUPS     Y2, 32(DI)
	ADDQ        $64, SI
	ADDQ        $64, DI
	SUBQ        $16, CX
	JMP         loop16

tail8:
	CMPQ        CX, $8
	JLT         tail1
	VMOVUPS     (SI), Y1
	VMULPS      Y0, Y1, Y1
	VADDPS      (DI), Y1, Y1
	VMOVUPS     Y1, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX

tail1:
	TESTQ       CX, CX
	JZ          done
	VMOVSS      (SI), X1
	VMULSS      X0, X1, X1
	VADDSS      (DI), X1, X1
	VMOVSS      X1, (DI)
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JMP         tail1

done:
	VZEROUPPER
	RET

// func nnAxpyStride2KernAVX2(dst, src *float32, groups int, a float32)
// dst[i] += a*src[2*i] for i < 8*groups, reading src[0 : 16*groups].
TEXT ·nnAxpyStride2KernAVX2(SB), NOSPLIT, $0-28
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         groups+16(FP), CX
	VBROADCASTSS a+24(FP), Y0

loop:
	VMOVUPS     (SI), Y1                 // s0..s7
	VMOVUPS     32(SI), Y2               // s8..s15
	VSHUFPS     $0x88, Y2, Y1, Y3        // s0 s2 s8 s10 | s4 s6 s12 s14
	VPERMPD     $0xD8, Y3, Y3            // s0 s2 s4 s6 s8 s10 s12 s14
	VMULPS      Y0, Y3, Y3
	VADDPS      (DI), Y3, Y3
	VMOVUPS     Y3, (DI)
	ADDQ        $64, SI
	ADDQ        $32, DI
	DECQ        CX
	JNZ         loop
	VZEROUPPER
	RET
