package driver

import (
	"context"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/lab"
)

// A save whose reply does not say the device wrote the configuration is
// Failed: here a platform whose "save" is a command that prints something
// else (as a device answering "Unknown command" in its own words would).
func TestSaveWithoutConfirmationFails(t *testing.T) {
	fleet, err := lab.StartFleet(context.Background(), lab.FleetSpec{Seed: t.Name(), Devices: []lab.DeviceSpec{{
		Name: "sv1", Platform: lab.CiscoIOS, Username: "admin", Password: "sv-pass-1", Secret: "sv-secret-1",
	}}})
	if err != nil {
		t.Fatal(err)
	}
	defer fleet.Close()
	base, _ := LookupPlatform("cisco_ios")
	odd := *base
	odd.Name, odd.Aliases, odd.SaveCommand = "test_ios_odd_save", nil, "show clock"
	platforms = append(platforms, &builtinPlatform{name: odd.Name, get: func() *Platform { return &odd }})
	defer func() { platforms = platforms[:len(platforms)-1] }()

	d := fleet.Device("sv1")
	for _, tc := range []struct {
		platform string
		failed   bool
	}{{"cisco_ios", false}, {"test_ios_odd_save", true}} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		s, err := Open(ctx, Config{
			Name: "sv1", Address: "127.0.0.1", Port: d.Port(), Platform: tc.platform,
			Username: "admin", Password: "sv-pass-1", Secret: "sv-secret-1", HostKeyCheck: "off",
		})
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		r, err := s.Save(ctx)
		s.Close()
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if r.Failed != tc.failed {
			t.Errorf("%s: save failed=%v (%q, %q), want %v", tc.platform, r.Failed, r.Output, r.ErrorText, tc.failed)
		}
		if tc.failed && (r.FailedBy != "no save confirmation" || r.ErrorText == "") {
			t.Errorf("%s: FailedBy %q, ErrorText %q", tc.platform, r.FailedBy, r.ErrorText)
		}
	}
}
