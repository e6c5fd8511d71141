package ops

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"fixq/core/graph"
	"fixq/core/tensor"
)

// Every math kernel, fed every combination of up to 2 inputs (3 for ops
// that take 3) from a pool of awkward tensors (missing, scalar, empty,
// wrong type, data shorter than the shape) and a few hostile attribute
// sets, returns a result or an error naming the node, and never panics.
func TestMathKernelsNoPanic(t *testing.T) {
	pool := []*tensor.Tensor{
		nil,
		mtF32(nil, 1.5),
		mtF32([]int{2, 3}, 1, -2, 3, 0, 5, -6),
		mtI64([]int{3}, 2, 0, -1),
		mtU8([]int{2}, 0, 255),
		mtF32([]int{0, 3}),
		mtBool([]int{2, 1}, true, false),
		mtF32([]int{4, 4}, 1, 2),                   // inconsistent: 2 values for 16
		{DType: tensor.DType(11), Shape: []int{1}}, // double: unsupported
	}
	attrSets := [][]*graph.Attr{
		nil,
		{mtAInt("axis", 100), mtAInt("keepdims", 0)},
		{mtAInts("axes", 0, 0, 7), mtAInt("noop_with_empty_axes", 1)},
		{mtAInt("to", 999), mtAFloat("alpha", -1), mtAInt("broadcast", 1)},
	}
	var ops []string
	for op := range mathKernels {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	calls := 0
	for _, op := range ops {
		k := mathKernels[op]
		maxIn := 2
		switch op {
		case "Clip", "Where", "Range", "Dropout", "Sum":
			maxIn = 3
		}
		for ai, attrs := range attrSets {
			for _, opset := range []int64{6, 13, 18} {
				var try func(in []*tensor.Tensor)
				try = func(in []*tensor.Tensor) {
					n := mtNode(op, attrs...)
					n.Outputs = []string{"y", "mask"}
					n.Inputs = make([]string, len(in))
					for i, x := range in {
						if x != nil {
							n.Inputs[i] = fmt.Sprint("in", i)
						}
					}
					calls++
					func() {
						defer func() {
							if r := recover(); r != nil {
								t.Fatalf("%s opset %d attrs #%d inputs %v: panic: %v", op, opset, ai, in, r)
							}
						}()
						_, err := k(&Ctx{Opset: opset}, n, in)
						if err != nil && !strings.Contains(err.Error(), `"n_`+op+`"`) && !strings.Contains(err.Error(), "n_"+op) {
							t.Fatalf("%s: error %q does not name the node", op, err)
						}
					}()
					if len(in) < maxIn {
						for _, x := range pool {
							try(append(in[:len(in):len(in)], x))
						}
					}
				}
				try(nil)
			}
		}
	}
	t.Logf("%d kernel calls", calls)
}
