package tasks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func rec(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func TestRecordDiff(t *testing.T) {
	before := []any{
		rec("interface", "Gi0/1", "status", "up", "vlans", []any{"10", "20"}),
		rec("interface", "Gi0/2", "status", "up", "vlans", []any{"10"}),
		rec("interface", "Gi0/3", "status", "down", "vlans", []any{}),
	}
	after := []any{
		rec("interface", "Gi0/1", "status", "down", "vlans", []any{"10", "20"}),
		rec("interface", "Gi0/2", "status", "up", "vlans", []any{"10"}),
		rec("interface", "Gi0/4", "status", "up", "vlans", []any{}),
		rec("interface", "Gi0/5", "status", "up", "vlans", []any{}, "speed", "1000"),
	}
	got, err := RecordDiff(before, after, []any{"interface"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"added":   []any{after[2], after[3]},
		"removed": []any{before[2]},
		"changed": []any{map[string]any{
			"key":    map[string]any{"interface": "Gi0/1"},
			"fields": []any{"status"},
			"before": map[string]any{"status": "up"},
			"after":  map[string]any{"status": "down"},
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
}

func TestRecordDiffSeveralKeys(t *testing.T) {
	// Neighbors keyed by (local interface, neighbor): the same neighbor on
	// another port is another record.
	before := []map[string]any{
		rec("local", "Gi0/1", "neighbor", "core1", "port", "Eth1", "platform", "EOS"),
		rec("local", "Gi0/2", "neighbor", "core1", "port", "Eth2", "platform", "EOS"),
	}
	after := []map[string]any{
		rec("local", "Gi0/1", "neighbor", "core1", "port", "Eth9", "platform", "EOS"),
		rec("local", "Gi0/2", "neighbor", "core2", "port", "Eth2", "platform", "EOS"),
		rec("local", "Gi0/3", "neighbor", "core1"), // a field missing: changed fields compare with nil
	}
	got, err := RecordDiff(before, after, []string{"local", "neighbor"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"added":   []any{after[1], after[2]},
		"removed": []any{before[1]},
		"changed": []any{map[string]any{
			"key":    map[string]any{"local": "Gi0/1", "neighbor": "core1"},
			"fields": []any{"port"},
			"before": map[string]any{"port": "Eth1"},
			"after":  map[string]any{"port": "Eth9"},
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}

	// A field one record lacks differs, with nil on the side that lacks it.
	got, err = RecordDiff([]any{rec("k", "a", "x", "1")}, []any{rec("k", "a", "y", "2")}, "k")
	if err != nil {
		t.Fatal(err)
	}
	wantChanged := []any{map[string]any{
		"key":    map[string]any{"k": "a"},
		"fields": []any{"x", "y"},
		"before": map[string]any{"x": "1", "y": nil},
		"after":  map[string]any{"x": nil, "y": "2"},
	}}
	if diff := cmp.Diff(wantChanged, got["changed"]); diff != "" {
		t.Errorf("changed (-want +got):\n%s", diff)
	}
}

func TestRecordDiffEmptyAndEqual(t *testing.T) {
	l := []any{rec("interface", "Gi0/1", "status", "up")}
	for _, tt := range []struct {
		name          string
		before, after any
	}{
		{"equal", l, l},
		{"both empty", []any{}, nil},
	} {
		got, err := RecordDiff(tt.before, tt.after, []any{"interface"})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		want := map[string]any{"added": []any{}, "removed": []any{}, "changed": []any{}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestRecordDiffErrors(t *testing.T) {
	ok := []any{rec("interface", "Gi0/1", "status", "up")}
	tests := []struct {
		name          string
		before, after any
		keys          any
		want          string
	}{
		{"missing key field", ok, []any{rec("intf", "Gi0/1")}, []any{"interface"}, `diff: after[0] has no key field "interface" (its fields: intf)`},
		{"one of several key fields missing", []any{rec("interface", "Gi0/1")}, ok, []any{"interface", "vrf"}, `diff: before[0] has no key field "vrf"`},
		{"no key fields", ok, ok, []any{}, "diff: give at least one key field"},
		{"key not a name", ok, ok, []any{1}, "diff: key field 1 is int, not a field name"},
		{"duplicate key", append([]any{rec("interface", "Gi0/1")}, ok...), ok, "interface", "diff: two records of before have the key interface=Gi0/1"},
		{"not a list", "show ip int brief", ok, "interface", "diff: before is string, not a list of records"},
		{"not a record", ok, []any{"Gi0/1"}, "interface", "diff: after[0] is string, not a record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := RecordDiff(tt.before, tt.after, tt.keys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// diff is usable in assertions, at run time and in the type check of
// validate.
func TestDiffInAssertions(t *testing.T) {
	pre := []any{
		rec("interface", "Gi0/1", "status", "up"),
		rec("interface", "Gi0/2", "status", "up"),
	}
	env := func(post []any) ExprEnv {
		return ExprEnv{
			Result: post,
			Steps:  map[string]any{"pre": map[string]any{"result": pre}},
		}
	}
	same := []any{rec("interface", "Gi0/1", "status", "up"), rec("interface", "Gi0/2", "status", "up")}
	down := []any{rec("interface", "Gi0/1", "status", "down"), rec("interface", "Gi0/2", "status", "up")}
	tests := []struct {
		expr string
		post []any
		pass bool
	}{
		{"len(diff(steps.pre.result, result, ['interface']).changed) == 0", same, true},
		{"len(diff(steps.pre.result, result, ['interface']).changed) == 0", down, false},
		{"diff(steps.pre.result, result, 'interface').changed[0].after.status == 'down'", down, true},
		{"all(diff(steps.pre.result, result, ['interface']).changed, {'status' not in .fields})", down, false},
		{"len(diff(steps.pre.result, result, ['interface']).removed) == 1", same, false},
		{"len(diff(steps.pre.result, result, ['interface']).removed) == 1", pre[1:], true},
	}
	for _, tt := range tests {
		a, err := CompileAssert("no_interface_went_down", tt.expr, "")
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		out, err := a.Eval(env(tt.post))
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		if out.Passed != tt.pass {
			t.Errorf("%s: passed=%v, want %v (%s)", tt.expr, out.Passed, tt.pass, out.Message)
		}
	}

	// A missing key field fails the assertion with a message that says so.
	a, err := CompileAssert("x", "len(diff(steps.pre.result, result, ['vrf']).changed) == 0", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Eval(env(same)); err == nil || !strings.Contains(err.Error(), `has no key field "vrf"`) {
		t.Errorf("err = %v, want the missing key field named", err)
	}

	// validate: the typed environment accepts diff, with records of known
	// fields, and still checks its arguments' names.
	et := testTypes()
	if err := et.Check("len(diff(steps.pre.result, result, ['interface']).changed) == 0", []RecordField{{Name: "interface"}}); err != nil {
		t.Errorf("validate: %v", err)
	}
	if err := et.Check("len(diff(steps.prre.result, result, ['interface']).added) == 0", nil); err == nil {
		t.Error("validate accepted steps.prre")
	}
	if err := et.Check("diff(result, result)", nil); err == nil {
		t.Error("validate accepted diff with 2 arguments")
	}
}
