package driver

import "testing"

// Refusals that are not syntax errors: a role or task that may not run the
// command, a command the hardware lacks. Each fails the command only where
// the device prints it, at the start of a line.
func TestAuthorizationAndUnavailableIndicators(t *testing.T) {
	for _, c := range []struct{ platform, out string }{
		{"arista_eos", "% Unavailable command (not supported on this hardware platform)"},
		{"cisco_nxos", "% Permission denied for the role"},
		{"cisco_xr", "% This command is not authorized"},
	} {
		p, ok := LookupPlatform(c.platform)
		if !ok {
			t.Fatalf("no platform %s", c.platform)
		}
		if _, _, failed := p.failure("\n" + c.out + "\n"); !failed {
			t.Errorf("%s: %q did not fail the command", c.platform, c.out)
		}
		if _, _, failed := p.failure("description says " + c.out); failed {
			t.Errorf("%s: %q inside a line failed the command", c.platform, c.out)
		}
	}
}
