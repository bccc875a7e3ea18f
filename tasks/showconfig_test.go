package tasks

import (
	"testing"

	"github.com/runbook-dev/runbook/driver"
)

// A platform the playbook defines reads its configuration with its own
// show_config command; the built-ins keep theirs.
func TestConfigCommandOfADefinedPlatform(t *testing.T) {
	p, err := driver.DerivePlatform("cisco_ios", "test_display_config")
	if err != nil {
		t.Fatal(err)
	}
	p.ShowConfig = "display current-configuration"
	if err := driver.RegisterPlatform(p); err != nil {
		t.Fatal(err)
	}
	for platform, want := range map[string]string{
		"test_display_config": "display current-configuration",
		"cisco_ios":           "show running-config",
		"juniper_junos":       "show configuration",
	} {
		if got, err := configCommand(platform); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", platform, got, err, want)
		}
	}
	if !looksLikeConfig("test_display_config", "#\n sysname HPE\n#\ninterface GigabitEthernet1/0/1\n") ||
		!looksLikeConfig("mikrotik_routeros", "# nov/27/2026 by RouterOS 7.12\n/ip dns\nset servers=10.0.1.53\n") {
		t.Error("a Comware or RouterOS configuration was not recognised")
	}
}
