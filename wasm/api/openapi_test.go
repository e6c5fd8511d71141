package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"fixq/core/job"
	"fixq/dpu"
)

type openAPIDoc struct {
	OpenAPI         string   `json:"openapi"`
	GlobalResponses []string `json:"x-global-responses"`
	Paths           map[string]map[string]struct{ Responses map[string]json.RawMessage }
	Components      struct {
		Parameters map[string]struct {
			Schema struct{ Enum []string }
		}
	}
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var d openAPIDoc
	if err := json.Unmarshal(openAPIJSON, &d); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(d.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", d.OpenAPI)
	}
	return d
}

func codes(m map[string]json.RawMessage) []int {
	var out []int
	for k := range m {
		if k == "default" {
			continue
		}
		n, err := strconv.Atoi(k)
		if err != nil {
			panic(fmt.Sprintf("status %q", k))
		}
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// TestOpenAPIAgrees checks the description against the handler: the same
// operations, the same statuses per operation, and every documented
// status (per operation, plus the global 404/405/413) provoked by
// statusCases with nothing undocumented observed.
func TestOpenAPIAgrees(t *testing.T) {
	d := loadOpenAPI(t)
	documented := map[string][]int{} // "GET /v1/health" -> statuses
	for path, ops := range d.Paths {
		for method, op := range ops {
			documented[strings.ToUpper(method)+" "+path] = codes(op.Responses)
		}
	}
	var global []int
	for _, s := range d.GlobalResponses {
		n, _ := strconv.Atoi(s)
		global = append(global, n)
	}
	if !slices.Equal(global, []int{404, 405, 413}) {
		t.Fatalf("x-global-responses %v", global)
	}
	for _, rt := range routes {
		key := rt.method + " " + rt.path
		got, ok := documented[key]
		if !ok {
			t.Errorf("%s: served but not documented", key)
			continue
		}
		want := slices.Sorted(slices.Values(rt.statuses))
		if !slices.Equal(got, want) {
			t.Errorf("%s: documented statuses %v, route table %v", key, got, want)
		}
		delete(documented, key)
	}
	for key := range documented {
		t.Errorf("%s: documented but not served", key)
	}

	// Provoke: every observed status is documented, every documented one
	// is observed.
	observed := map[string]bool{} // "POST /v1/inspect 413"
	for _, c := range statusCases() {
		path, _, _ := strings.Cut(c.path, "?")
		served := false
		for _, rt := range routes {
			served = served || rt.path == path
		}
		key := c.method + " " + path
		if !served {
			key = "* *" // an unknown path
		}
		w := c.do(t)
		if w.Code != c.wantStatus {
			t.Errorf("%s: status %d, want %d", c.name, w.Code, c.wantStatus)
		}
		observed[key+" "+strconv.Itoa(w.Code)] = true
	}
	for _, rt := range routes {
		for _, s := range rt.statuses {
			if !observed[fmt.Sprintf("%s %s %d", rt.method, rt.path, s)] {
				t.Errorf("%s %s: documented status %d never provoked", rt.method, rt.path, s)
			}
		}
	}
	for _, s := range global {
		found := false
		for k := range observed {
			found = found || strings.HasSuffix(k, " "+strconv.Itoa(s))
		}
		if !found {
			t.Errorf("global status %d never provoked", s)
		}
	}
	for k := range observed {
		f := strings.Fields(k)
		s, _ := strconv.Atoi(f[2])
		if slices.Contains(global, s) {
			continue
		}
		ok := false
		for _, rt := range routes {
			ok = ok || (rt.method == f[0] && rt.path == f[1] && slices.Contains(rt.statuses, s))
		}
		if !ok {
			t.Errorf("observed undocumented %s", k)
		}
	}
}

// TestOpenAPITargets: the documented target enum is dpu's target list.
func TestOpenAPITargets(t *testing.T) {
	d := loadOpenAPI(t)
	got := d.Components.Parameters["Target"].Schema.Enum
	if !slices.Equal(got, dpu.TargetNames()) {
		t.Fatalf("documented targets %v, dpu has %v", got, dpu.TargetNames())
	}
}

// TestOpenAPIServed: GET /v1/openapi.json serves the embedded file.
func TestOpenAPIServed(t *testing.T) {
	w := call{method: "GET", path: "/v1/openapi.json", wantStatus: 200}.check(t)
	if w.Body.String() != string(openAPIJSON) || w.Header().Get("Content-Type") != "application/json" {
		t.Fatal("served description differs from openapi.json")
	}
}

// TestOpenAPIQuantizeOptions: the documented QuantizeOptions properties
// are exactly job.QuantizeOptions' JSON fields (the handler rejects
// unknown ones, so an undocumented field would be unusable by the spec).
func TestOpenAPIQuantizeOptions(t *testing.T) {
	var d struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(openAPIJSON, &d); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for k := range d.Components.Schemas["QuantizeOptions"].Properties {
		documented = append(documented, k)
	}
	var fields []string
	rt := reflect.TypeFor[job.QuantizeOptions]()
	for i := range rt.NumField() {
		if name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			fields = append(fields, name)
		}
	}
	slices.Sort(documented)
	slices.Sort(fields)
	if !slices.Equal(documented, fields) {
		t.Errorf("openapi.json QuantizeOptions %v, job.QuantizeOptions %v", documented, fields)
	}
}
