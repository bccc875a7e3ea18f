package engine_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
)

// limitInventory is the shape of playbooks/audit.hcl: three groups of two,
// with tags.
func limitInventory() *hcl.Inventory {
	host := func(name, group string, tags ...string) *hcl.Host {
		return &hcl.Host{Name: name, Groups: []string{group}, Tags: tags}
	}
	return &hcl.Inventory{
		Hosts: []*hcl.Host{
			host("sw1", "access", "campus"),
			host("sw2", "access", "campus", "spare"),
			host("core1", "core", "core", "campus"),
			host("core2", "core", "core"),
			host("leaf1", "dc", "dc"),
			host("leaf2", "dc", "dc"),
		},
		Groups: []*hcl.Group{
			{Name: "access", Hosts: []string{"sw1", "sw2"}},
			{Name: "core", Hosts: []string{"core1", "core2"}},
			{Name: "dc", Hosts: []string{"leaf1", "leaf2"}},
			{Name: "empty"},
		},
	}
}

func TestSelectHosts(t *testing.T) {
	all := []string{"sw1", "sw2", "core1", "core2", "leaf1", "leaf2"}
	tests := []struct {
		limits []string
		want   []string
	}{
		{nil, all},
		{[]string{""}, all},
		{[]string{"all"}, all},
		{[]string{"*"}, all},
		{[]string{"sw1"}, []string{"sw1"}},
		{[]string{"core*"}, []string{"core1", "core2"}},
		{[]string{"leaf2,sw1"}, []string{"sw1", "leaf2"}}, // inventory order
		{[]string{"leaf2", "sw1"}, []string{"sw1", "leaf2"}},
		{[]string{"group:core"}, []string{"core1", "core2"}},
		{[]string{"tag:campus"}, []string{"sw1", "sw2", "core1"}},
		{[]string{"group:core, group:dc"}, []string{"core1", "core2", "leaf1", "leaf2"}},
		// exclusions
		{[]string{"!sw1"}, []string{"sw2", "core1", "core2", "leaf1", "leaf2"}},
		{[]string{"all,!sw1"}, []string{"sw2", "core1", "core2", "leaf1", "leaf2"}},
		{[]string{"!group:core"}, []string{"sw1", "sw2", "leaf1", "leaf2"}},
		{[]string{"!group:core", "!group:dc"}, []string{"sw1", "sw2"}},
		{[]string{"group:access,!tag:spare"}, []string{"sw1"}},
		{[]string{"!tag:spare,group:access"}, []string{"sw1"}}, // order does not matter
		{[]string{"*1,!leaf*"}, []string{"sw1", "core1"}},
		// intersections
		{[]string{"group:core,&tag:campus"}, []string{"core1"}},
		{[]string{"&tag:campus"}, []string{"sw1", "sw2", "core1"}},
		{[]string{"tag:campus,&group:access,!sw2"}, []string{"sw1"}},
		{[]string{"group:core,group:access,&tag:campus,&*1"}, []string{"sw1", "core1"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.limits, ";"), func(t *testing.T) {
			hosts, err := engine.SelectHosts(limitInventory(), tt.limits)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hosts {
				got = append(got, h.Name)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("hosts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSelectHostsErrors(t *testing.T) {
	tests := []struct {
		limit string
		want  string // the whole message
	}{
		{"sw3", `--limit "sw3" matches no host in the inventory. Did you mean "sw1"?`},
		{"cor1", `--limit "cor1" matches no host in the inventory. Did you mean "core1"?`},
		{"LEAF1", `--limit "LEAF1" matches no host in the inventory. Did you mean "leaf1"?`},
		{"!sw9", `--limit "!sw9" matches no host in the inventory. Did you mean "!sw1"?`},
		{"group:cor", `--limit "group:cor" matches no host in the inventory. Did you mean "group:core"?`},
		{"&tag:campos", `--limit "&tag:campos" matches no host in the inventory. Did you mean "&tag:campus"?`},
		{"access", `--limit "access" matches no host in the inventory. Did you mean "group:access"?`},
		{"spare", `--limit "spare" matches no host in the inventory. Did you mean "tag:spare"?`},
		{"group:empty", `--limit "group:empty" matches no host in the inventory.`},
		{"nosuchhost", `--limit "nosuchhost" matches no host in the inventory.`},
		{"spine*", `--limit "spine*" matches no host in the inventory.`},
		{"sw1,nosuchhost", `--limit "nosuchhost" matches no host in the inventory.`},
		{"group:core,&group:dc", `--limit "group:core,&group:dc" selects no host: each pattern matches hosts, but together they leave none`},
		{"all,!all", `--limit "all,!all" selects no host: each pattern matches hosts, but together they leave none`},
		{"!", `--limit "!": want NAME, GLOB, group:NAME, tag:NAME, all or @REPORT.json, optionally after one ! (exclude) or & (intersect)`},
		{"!&sw1", `--limit "!&sw1": want NAME, GLOB, group:NAME, tag:NAME, all or @REPORT.json, optionally after one ! (exclude) or & (intersect)`},
		{"sw[", `--limit "sw[": bad pattern: syntax error in pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.limit, func(t *testing.T) {
			hosts, err := engine.SelectHosts(limitInventory(), []string{tt.limit})
			if err == nil {
				t.Fatalf("no error; hosts %v", hosts)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestLimitNames(t *testing.T) {
	want := []string{
		"all", "sw1", "sw2", "core1", "core2", "leaf1", "leaf2",
		"group:access", "group:core", "group:dc", "group:empty",
		"tag:campus", "tag:spare", "tag:core", "tag:dc",
	}
	if diff := cmp.Diff(want, engine.LimitNames(limitInventory())); diff != "" {
		t.Errorf("LimitNames (-want +got):\n%s", diff)
	}
	if got := engine.LimitNames(nil); got != nil {
		t.Errorf("LimitNames(nil) = %v", got)
	}
}
