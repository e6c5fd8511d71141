package graph

import (
	"container/heap"
	"fmt"
)

// Validate checks the invariants listed in the package doc and, where the
// nodes are not in topological order, sorts them (stable: the file's order
// among ready nodes). It returns an error naming the first problem.
func (g *Graph) Validate() error {
	produced := map[string]string{} // value -> who
	add := func(v, who string) error {
		if v == "" {
			return nil
		}
		if prev, dup := produced[v]; dup {
			return fmt.Errorf("graph: value %q is produced twice (by %s and %s)", v, prev, who)
		}
		produced[v] = who
		return nil
	}
	for _, in := range g.Inputs {
		if in.Name == "" {
			return fmt.Errorf("graph: a graph input has an empty name")
		}
		if err := add(in.Name, "graph input"); err != nil {
			return err
		}
	}
	for _, name := range g.InitializerOrder {
		if err := add(name, "initializer"); err != nil {
			return err
		}
	}
	names := map[string]bool{}
	for i, n := range g.Nodes {
		if n.Name == "" {
			return fmt.Errorf("graph: node %d (%s) has no name", i, n.OpType)
		}
		if names[n.Name] {
			return fmt.Errorf("graph: node name %q is used twice", n.Name)
		}
		names[n.Name] = true
		for _, o := range n.Outputs {
			if err := add(o, fmt.Sprintf("node %q", n.Name)); err != nil {
				return err
			}
		}
	}
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			if in != "" && produced[in] == "" {
				return fmt.Errorf("graph: node %q (%s) reads %q, which nothing produces", n.Name, n.OpType, in)
			}
		}
	}
	for _, o := range g.Outputs {
		if produced[o.Name] == "" {
			return fmt.Errorf("graph: output %q is not produced by any node, input or initializer", o.Name)
		}
	}
	return g.TopoSort()
}

// TopoSort orders Nodes so every node follows its producers (Kahn's
// algorithm, lowest original index first). A cycle is an error naming a
// node on it.
func (g *Graph) TopoSort() error {
	prod := map[string]int{}
	for i, n := range g.Nodes {
		for _, o := range n.Outputs {
			if o != "" {
				prod[o] = i
			}
		}
	}
	indeg := make([]int, len(g.Nodes))
	succ := make([][]int, len(g.Nodes))
	for i, n := range g.Nodes {
		seen := map[int]bool{}
		for _, in := range n.Inputs {
			if p, ok := prod[in]; ok && in != "" && !seen[p] {
				seen[p] = true
				indeg[i]++
				succ[p] = append(succ[p], i)
			}
		}
	}
	ready := &intHeap{}
	for i := range g.Nodes {
		if indeg[i] == 0 {
			heap.Push(ready, i)
		}
	}
	order := make([]*Node, 0, len(g.Nodes))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		order = append(order, g.Nodes[i])
		for _, s := range succ[i] {
			indeg[s]--
			if indeg[s] == 0 {
				heap.Push(ready, s)
			}
		}
	}
	if len(order) != len(g.Nodes) {
		for i, d := range indeg {
			if d > 0 {
				return fmt.Errorf("graph: cycle through node %q (%s)", g.Nodes[i].Name, g.Nodes[i].OpType)
			}
		}
	}
	g.Nodes = order
	return nil
}

// intHeap is a min-heap of node indices: Kahn's algorithm takes the lowest
// ready index first, so the file's order is kept where it is valid.
type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
