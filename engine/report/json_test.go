package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runbook-dev/runbook/engine"
)

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, b)
	}
	return m
}

// find returns the object in list whose "name" is name.
func find(t *testing.T, list any, name string) map[string]any {
	t.Helper()
	for _, v := range list.([]any) {
		if m := v.(map[string]any); m["name"] == name {
			return m
		}
	}
	t.Fatalf("no %q in %v", name, list)
	return nil
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name    string
		opts    JSONOptions
		wantOut bool
	}{
		{"with output", JSONOptions{}, true},
		{"no output", JSONOptions{NoOutput: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "report.json")
			s := NewJSON(path, tt.opts)
			feed(s, events(fixture()))
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			m := readJSON(t, path)

			top := map[string]any{}
			for _, k := range []string{"playbook", "mode", "started", "duration_ms", "interrupted"} {
				top[k] = m[k]
			}
			wantTop := map[string]any{
				"playbook": "playbooks/ntp.hcl", "mode": "apply", "started": "2025-03-01T10:00:00Z",
				"duration_ms": 2345.0, "interrupted": false,
			}
			if diff := cmp.Diff(wantTop, top); diff != "" {
				t.Errorf("top level (-want +got):\n%s", diff)
			}
			wantSummary := map[string]any{
				"devices": 6.0, "passed": 2.0, "failed": 1.0, "error": 1.0, "unreachable": 1.0, "auth_failed": 0.0, "rolled_back": 0.0, "rollback_failed": 0.0, "skipped": 1.0,
				"steps": map[string]any{"total": 20.0, "ok": 7.0, "changed": 4.0, "failed": 1.0, "error": 2.0, "skipped": 6.0, "rolled_back": 0.0},
			}
			if diff := cmp.Diff(wantSummary, m["summary"]); diff != "" {
				t.Errorf("summary (-want +got):\n%s", diff)
			}

			devs := m["devices"].([]any)
			var names, statuses []string
			for _, d := range devs {
				names = append(names, d.(map[string]any)["name"].(string))
				statuses = append(statuses, d.(map[string]any)["status"].(string))
			}
			if diff := cmp.Diff([]string{"core1", "core2", "core3", "dist1", "edge1", "edge2"}, names); diff != "" {
				t.Errorf("device order (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"passed", "failed", "unreachable", "error", "passed", "skipped"}, statuses); diff != "" {
				t.Errorf("device statuses (-want +got):\n%s", diff)
			}

			core2 := find(t, devs, "core2")
			wantDev := map[string]any{"name": "core2", "address": "127.0.0.1:2202", "platform": "cisco_ios", "status": "failed", "message": "", "duration_ms": 1300.0}
			for k, v := range wantDev {
				if core2[k] != v {
					t.Errorf("core2[%q] = %v, want %v", k, core2[k], v)
				}
			}
			verify := find(t, core2["steps"], "send_command.verify")
			wantAsserts := []any{
				map[string]any{"name": "all_servers_present", "passed": false, "message": fixture().Devices[1].Steps[3].Asserts[0].Message},
				map[string]any{"name": "no_garbage", "passed": true, "message": ""},
			}
			if diff := cmp.Diff(wantAsserts, verify["assertions"]); diff != "" {
				t.Errorf("assertions (-want +got):\n%s", diff)
			}
			for k, want := range map[string]any{"kind": "send_command", "status": "failed", "duration_ms": 90.0} {
				if verify[k] != want {
					t.Errorf("verify[%q] = %v, want %v", k, verify[k], want)
				}
			}

			pre := find(t, find(t, devs, "core1")["steps"], "send_command.pre")
			_, hasOut := pre["output"]
			_, hasRecs := pre["records"]
			if hasOut != tt.wantOut || hasRecs != tt.wantOut {
				t.Errorf("output present = %v, records present = %v, want %v", hasOut, hasRecs, tt.wantOut)
			}
			if tt.wantOut {
				if diff := cmp.Diff([]any{map[string]any{"address": "10.0.1.100", "ref_clock": ".GPS."}}, pre["records"]); diff != "" {
					t.Errorf("records (-want +got):\n%s", diff)
				}
				// A step that did not parse has output but no records.
				push := find(t, find(t, devs, "core1")["steps"], "send_config_set.push")
				if _, ok := push["records"]; ok {
					t.Error("records present on a step that did not parse")
				}
			}
			// Steps and assertions are arrays even when empty.
			edge2 := find(t, devs, "edge2")
			if s, ok := edge2["steps"].([]any); !ok || len(s) != 0 {
				t.Errorf("edge2 steps = %#v, want []", edge2["steps"])
			}
			if a, ok := find(t, core2["steps"], "save.config")["assertions"].([]any); !ok || len(a) != 0 {
				t.Errorf("assertions of a step without any = %#v, want []", a)
			}
		})
	}
}

// Close without RunFinished: the report holds what was seen, interrupted.
func TestJSONInterrupted(t *testing.T) {
	var cut []engine.Event
	for _, ev := range events(fixture()) {
		cut = append(cut, ev)
		if ev.Type == engine.StepFinished && ev.Device == "dist1" {
			break
		}
	}
	path := filepath.Join(t.TempDir(), "report.json")
	s := NewJSON(path, JSONOptions{})
	feed(s, cut)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	m := readJSON(t, path)
	if m["interrupted"] != true {
		t.Errorf("interrupted = %v, want true", m["interrupted"])
	}
	var got []string
	for _, d := range m["devices"].([]any) {
		d := d.(map[string]any)
		got = append(got, d["name"].(string)+"="+d["status"].(string))
	}
	if diff := cmp.Diff([]string{"core1=passed", "core2=failed", "core3=unreachable", "dist1=error"}, got); diff != "" {
		t.Errorf("devices (-want +got):\n%s", diff)
	}
	dist1 := find(t, m["devices"], "dist1")
	if dist1["address"] != "127.0.0.1:2204" || len(dist1["steps"].([]any)) != 1 {
		t.Errorf("dist1 = %v, want its address and the one step seen", dist1)
	}
}
