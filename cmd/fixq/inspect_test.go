package main

import (
	"encoding/json"
	"strings"
	"testing"

	"fixq/internal/testassets"
)

func TestInspect(t *testing.T) {
	cls := testassets.PaddleCls(t)
	code, out, errs := fixq(t, "inspect", cls, "--input-shape", "1,3,48,192", "--json", "--target", "DPUCZDX8G_ISA1_B1024")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Inspector struct {
			Target  string `json:"target"`
			Summary struct {
				DPUNodes, CPUNodes int
			} `json:"summary"`
			Nodes []struct {
				Name, Device, Constraint string
			} `json:"nodes"`
		} `json:"inspector"`
		Latency struct {
			LatencyMs float64 `json:"latency_ms"`
		} `json:"latency"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if res.Inspector.Target != "DPUCZDX8G_ISA1_B1024" || res.Latency.LatencyMs <= 0 || len(res.Inspector.Nodes) == 0 {
		t.Fatalf("unexpected report: %+v", res)
	}
	// Every CPU node says why.
	for _, n := range res.Inspector.Nodes {
		if n.Device == "CPU" && n.Constraint == "" {
			t.Errorf("CPU node %s has no constraint", n.Name)
		}
	}
	code, out, _ = fixq(t, "inspect", cls, "--input-shape", "1,3,48,192")
	if code != 0 || !strings.Contains(out, "subgraphs") || !strings.Contains(out, "fps") {
		t.Errorf("text report lacks the summary or latency:\n%s", out)
	}
	code, _, errs = fixq(t, "inspect", cls, "--target", "B9999", "--input-shape", "1,3,48,192")
	wantError(t, code, errs, 1, "DPUCZDX8G_ISA1_B4096")
	code, _, errs = fixq(t, "inspect", cls)
	wantError(t, code, errs, 1, "dynamic")
}
