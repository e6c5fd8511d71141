package ops

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"fixq/core/graph"
	"fixq/core/npy"
	"fixq/core/onnx"
	"fixq/core/tensor"
	"fixq/internal/testassets"
)

// The math kernels against onnxruntime-node on small graphs built here,
// for semantics the ONNX backend data does not pin down for our types:
// per-channel broadcasting, Cast's float->integer rules, Softmax's 2-D
// coercion before opset 13, integer Div, Clip's attribute form, axes as
// attribute vs input. Every node output is a graph output and compared.

// mtORTGraph is a graph of math nodes over named inputs.
type mtORTGraph struct {
	opset  int64
	inputs []string
	vals   map[string]*tensor.Tensor
	nodes  []*graph.Node
}

func (g *mtORTGraph) in(name string, t *tensor.Tensor) {
	g.inputs = append(g.inputs, name)
	g.vals[name] = t
}

// node adds op(inputs) -> one output named after the node.
func (g *mtORTGraph) node(name, op string, inputs []string, attrs ...*graph.Attr) {
	n := mtNode(op, attrs...)
	n.Name, n.Inputs, n.Outputs = name, inputs, []string{name}
	g.nodes = append(g.nodes, n)
}

func mtORTRand(r *rand.Rand, lo, hi float32, shape ...int) *tensor.Tensor {
	t := tensor.MustNew(tensor.Float32, shape...)
	for i := range t.F32 {
		t.F32[i] = lo + (hi-lo)*r.Float32()
	}
	return t
}

func TestMathORT(t *testing.T) {
	if testing.Short() {
		t.Skip("starts onnxruntime-node (-short)")
	}
	r := rand.New(rand.NewPCG(7, 8))
	s := func(v string) []string { return []string{v} }
	two := func(a, b string) []string { return []string{a, b} }

	a := &mtORTGraph{opset: 14, vals: map[string]*tensor.Tensor{}}
	a.in("x", mtORTRand(r, -3, 3, 2, 3, 4, 5))
	a.in("c", mtORTRand(r, 0.5, 2, 3, 1, 1))
	a.in("row", mtORTRand(r, -1, 1, 5))
	a.in("big", mtF32([]int{2, 6}, -2.7, 2.7, -0.5, 200.7, -1.5, 127.9, -1, 255.9, 256, 300, -129.5, 0))
	a.in("lo", mtF32(nil, -1))
	a.in("hi", mtF32(nil, 1.5))
	a.in("i", mtI64([]int{6}, 7, -7, 7, -7, 100, -3))
	a.in("j", mtI64([]int{6}, 2, 2, -2, -2, 7, 5))
	a.in("i1", mtI64([]int{1}, 7))
	a.in("cond", mtBool([]int{4, 1}, true, false, false, true))
	a.in("axes13", mtI64([]int{2}, 1, 3))
	a.in("r0", mtI64(nil, 10))
	a.in("r1", mtI64(nil, -4))
	a.in("r2", mtI64(nil, -3))
	a.in("f0", mtF32(nil, 0.1))
	a.in("f1", mtF32(nil, 2.2))
	a.in("f2", mtF32(nil, 0.3))
	a.in("shape", mtI64([]int{2}, 2, 3))
	for _, op := range []string{"Add", "Sub", "Mul", "Div", "PRelu"} {
		a.node(op+"_c", op, two("x", "c"))
		a.node(op+"_row", op, two("x", "row"))
	}
	a.node("Sub_cx", "Sub", two("c", "x"))
	a.node("Div_int", "Div", two("i", "j"))
	a.node("Mul_int", "Mul", two("i", "i1"))
	for _, op := range []string{"Relu", "Sigmoid", "Tanh", "Erf", "Exp", "Abs", "Neg", "Floor", "Ceil", "Round", "HardSwish", "Reciprocal"} {
		a.node(op, op, s("x"))
	}
	a.node("Log", "Log", s("c"))
	a.node("Sqrt", "Sqrt", s("c"))
	a.node("LeakyRelu", "LeakyRelu", s("x"), mtAFloat("alpha", 0.3))
	a.node("HardSigmoid", "HardSigmoid", s("x"), mtAFloat("alpha", 0.3), mtAFloat("beta", 0.4))
	a.node("Clip", "Clip", []string{"x", "lo", "hi"})
	a.node("Clip_max", "Clip", []string{"x", "", "hi"})
	a.node("Pow2", "Pow", two("x", "hi"))
	a.node("Pow_c", "Pow", two("c", "row"))
	for _, op := range []string{"Max", "Min", "Sum", "Mean"} {
		a.node(op, op, []string{"x", "c", "row"})
	}
	for axis := -4; axis < 4; axis++ {
		a.node(fmt.Sprint("Softmax", axis+4), "Softmax", s("x"), mtAInt("axis", int64(axis)))
	}
	a.node("LogSoftmax", "LogSoftmax", s("x"), mtAInt("axis", 1))
	for _, dt := range []tensor.DType{tensor.Int8, tensor.Uint8, tensor.Int32, tensor.Int64, tensor.Bool} {
		a.node("Cast_"+dt.String(), "Cast", s("big"), mtAInt("to", int64(dt)))
	}
	a.node("Cast_i64_f32", "Cast", s("i"), mtAInt("to", int64(tensor.Float32)))
	for _, op := range []string{"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"} {
		a.node(op, op, two("i", "i1"))
	}
	a.node("Where", "Where", []string{"cond", "x", "row"})
	for _, op := range []string{"ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare"} {
		a.node(op+"_23", op, s("x"), mtAInts("axes", 2, 3))
		a.node(op+"_0", op, s("x"), mtAInts("axes", 0, -1), mtAInt("keepdims", 0))
		a.node(op+"_all", op, s("x"))
	}
	a.node("ReduceSum_in", "ReduceSum", two("x", "axes13"), mtAInt("keepdims", 0))
	a.node("ReduceSum_int", "ReduceSum", s("i"))
	a.node("ReduceMax_int", "ReduceMax", s("i"), mtAInt("keepdims", 0))
	a.node("Range", "Range", []string{"r0", "r1", "r2"})
	a.node("Range_f", "Range", []string{"f0", "f1", "f2"})
	a.node("ConstantOfShape", "ConstantOfShape", s("shape"), mtATensor("value", mtI32([]int{1}, -5)))
	a.node("Pow_int", "Pow", two("j", "i1"))
	mtORTCompare(t, a)

	b := &mtORTGraph{opset: 10, vals: map[string]*tensor.Tensor{}}
	b.in("x", mtORTRand(r, -3, 3, 2, 3, 4, 5))
	b.node("Softmax", "Softmax", s("x"))
	b.node("Softmax2", "Softmax", s("x"), mtAInt("axis", 2))
	b.node("Softmax0", "Softmax", s("x"), mtAInt("axis", 0))
	b.node("LogSoftmax", "LogSoftmax", s("x"), mtAInt("axis", -1))
	b.node("Clip", "Clip", s("x"), mtAFloat("min", -0.5), mtAFloat("max", 2))
	b.node("ReduceSum", "ReduceSum", s("x"), mtAInts("axes", 1))
	b.node("Dropout", "Dropout", s("x"), mtAFloat("ratio", 0.3))
	mtORTCompare(t, b)

	d := &mtORTGraph{opset: 18, vals: map[string]*tensor.Tensor{}}
	d.in("x", mtORTRand(r, -3, 3, 2, 3, 4, 5))
	d.in("ax", mtI64([]int{2}, 0, 2))
	d.in("none", mtI64([]int{0}))
	d.node("ReduceMean", "ReduceMean", two("x", "ax"))
	d.node("ReduceMax", "ReduceMax", two("x", "ax"), mtAInt("keepdims", 0))
	d.node("ReduceMin_all", "ReduceMin", two("x", "none"))
	d.node("ReduceL2_noop", "ReduceL2", two("x", "none"), mtAInt("noop_with_empty_axes", 1))
	d.node("ReduceL1_noop", "ReduceL1", s("x"), mtAInt("noop_with_empty_axes", 1))
	d.node("ReduceSumSquare_noop", "ReduceSumSquare", two("x", "none"), mtAInt("noop_with_empty_axes", 1))
	d.node("ReduceMean_noop", "ReduceMean", two("x", "none"), mtAInt("noop_with_empty_axes", 1))
	mtORTCompare(t, d)
}

// mtORTCompare runs g with our kernels and with onnxruntime-node and
// compares every node output.
func mtORTCompare(t *testing.T, g *mtORTGraph) {
	t.Helper()
	vals := map[string]*tensor.Tensor{}
	for k, v := range g.vals {
		vals[k] = v
	}
	if err := mtRunNodes(t, g.opset, g.nodes, vals); err != nil {
		t.Fatal(err)
	}
	m := &graph.Model{IRVersion: 8, ProducerName: "fixq-test", Opsets: map[string]int64{"": g.opset},
		Graph: &graph.Graph{Name: "math"}}
	var ins []*tensor.Tensor
	for _, name := range g.inputs {
		v := g.vals[name]
		vi := graph.ValueInfo{Name: name, DType: v.DType, Shape: []graph.Dim{}}
		for _, d := range v.Shape {
			vi.Shape = append(vi.Shape, graph.Dim{Value: int64(d)})
		}
		m.Graph.Inputs = append(m.Graph.Inputs, vi)
		ins = append(ins, v)
	}
	var outs []string
	for _, n := range g.nodes {
		o := n.Outputs[0]
		m.Graph.Outputs = append(m.Graph.Outputs, graph.ValueInfo{Name: o, DType: vals[o].DType})
		outs = append(outs, o)
	}
	m.Graph.Nodes = g.nodes
	b, err := onnx.EncodeBytes(m)
	if err != nil {
		t.Fatal(err)
	}
	nodeBin, env := testassets.Node(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.onnx")
	if err := os.WriteFile(model, b, 0o644); err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(dir, "out")
	args := []string{"../../scripts/ort/run.js", model, outDir}
	for i, in := range ins {
		p := filepath.Join(dir, fmt.Sprintf("in%d.npy", i))
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := npy.Write(f, in); err != nil {
			t.Fatal(err)
		}
		f.Close()
		args = append(args, p)
	}
	cmd := exec.Command(nodeBin, args...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("onnxruntime-node: %v\n%s", err, out)
	}
	for i, o := range outs {
		f, err := os.Open(filepath.Join(outDir, fmt.Sprintf("%d.npy", i)))
		if err != nil {
			t.Fatal(err)
		}
		want, err := npy.Read(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := mtDiff(vals[o], want, mtRtol, mtAtol); err != nil {
			t.Errorf("opset %d %s: %v", g.opset, o, err)
		}
	}
}
