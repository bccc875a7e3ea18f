package engine_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/engine"
)

// TestSelectHostsRetryFile: @FILE selects the devices that did not pass
// in a JSON report, and combines with the other patterns.
func TestSelectHostsRetryFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	last := write("last.json", `{"devices": [
  {"name": "sw1", "status": "passed"},
  {"name": "sw2", "status": "failed"},
  {"name": "core1", "status": "unreachable"},
  {"name": "core2", "status": "passed"},
  {"name": "leaf1", "status": "skipped"},
  {"name": "leaf2", "status": "error"}
]}`)
	for _, tc := range []struct {
		limits []string
		want   []string
	}{
		{[]string{"@" + last}, []string{"sw2", "core1", "leaf1", "leaf2"}},
		{[]string{"@" + last + ",sw1"}, []string{"sw1", "sw2", "core1", "leaf1", "leaf2"}}, // a union
		{[]string{"@" + last, "group:core"}, []string{"sw2", "core1", "core2", "leaf1", "leaf2"}},
		{[]string{"@" + last + ",!group:dc"}, []string{"sw2", "core1"}},
		{[]string{"@" + last + ",&tag:campus"}, []string{"sw2", "core1"}},
		{[]string{"!@" + last}, []string{"sw1", "core2"}},
	} {
		got, err := engine.SelectHosts(limitInventory(), tc.limits)
		if err != nil {
			t.Errorf("%q: %v", tc.limits, err)
			continue
		}
		var names []string
		for _, h := range got {
			names = append(names, h.Name)
		}
		if diff := cmp.Diff(tc.want, names); diff != "" {
			t.Errorf("%q (-want +got):\n%s", strings.Join(tc.limits, " "), diff)
		}
	}

	for _, tc := range []struct{ file, src, want string }{
		{"passed.json", `{"devices": [{"name": "sw1", "status": "passed"}]}`, "passed: nothing to re-run"},
		{"other.json", `{"hosts": []}`, "is not a runbook JSON report"},
		{"broken.json", `{"devices": [`, "is not a runbook JSON report"},
		{"gone.json", `{"devices": [{"name": "sw9", "status": "failed"}]}`, "names devices that are not in the inventory: sw9"},
	} {
		p := write(tc.file, tc.src)
		_, err := engine.SelectHosts(limitInventory(), []string{"@" + p})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `--limit "@`) {
			t.Errorf("%s: %v, want %q", tc.file, err, tc.want)
		}
	}
	if _, err := engine.SelectHosts(limitInventory(), []string{"@" + filepath.Join(dir, "missing.json")}); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := engine.SelectHosts(limitInventory(), []string{"@"}); err == nil {
		t.Error("@ without a file: no error")
	}
}
