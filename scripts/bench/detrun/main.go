// Command detrun decodes a model and runs it once on a seeded random
// float32 input, for measuring fixq's peak memory with /usr/bin/time -v
// (scripts/bench-float.sh) where the fixq CLI is not at hand.
//
//	go run ./scripts/bench/detrun MODEL.onnx 1,3,640,640
package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"fixq/core/engine"
	"fixq/core/onnx"
	"fixq/core/tensor"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "detrun:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: detrun MODEL.onnx DIMS (e.g. 1,3,640,640)")
	}
	var shape []int
	for _, f := range strings.Split(args[1], ",") {
		d, err := strconv.Atoi(f)
		if err != nil {
			return fmt.Errorf("dims %q: %w", args[1], err)
		}
		shape = append(shape, d)
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	m, err := onnx.Decode(f)
	f.Close()
	if err != nil {
		return err
	}
	s, err := engine.NewSession(m, engine.Options{})
	if err != nil {
		return err
	}
	in, err := tensor.New(tensor.Float32, shape...)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(22, 0))
	for i := range in.F32 {
		in.F32[i] = 2*r.Float32() - 1
	}
	outs, err := s.Run(context.Background(), map[string]*tensor.Tensor{m.Graph.Inputs[0].Name: in})
	if err != nil {
		return err
	}
	for name, t := range outs {
		fmt.Printf("%s %v\n", name, t)
	}
	return nil
}
