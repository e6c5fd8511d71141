package graph

import (
	"fmt"
	"strings"
	"testing"
)

func TestTopoSortOrdersAndFindsCycles(t *testing.T) {
	// c reads b reads a, listed backwards; d is independent and keeps its place.
	g := &Graph{Inputs: []ValueInfo{{Name: "x"}}, Outputs: []ValueInfo{{Name: "c"}, {Name: "d"}}, Nodes: []*Node{
		{Name: "nc", OpType: "Relu", Inputs: []string{"b"}, Outputs: []string{"c"}},
		{Name: "nd", OpType: "Relu", Inputs: []string{"x"}, Outputs: []string{"d"}},
		{Name: "nb", OpType: "Relu", Inputs: []string{"a"}, Outputs: []string{"b"}},
		{Name: "na", OpType: "Relu", Inputs: []string{"x"}, Outputs: []string{"a"}},
	}}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range g.Nodes {
		names = append(names, n.Name)
	}
	if got := strings.Join(names, ","); got != "nd,na,nb,nc" {
		t.Errorf("order %s, want nd,na,nb,nc", got)
	}
	g.Nodes[1].Inputs[0] = "c" // na reads c: cycle a->b->c->a
	g.Nodes[1].Name = "na"
	if err := g.TopoSort(); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("cycle not found: %v", err)
	}
}

func BenchmarkTopoSort(b *testing.B) {
	for _, n := range []int{1000, 40000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				g := &Graph{}
				for k := n - 1; k >= 0; k-- {
					in := "x"
					if k > 0 {
						in = fmt.Sprint("v", k-1)
					}
					g.Nodes = append(g.Nodes, &Node{Name: fmt.Sprint("n", k), Inputs: []string{in}, Outputs: []string{fmt.Sprint("v", k)}})
				}
				if err := g.TopoSort(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
