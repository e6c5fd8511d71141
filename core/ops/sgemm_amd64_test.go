//go:build amd64 && !purego

package ops

import "testing"

// TestSgemmAVX2 checks the assembly kernel against the reference loop
// directly (TestSgemmBest covers it too, but only where init chose it),
// and that init does choose it on a CPU that supports it.
func TestSgemmAVX2(t *testing.T) {
	if !nnHasAVX2FMA() {
		t.Skip("CPU lacks AVX2/FMA: the pure Go kernel is in use (TestSgemmGo covers it)")
	}
	if sgemmBest.mr != sgemmAVX2.mr || sgemmBest.nr != sgemmAVX2.nr {
		t.Fatalf("CPU has AVX2 and FMA but sgemm uses the %dx%d kernel", sgemmBest.mr, sgemmBest.nr)
	}
	testSgemmKernel(t, &sgemmAVX2)
}
