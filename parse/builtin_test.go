package parse

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A playbook written against ntc-templates' field names works with or
// without NTC_TEMPLATES_DIR: every built-in template that answers a
// command ntc-templates also answers declares the same Values, in the
// same order, with the same List option (the record shape).
func TestBuiltinFieldsMatchNTC(t *testing.T) {
	ntc, err := OpenDir("ntc", ntcDir(t))
	if err != nil {
		t.Fatal(err)
	}
	ours, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, row := range ours.Index().Rows() {
		command := fullCommand(row.command)
		nrow, nts, ok, err := ntc.Lookup(row.platform, command)
		if !ok || err != nil {
			continue // a command ntc-templates has no template for
		}
		_, ots, _, err := ours.Lookup(row.platform, command)
		if err != nil || len(ots) == 0 {
			continue // the written-out command took an optional part ours does not read
		}
		if nrow.Templates[0] != ots[0].Name() {
			// ntc answers with another command's template (its row is a
			// prefix, e.g. Junos "show interfaces" for "... terse").
			continue
		}
		compared++
		if d := cmp.Diff(shape(nts[0]), shape(ots[0])); d != "" {
			t.Errorf("%s %q: %s and ntc's %s differ (-ntc +ours):\n%s", row.platform, command, ots[0].Name(), nts[0].Name(), d)
		}
	}
	t.Logf("%d built-in templates have ntc-templates' fields", compared)
	if compared < 20 {
		t.Errorf("only %d built-in templates compared with ntc-templates", compared)
	}
}

func shape(t *Template) []string {
	var out []string
	for _, v := range t.values {
		s := v.name
		if v.has(optList) {
			s += " (List)"
		}
		out = append(out, s)
	}
	return out
}
