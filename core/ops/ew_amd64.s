//go:build amd64 && !purego

#include "textflag.h"

// AVX2 elementwise float32 loops (ew.go has the pure Go versions, which
// define the results). Each lane does exactly the scalar operation of the
// Go loop, in its order (IEEE single precision, no FMA), so the bits are
// the pure Go loop's. 32 lanes per step, then 8, then one at a time.
// Min/max: VMAXPS/VMINPS return their second (Intel) source when the
// comparison is false, NaN or ±0 included, which is Go's
// `if v < lo { v = lo }` (VMAXPS lo, v) and `if v > hi { v = hi }`
// (VMINPS hi, v) exactly. Go operand order: OP src2, src1, dst.

// d[i] = a[i] OP b[i]. Frame: d+0 a+8 b+16 n+24.
#define EW_VV(OPV, OPS) \
	MOVQ d+0(FP), DI; \
	MOVQ a+8(FP), SI; \
	MOVQ b+16(FP), BX; \
	MOVQ n+24(FP), CX; \
loop32:; \
	CMPQ    CX, $32; \
	JLT     loop8; \
	VMOVUPS (SI), Y1; \
	VMOVUPS 32(SI), Y2; \
	VMOVUPS 64(SI), Y3; \
	VMOVUPS 96(SI), Y4; \
	OPV     (BX), Y1, Y1; \
	OPV     32(BX), Y2, Y2; \
	OPV     64(BX), Y3, Y3; \
	OPV     96(BX), Y4, Y4; \
	VMOVUPS Y1, (DI); \
	VMOVUPS Y2, 32(DI); \
	VMOVUPS Y3, 64(DI); \
	VMOVUPS Y4, 96(DI); \
	ADDQ    $128, SI; \
	ADDQ    $128, BX; \
	ADDQ    $128, DI; \
	SUBQ    $32, CX; \
	JMP     loop32; \
loop8:; \
	CMPQ    CX, $8; \
	JLT     loop1; \
	VMOVUPS (SI), Y1; \
	OPV     (BX), Y1, Y1; \
	VMOVUPS Y1, (DI); \
	ADDQ    $32, SI; \
	ADDQ    $32, BX; \
	ADDQ    $32, DI; \
	SUBQ    $8, CX; \
	JMP     loop8; \
loop1:; \
	TESTQ   CX, CX; \
	JZ      done; \
	VMOVSS  (SI), X1; \
	VMOVSS  (BX), X2; \
	OPS     X2, X1, X1; \
	VMOVSS  X1, (DI); \
	ADDQ    $4, SI; \
	ADDQ    $4, BX; \
	ADDQ    $4, DI; \
	DECQ    CX; \
	JMP     loop1; \
done:; \
	VZEROUPPER; \
	RET

// d[i] = STEP(a[i]) with the scalar s broadcast in Y0/X0: a[i] OP s, or
// s OP a[i] for the reversed steps. Frame: d+0 a+8 n+16 s+24.
#define EW_VS(STEPV, STEPS) \
	MOVQ         d+0(FP), DI; \
	MOVQ         a+8(FP), SI; \
	MOVQ         n+16(FP), CX; \
	VBROADCASTSS s+24(FP), Y0; \
loop32:; \
	CMPQ    CX, $32; \
	JLT     loop8; \
	VMOVUPS (SI), Y1; \
	VMOVUPS 32(SI), Y2; \
	VMOVUPS 64(SI), Y3; \
	VMOVUPS 96(SI), Y4; \
	STEPV(Y1); \
	STEPV(Y2); \
	STEPV(Y3); \
	STEPV(Y4); \
	VMOVUPS Y1, (DI); \
	VMOVUPS Y2, 32(DI); \
	VMOVUPS Y3, 64(DI); \
	VMOVUPS Y4, 96(DI); \
	ADDQ    $128, SI; \
	ADDQ    $128, DI; \
	SUBQ    $32, CX; \
	JMP     loop32; \
loop8:; \
	CMPQ    CX, $8; \
	JLT     loop1; \
	VMOVUPS (SI), Y1; \
	STEPV(Y1); \
	VMOVUPS Y1, (DI); \
	ADDQ    $32, SI; \
	ADDQ    $32, DI; \
	SUBQ    $8, CX; \
	JMP     loop8; \
loop1:; \
	TESTQ   CX, CX; \
	JZ      done; \
	VMOVSS  (SI), X1; \
	STEPS(X1); \
	VMOVSS  X1, (DI); \
	ADDQ    $4, SI; \
	ADDQ    $4, DI; \
	DECQ    CX; \
	JMP     loop1; \
done:; \
	VZEROUPPER; \
	RET

#define ADDV(R) VADDPS Y0, R, R
#define ADDS(R) VADDSS X0, R, R
#define SUBV(R) VSUBPS Y0, R, R
#define SUBS(R) VSUBSS X0, R, R
#define RSUBV(R) VSUBPS R, Y0, R
#define RSUBS(R) VSUBSS R, X0, R
#define MULV(R) VMULPS Y0, R, R
#define MULS(R) VMULSS X0, R, R
#define DIVV(R) VDIVPS Y0, R, R
#define DIVS(R) VDIVSS X0, R, R
#define RDIVV(R) VDIVPS R, Y0, R
#define RDIVS(R) VDIVSS R, X0, R
#define MAXV(R) VMAXPS R, Y0, R
#define MAXS(R) VMAXSS R, X0, R

// d[i] = STEP(a[i]) with constants in Y5.. set up by SETUP; T is a temporary.
// Frame: d+0 a+8 n+16, then the float32 constants.
#define EW_MAP(SETUP, STEPV, STEPS) \
	MOVQ d+0(FP), DI; \
	MOVQ a+8(FP), SI; \
	MOVQ n+16(FP), CX; \
	SETUP; \
loop16:; \
	CMPQ    CX, $16; \
	JLT     loop8; \
	VMOVUPS (SI), Y1; \
	VMOVUPS 32(SI), Y2; \
	STEPV(Y1, Y3); \
	STEPV(Y2, Y4); \
	VMOVUPS Y1, (DI); \
	VMOVUPS Y2, 32(DI); \
	ADDQ    $64, SI; \
	ADDQ    $64, DI; \
	SUBQ    $16, CX; \
	JMP     loop16; \
loop8:; \
	CMPQ    CX, $8; \
	JLT     loop1; \
	VMOVUPS (SI), Y1; \
	STEPV(Y1, Y3); \
	VMOVUPS Y1, (DI); \
	ADDQ    $32, SI; \
	ADDQ    $32, DI; \
	SUBQ    $8, CX; \
	JMP     loop8; \
loop1:; \
	TESTQ   CX, CX; \
	JZ      done; \
	VMOVSS  (SI), X1; \
	STEPS(X1, X3); \
	VMOVSS  X1, (DI); \
	ADDQ    $4, SI; \
	ADDQ    $4, DI; \
	DECQ    CX; \
	JMP     loop1; \
done:; \
	VZEROUPPER; \
	RET

// Clamp: Y5 = lo, Y6 = hi. v = v < lo ? lo : v; v = v > hi ? hi : v.
#define CLAMP_SETUP VBROADCASTSS lo+24(FP), Y5; VBROADCASTSS hi+28(FP), Y6
#define CLAMPV(R, T) VMAXPS R, Y5, R; VMINPS R, Y6, R
#define CLAMPS(R, T) VMAXSS R, X5, R; VMINSS R, X6, R

// Affine: Y5 = m, Y6 = c. v = v*m + c (two roundings).
#define AFFINE_SETUP VBROADCASTSS m+24(FP), Y5; VBROADCASTSS c+28(FP), Y6
#define AFFINEV(R, T) VMULPS Y5, R, R; VADDPS Y6, R, R
#define AFFINES(R, T) VMULSS X5, R, R; VADDSS X6, R, R

DATA ewOne<>+0(SB)/4, $0x3f800000
GLOBL ewOne<>(SB), RODATA|NOPTR, $4

// Hard sigmoid: Y5 = alpha, Y6 = beta, Y7 = 0, Y8 = 1.
// y = alpha*v + beta; y = y < 0 ? 0 : y; y = y > 1 ? 1 : y.
#define HSIG_SETUP VBROADCASTSS alpha+24(FP), Y5; VBROADCASTSS beta+28(FP), Y6; VXORPS Y7, Y7, Y7; VBROADCASTSS ewOne<>(SB), Y8
#define HSIGV(R, T) VMULPS R, Y5, R; VADDPS Y6, R, R; VMAXPS R, Y7, R; VMINPS R, Y8, R
#define HSIGS(R, T) VMULSS R, X5, R; VADDSS X6, R, R; VMAXSS R, X7, R; VMINSS R, X8, R

// Hard swish: d = v * hardsigmoid(v), the hard sigmoid as above in T.
#define HSWV(R, T) VMULPS R, Y5, T; VADDPS Y6, T, T; VMAXPS T, Y7, T; VMINPS T, Y8, T; VMULPS T, R, R
#define HSWS(R, T) VMULSS R, X5, T; VADDSS X6, T, T; VMAXSS T, X7, T; VMINSS T, X8, T; VMULSS T, R, R

// func ewAddVVKern(d, a, b *float32, n int)
TEXT ·ewAddVVKern(SB), NOSPLIT, $0-32
	EW_VV(VADDPS, VADDSS)

// func ewSubVVKern(d, a, b *float32, n int)
TEXT ·ewSubVVKern(SB), NOSPLIT, $0-32
	EW_VV(VSUBPS, VSUBSS)

// func ewMulVVKern(d, a, b *float32, n int)
TEXT ·ewMulVVKern(SB), NOSPLIT, $0-32
	EW_VV(VMULPS, VMULSS)

// func ewDivVVKern(d, a, b *float32, n int)
TEXT ·ewDivVVKern(SB), NOSPLIT, $0-32
	EW_VV(VDIVPS, VDIVSS)

// func ewAddVSKern(d, a *float32, n int, s float32)
TEXT ·ewAddVSKern(SB), NOSPLIT, $0-28
	EW_VS(ADDV, ADDS)

// func ewSubVSKern(d, a *float32, n int, s float32)
TEXT ·ewSubVSKern(SB), NOSPLIT, $0-28
	EW_VS(SUBV, SUBS)

// func ewSubSVKern(d, a *float32, n int, s float32)
TEXT ·ewSubSVKern(SB), NOSPLIT, $0-28
	EW_VS(RSUBV, RSUBS)

// func ewMulVSKern(d, a *float32, n int, s float32)
TEXT ·ewMulVSKern(SB), NOSPLIT, $0-28
	EW_VS(MULV, MULS)

// func ewDivVSKern(d, a *float32, n int, s float32)
TEXT ·ewDivVSKern(SB), NOSPLIT, $0-28
	EW_VS(DIVV, DIVS)

// func ewDivSVKern(d, a *float32, n int, s float32)
TEXT ·ewDivSVKern(SB), NOSPLIT, $0-28
	EW_VS(RDIVV, RDIVS)

// func ewReluKern(d, a *float32, n int, s float32)
// d[i] = a[i] < s ? s : a[i] (called with s = 0).
TEXT ·ewReluKern(SB), NOSPLIT, $0-28
	EW_VS(MAXV, MAXS)

// func ewClampKern(d, a *float32, n int, lo, hi float32)
TEXT ·ewClampKern(SB), NOSPLIT, $0-32
	EW_MAP(CLAMP_SETUP, CLAMPV, CLAMPS)

// func ewAffineKern(d, a *float32, n int, m, c float32)
TEXT ·ewAffineKern(SB), NOSPLIT, $0-32
	EW_MAP(AFFINE_SETUP, AFFINEV, AFFINES)

// func ewHardSigmoidKern(d, a *float32, n int, alpha, beta float32)
TEXT ·ewHardSigmoidKern(SB), NOSPLIT, $0-32
	EW_MAP(HSIG_SETUP, HSIGV, HSIGS)

// func ewHardSwishKern(d, a *float32, n int, alpha, beta float32)
TEXT ·ewHardSwishKern(SB), NOSPLIT, $0-32
	EW_MAP(HSIG_SETUP, HSWV, HSWS)
