package job

import (
	"context"
	"os"
	"strings"
	"testing"

	"fixq/internal/testassets"
)

func TestInspectPaddleCls(t *testing.T) {
	b, err := os.ReadFile(testassets.PaddleCls(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Inspect(context.Background(), b, InspectOptions{}, Limits{}); err == nil || !strings.Contains(err.Error(), "dynamic") {
		t.Fatalf("dynamic H,W without a size: want an error saying so, got %v", err)
	}
	res, err := Inspect(context.Background(), b, InspectOptions{InputShapes: map[string][]int{"x": {1, 3, 48, 192}}}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Report.Summary
	if s.DPUNodes == 0 || res.Latency.LatencyMs <= 0 {
		t.Fatalf("summary %+v latency %+v", s, res.Latency)
	}
	t.Logf("%s", res.Text(false))
}

func TestLoadModelRefusesGarbage(t *testing.T) {
	if _, err := LoadModel([]byte("hello world, not a model"), Limits{}); err == nil {
		t.Fatal("garbage accepted")
	}
	if _, err := LoadModel(make([]byte, 100), Limits{MaxModelBytes: 10}); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("size limit: %v", err)
	}
}
