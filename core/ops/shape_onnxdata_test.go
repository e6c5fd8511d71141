package ops

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"fixq/core/graph"
	"fixq/core/onnx"
	"fixq/core/onnx/onnxpb"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// The shape kernels against ONNX's own backend test data (Debian's
// libonnx-testdata, ONNX 1.12): every node test whose model is made of
// shape-family ops (plus Constant nodes, evaluated here) runs, and the
// number of cases per op is asserted so a missing or skipped case fails.

// shapeONNXWant is the number of backend cases per op (ONNX 1.12 data).
var shapeONNXWant = map[string]int{
	"Concat": 12, "DepthToSpace": 4, "Expand": 2, "Flatten": 9, "Gather": 4,
	"Pad": 3, "Reshape": 10, "Resize": 23, "Shape": 10, "Size": 2, "Slice": 8,
	"SpaceToDepth": 2, "Split": 7, "Squeeze": 2, "Tile": 2, "Transpose": 7,
	"Unsqueeze": 8, "Upsample": 1,
}

// shapeONNXCase is one backend test: the model and its data sets.
type shapeONNXCase struct {
	name  string
	op    string // the shape-family op under test
	model *graph.Model
	sets  []shapeONNXSet
}

type shapeONNXSet struct {
	inputs  map[string]*tensor.Tensor
	outputs []*tensor.Tensor // in graph output order
}

func shapeReadPB(t *testing.T, path string) *tensor.Tensor {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	x, err := onnx.DecodeTensor(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return x
}

// shapeLoadONNXCases finds every backend node test built only from
// shape-family ops and Constant.
func shapeLoadONNXCases(t *testing.T) []shapeONNXCase {
	t.Helper()
	root := filepath.Join(testassets.ONNXTestData(t), "node")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var cases []shapeONNXCase
	for _, d := range dirs {
		dir := filepath.Join(root, d.Name())
		b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
		if err != nil {
			continue
		}
		var mp onnxpb.ModelProto
		if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, &mp); err != nil || mp.Graph == nil {
			continue
		}
		op, ok := "", true
		for _, np := range mp.Graph.Node {
			switch {
			case np.GetOpType() == "Constant":
			case shapeKernels[np.GetOpType()] != nil && (op == "" || op == np.GetOpType()):
				op = np.GetOpType()
			default:
				ok = false
			}
		}
		if !ok || op == "" {
			continue
		}
		m, err := onnx.DecodeBytes(b)
		if err != nil {
			t.Errorf("%s: decode: %v", d.Name(), err)
			continue
		}
		c := shapeONNXCase{name: d.Name(), op: op, model: m}
		setDirs, _ := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
		sort.Strings(setDirs)
		for _, sd := range setDirs {
			s := shapeONNXSet{inputs: map[string]*tensor.Tensor{}}
			for i, vi := range m.Graph.Inputs {
				s.inputs[vi.Name] = shapeReadPB(t, filepath.Join(sd, fmt.Sprintf("input_%d.pb", i)))
			}
			for i := range m.Graph.Outputs {
				s.outputs = append(s.outputs, shapeReadPB(t, filepath.Join(sd, fmt.Sprintf("output_%d.pb", i))))
			}
			c.sets = append(c.sets, s)
		}
		if len(c.sets) == 0 {
			t.Errorf("%s: no test data sets", d.Name())
			continue
		}
		cases = append(cases, c)
	}
	return cases
}

// shapeRunModel runs the nodes of m in order: Constant nodes here, the
// rest with the shape kernels. It returns the graph outputs.
func shapeRunModel(m *graph.Model, inputs map[string]*tensor.Tensor) ([]*tensor.Tensor, error) {
	vals := map[string]*tensor.Tensor{}
	for k, v := range m.Graph.Initializers {
		vals[k] = v
	}
	for k, v := range inputs {
		vals[k] = v
	}
	c := &Ctx{Opset: m.Opset(), Pool: &tensor.Pool{}}
	for _, n := range m.Graph.Nodes {
		var outs []*tensor.Tensor
		if n.OpType == "Constant" {
			a := n.Attrs["value"]
			if a == nil || a.T == nil {
				return nil, fmt.Errorf("constant %q: only tensor values are handled here", n.Name)
			}
			outs = []*tensor.Tensor{a.T}
		} else {
			in := make([]*tensor.Tensor, len(n.Inputs))
			for i, name := range n.Inputs {
				if name != "" {
					in[i] = vals[name]
				}
			}
			var err error
			if outs, err = shapeKernels[n.OpType](c, n, in); err != nil {
				return nil, err
			}
		}
		if len(outs) != len(n.Outputs) {
			return nil, fmt.Errorf("node %q: %d outputs, want %d", n.Name, len(outs), len(n.Outputs))
		}
		for i, name := range n.Outputs {
			vals[name] = outs[i]
		}
	}
	var res []*tensor.Tensor
	for _, o := range m.Graph.Outputs {
		res = append(res, vals[o.Name])
	}
	return res, nil
}

// shapeCompare checks got against want: same dtype and shape, elements
// equal (float32 within atol+rtol*|want| when tol is set, else bit-exact
// up to NaN).
func shapeCompare(got, want *tensor.Tensor, rtol, atol float64) error {
	if got == nil {
		return fmt.Errorf("no output")
	}
	if err := got.Validate(); err != nil {
		return err
	}
	if got.DType != want.DType {
		return fmt.Errorf("dtype %v, want %v", got.DType, want.DType)
	}
	if !tensor.SameShape(got.Shape, want.Shape) && !(len(got.Shape) == 0 && len(want.Shape) == 0) {
		return fmt.Errorf("shape %v, want %v", got.Shape, want.Shape)
	}
	for i := range want.Len() {
		g, w := shapeElemString(got, i), shapeElemString(want, i)
		if got.DType == tensor.Float32 {
			gf, wf := float64(got.F32[i]), float64(want.F32[i])
			if math.IsNaN(gf) && math.IsNaN(wf) {
				continue
			}
			if math.Abs(gf-wf) <= atol+rtol*math.Abs(wf) {
				continue
			}
		} else if g == w {
			continue
		}
		return fmt.Errorf("element %d is %s, want %s", i, g, w)
	}
	return nil
}

func shapeElemString(t *tensor.Tensor, i int) string {
	switch t.DType {
	case tensor.Float32:
		return fmt.Sprint(t.F32[i])
	case tensor.Uint8:
		return fmt.Sprint(t.U8[i])
	case tensor.Int8:
		return fmt.Sprint(t.I8[i])
	case tensor.Int32:
		return fmt.Sprint(t.I32[i])
	case tensor.Int64:
		return fmt.Sprint(t.I64[i])
	case tensor.Bool:
		return fmt.Sprint(t.B[i])
	}
	return "?"
}

func TestShapeOpsONNXBackend(t *testing.T) {
	cases := shapeLoadONNXCases(t)
	count := map[string]int{}
	var names []string
	for _, c := range cases {
		count[c.op]++
		names = append(names, c.name)
		t.Run(c.name, func(t *testing.T) {
			rtol, atol := 0.0, 0.0
			if c.op == "Resize" || c.op == "Upsample" {
				// Interpolation weights are float32 here, float64 in
				// ONNX's numpy reference: a few ulps of difference.
				rtol, atol = 1e-5, 1e-5
			}
			for si, s := range c.sets {
				got, err := shapeRunModel(c.model, s.inputs)
				if err != nil {
					t.Fatalf("set %d: %v", si, err)
				}
				for i, want := range s.outputs {
					if err := shapeCompare(got[i], want, rtol, atol); err != nil {
						t.Errorf("set %d output %d: %v", si, i, err)
					}
				}
			}
		})
	}
	t.Logf("ran %d backend cases: %s", len(names), strings.Join(names, " "))
	for op, want := range shapeONNXWant {
		if count[op] != want {
			t.Errorf("%s: ran %d backend cases, want %d", op, count[op], want)
		}
	}
	for op := range count {
		if _, ok := shapeONNXWant[op]; !ok {
			t.Errorf("%s: %d backend cases ran but none are expected", op, count[op])
		}
	}
}

// shapeCastFloat converts a float32 tensor to dt elementwise (Go
// conversion; bool is v != 0).
func shapeCastFloat(x *tensor.Tensor, dt tensor.DType) *tensor.Tensor {
	out := tensor.MustNew(dt, x.Shape...)
	for i, v := range x.F32 {
		switch dt {
		case tensor.Float32:
			out.F32[i] = v
		case tensor.Uint8:
			out.U8[i] = uint8(int64(v))
		case tensor.Int8:
			out.I8[i] = int8(int64(v))
		case tensor.Int32:
			out.I32[i] = int32(v)
		case tensor.Int64:
			out.I64[i] = int64(v)
		case tensor.Bool:
			out.B[i] = v != 0
		}
	}
	return out
}

// TestShapeOpsONNXBackendAllDTypes reruns every data-movement backend case
// with its float32 data (and Pad's constant value) converted to each other
// dtype: moving elements commutes with converting them, so the expected
// outputs are the converted ONNX outputs.
func TestShapeOpsONNXBackendAllDTypes(t *testing.T) {
	cases := shapeLoadONNXCases(t)
	ran := 0
	for _, c := range cases {
		if len(c.model.Graph.Nodes) != 1 {
			continue
		}
		n := c.model.Graph.Nodes[0]
		if c.op == "Resize" || c.op == "Upsample" {
			mode, _ := n.AttrString("mode", "nearest")
			if mode != "nearest" {
				continue // arithmetic: float32 only
			}
		}
		for _, dt := range []tensor.DType{tensor.Uint8, tensor.Int8, tensor.Int32, tensor.Int64, tensor.Bool} {
			t.Run(fmt.Sprintf("%s/%v", c.name, dt), func(t *testing.T) {
				s := c.sets[0]
				in := map[string]*tensor.Tensor{}
				for i, name := range n.Inputs {
					x := s.inputs[name]
					// Data is input 0; Pad's constant_value follows it.
					if x != nil && x.DType == tensor.Float32 && (i == 0 || (c.op == "Pad" && i == 2) || c.op == "Concat") {
						x = shapeCastFloat(x, dt)
					}
					if x != nil {
						in[name] = x
					}
				}
				got, err := shapeRunModel(c.model, in)
				if err != nil {
					t.Fatal(err)
				}
				for i, want := range s.outputs {
					if want.DType == tensor.Float32 {
						want = shapeCastFloat(want, dt)
					}
					if err := shapeCompare(got[i], want, 0, 0); err != nil {
						t.Errorf("output %d: %v", i, err)
					}
				}
			})
			ran++
		}
	}
	if ran < 100 {
		t.Errorf("only %d dtype variants ran", ran)
	}
}
