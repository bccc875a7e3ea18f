package tasks

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func testTypes() *ExprTypes {
	vars := map[string]cty.Value{
		"ntp_servers": cty.ListVal([]cty.Value{cty.StringVal("10.0.1.100")}),
		"dry_run":     cty.False,
		"count":       cty.NumberIntVal(3),
		"site":        cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("lab"), "vlans": cty.ListValEmpty(cty.Number)}),
		"anything":    cty.NullVal(cty.DynamicPseudoType),
		"secret":      cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("k")}).Mark("sensitive"),
		"unset":       cty.UnknownVal(cty.List(cty.String)),
	}
	hosts := []map[string]cty.Value{
		{"role": cty.StringVal("core")},
		{"role": cty.StringVal("access"), "rack": cty.NumberIntVal(4)},
	}
	steps := []StepShape{
		{Names: []string{"send_command.pre", "pre"}, Fields: []RecordField{{Name: "interface"}, {Name: "ip_address"}, {Name: "vlans", List: true}}},
		{Names: []string{"send_config_set.push", "push"}},
	}
	return NewExprTypes(vars, nil, hosts, steps)
}

func TestExprTypesCheck(t *testing.T) {
	et := testTypes()
	ok := []string{
		"all(vars.ntp_servers, {output contains #})",
		"not vars.dry_run",
		"vars.count + 1 > 2",
		"vars.site.name == 'lab' and len(vars.site.vlans) == 0",
		"vars.anything.whatever == 1",
		"host.vars.role == 'core' and host.vars.rack > 2",
		"host.name startsWith 'sw' and host.platform == 'cisco_ios' and 'core' in host.groups",
		"steps.pre.output contains 'x' and not steps.push.failed and steps.push.changed",
		`steps["send_command.pre"].failed == false`,
		"any(steps.pre.result, {.interface startsWith 'Lo' and .ip_address != ''})",
		"any(steps.pre.result, {len(.vlans) > 0})",
		"all(steps.push.lines, {not .failed})",
		"len(steps.push.result) == 0",
		"any(result, {.interface == 'x'})",
		"vars.secret.key != '' and len(vars.unset) > 0",
		"steps.pre.status == 'failed' or steps.push.status in ['ok', 'changed']",
	}
	for _, src := range ok {
		if err := et.Check(src, []RecordField{{Name: "interface"}}); err != nil {
			t.Errorf("%s: %v", src, err)
		}
	}
	bad := []struct{ src, want string }{
		{"all(vars.ntp_server, {output contains #})", `vars has no "ntp_server"; did you mean "ntp_servers"?`},
		{"steps.prre.output == ''", `steps has no "prre"; did you mean "pre"?`},
		{"steps.pre.outptu == ''", `steps.send_command.pre has no "outptu"; did you mean "output"?`},
		{"vars.dry_run + 1 > 0", "mismatched types bool and int"},
		{"host.vars.rol == 'core'", `host.vars has no "rol"; did you mean "role"?`},
		{"host.nme == 'x'", `host has no "nme"; did you mean "name"?`},
		{"any(steps.pre.result, {.interfaec == 'x'})", `a record of steps.send_command.pre.result has no "interfaec"; did you mean "interface"?`},
		{"any(result, {.intf == 'x'})", `a record of result has no "intf"`},
		{"vars.site.nam == 'x'", `vars.site has no "nam"; did you mean "name"?`},
		{"vars.count", "expected bool"},
		{"vars.secret.kye != ''", `vars.secret has no "kye"; did you mean "key"?`},
		{"steps.pre.statsu == 'ok'", `steps.send_command.pre has no "statsu"; did you mean "status"?`},
		{"steps.pre.status", "expected bool"},
		{"steps.pre.status + 1 > 0", "mismatched types string and int"},
	}
	for _, b := range bad {
		err := et.Check(b.src, []RecordField{{Name: "interface"}})
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: %v, want %q", b.src, err, b.want)
		}
		if err != nil && strings.Contains(err.Error(), "struct {") {
			t.Errorf("%s: the message shows Go types: %v", b.src, err)
		}
	}
}
