package tasks

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/config"
)

// pendingLines judges lines against a configuration the way check and
// apply do (plan): the config package's model of the platform.
func pendingLines(platform, running string, lines []string) []int {
	return config.Parse(config.Lookup(platform), cleanConfig(running)).Pending(lines)
}

const checkRunning = `Building configuration...

hostname r1
!
ntp server 10.0.1.100
ntp server 10.0.1.102 prefer
logging host 10.0.2.1
!
interface GigabitEthernet0/1
 description uplink
 ip address 10.0.0.1 255.255.255.0
!
interface GigabitEthernet0/2
 shutdown
!
line vty 0 4
 transport input ssh
end
`

func TestPendingLines(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []int
	}{
		{"all present", []string{"ntp server 10.0.1.100", "logging host 10.0.2.1"}, nil},
		{"one missing", []string{"ntp server 10.0.1.100", "ntp server 10.0.1.101"}, []int{1}},
		{"no of absent line is in sync", []string{"no ntp server 10.0.9.9"}, nil},
		{"no of present line changes, prefix too", []string{"no ntp server 10.0.1.102"}, []int{0}},
		{"flat section lines", []string{"interface GigabitEthernet0/1", "description uplink", "shutdown"}, []int{2}},
		{"indented section lines", []string{"interface GigabitEthernet0/2", " shutdown", " description new"}, []int{2}},
		{"top-level line leaves the section", []string{"interface GigabitEthernet0/1", "description uplink", "logging host 10.0.2.1"}, nil},
		{"new section: children pending", []string{"interface GigabitEthernet0/9", "description x"}, []int{0, 1}},
		{"line section", []string{"line vty 0 4", "transport input ssh"}, nil},
		{"flat no shutdown in a section", []string{"interface GigabitEthernet0/2", "no shutdown"}, []int{1}},
		{"flat no of absent child", []string{"interface GigabitEthernet0/1", "no shutdown"}, nil},
		{"global no after a section", []string{"interface GigabitEthernet0/1", "no logging host 10.0.2.1"}, []int{1}},
		{"exit and end ignored", []string{"interface GigabitEthernet0/2", "shutdown", "exit", "end"}, nil},
		{"a new interface after an interface", []string{"interface GigabitEthernet0/1", "description uplink", "interface GigabitEthernet0/7", "description x"}, []int{2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, pendingLines("cisco_ios", checkRunning, tt.lines)); diff != "" {
				t.Errorf("pending (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPendingLinesJunosSetForm(t *testing.T) {
	rc := "set system host-name vmx1\nset system ntp server 10.0.1.100\n"
	lines := []string{"set system ntp server 10.0.1.100", "set system ntp server 10.0.1.101", "delete system ntp server 10.0.9.9", "delete system ntp server 10.0.1.100"}
	if diff := cmp.Diff([]int{1, 3}, pendingLines("juniper_junos", rc, lines)); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
}
