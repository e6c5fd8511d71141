package quant

import (
	"strings"
	"testing"

	"fixq/core/graph"
)

func TestConfigZeroValueIsDPUDefault(t *testing.T) {
	var c Config
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	s := c.For(&graph.Node{Name: "c", OpType: "Conv"})
	if s.Method != MethodDiffs || s.WeightMethod != MethodDiffs || s.Float {
		t.Errorf("zero config gives %+v, want diffs/diffs/quantized", s)
	}
	if c.calibSize() != 100 {
		t.Errorf("calib size %d, want 100", c.calibSize())
	}
}

func TestConfigPrecedence(t *testing.T) {
	c, err := ParseConfig([]byte(`{
		"method": "maxmin",
		"op_types": {"Conv": {"method": "diffs", "float": true}, "Relu": {"weight_method": "maxmin"}},
		"nodes": {"conv_2": {"float": false, "method": "maxmin"}, "conv_3": {"float": false}},
		"float": ["conv_3", "relu_1"]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		node    graph.Node
		method  Method
		wmethod Method
		float   bool
		by      string
	}{
		{graph.Node{Name: "conv_1", OpType: "Conv"}, MethodDiffs, MethodDiffs, true, "op_types[Conv]"},
		{graph.Node{Name: "conv_2", OpType: "Conv"}, MethodMaxMin, MethodDiffs, false, "nodes[conv_2]"},
		{graph.Node{Name: "conv_3", OpType: "Conv"}, MethodDiffs, MethodDiffs, true, "float"},
		{graph.Node{Name: "relu_1", OpType: "Relu"}, MethodMaxMin, MethodMaxMin, true, "float"},
		{graph.Node{Name: "add_1", OpType: "Add"}, MethodMaxMin, MethodDiffs, false, "default"},
	}
	for _, k := range cases {
		s := c.For(&k.node)
		if s.Method != k.method || s.WeightMethod != k.wmethod || s.Float != k.float || s.FloatBy != k.by {
			t.Errorf("%s: got %+v, want method %s weight %s float %v by %s", k.node.Name, s, k.method, k.wmethod, k.float, k.by)
		}
	}
}

func TestParseConfigErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"methd": "diffs"}`, "unknown field"},
		{`{"method": "entropy"}`, "method"},
		{`{"bit_width": 16}`, "bit_width"},
		{`{"calib_size": -1}`, "calib_size"},
		{`{"cle": "true"}`, "cannot unmarshal"},
		{`{"op_types": {"Conv": {"method": "kl"}}}`, "op_types[Conv]"},
		{`{"nodes": {"a": {"flaot": true}}}`, "unknown field"},
		{`{} {}`, "trailing"},
	}
	for _, c := range cases {
		_, err := ParseConfig([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseConfig(%s) error %v, want it to mention %q", c.in, err, c.want)
		}
	}
}

func TestConfigValidateForUnknownNode(t *testing.T) {
	g := &graph.Graph{Nodes: []*graph.Node{{Name: "conv_1", OpType: "Conv"}}}
	c := Config{Float: []string{"conv_9"}}
	if err := c.ValidateFor(g); err == nil || !strings.Contains(err.Error(), "conv_9") {
		t.Errorf("got %v, want an error naming conv_9", err)
	}
	c = Config{Nodes: map[string]Override{"x": {}}}
	if err := c.ValidateFor(g); err == nil || !strings.Contains(err.Error(), "nodes[x]") {
		t.Errorf("got %v, want an error naming nodes[x]", err)
	}
}
