package ops

import "testing"

func TestDropout(t *testing.T) {
	mtONNX(t, "test_dropout_default", "test_dropout_default_mask", "test_dropout_default_mask_ratio",
		"test_dropout_default_old", "test_dropout_default_ratio", "test_dropout_random_old")
	x := mtF32([]int{2, 2}, 1, 2, 3, 4)
	n := mtNode("Dropout")
	n.Outputs = []string{"y", "mask"}
	outs, err := mtCall(t, 13, n, x)
	if err != nil {
		t.Fatal(err)
	}
	if outs[0] != x {
		t.Error("output is not the input")
	}
	if err := mtDiff(outs[1], mtBool([]int{2, 2}, true, true, true, true), 0, 0); err != nil {
		t.Errorf("mask: %v", err)
	}
	// Before opset 10 the mask has the input's type.
	n.SetAttr(mtAInt("is_test", 1))
	if outs, err = mtCall(t, 6, n, x); err != nil {
		t.Fatal(err)
	}
	if err := mtDiff(outs[1], mtF32([]int{2, 2}, 1, 1, 1, 1), 0, 0); err != nil {
		t.Errorf("opset 6 mask: %v", err)
	}
	// Training mode with ratio 0 is the identity too.
	mtWant(t, 13, mtNode("Dropout"), x, x, mtF32(nil, 0), mtBool(nil, true))
	mtWant(t, 13, mtNode("Dropout"), x, x, mtF32(nil, 0.3), mtBool(nil, false))

	mtWantErr(t, 13, mtNode("Dropout"), []string{"training mode with ratio 0.5"}, x, nil, mtBool(nil, true))
	mtWantErr(t, 6, mtNode("Dropout", mtAInt("is_test", 0)), []string{"training mode"}, x)
	mtWantErr(t, 13, mtNode("Dropout"), []string{"training_mode is int64[]"}, x, nil, mtI64(nil, 1))
	mtWantErr(t, 13, mtNode("Dropout"), []string{"ratio is int64, want float32"}, x, mtI64(nil, 1))
	mtWantErr(t, 13, mtNode("Dropout", mtAInt("mode", 1)), []string{`unsupported attribute "mode"`}, x)
}
