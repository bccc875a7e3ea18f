package driver_test

import (
	"context"
	"errors"
	"testing"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

// Open tells the caller once the device has accepted the login, before the
// shell starts (nothing has been read from the device yet), and never when
// the login or the host key is rejected.
func TestOpenSaysWhenAuthenticated(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "r1", Platform: "cisco_ios"})
	d := f.Device("r1")

	var transcript syncBuffer
	cfg := labConfig(t, d)
	cfg.Transcript = &transcript
	calls, readBefore := 0, -1
	ctx := driver.WithAuthenticated(hangGuard(t), func() {
		calls++
		readBefore = len(transcript.String())
	})
	s, err := driver.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if calls != 1 {
		t.Fatalf("called %d times after a login, want 1", calls)
	}
	if readBefore != 0 || transcript.String() == "" {
		t.Errorf("called after the shell started: %d bytes of transcript before, %d after", readBefore, len(transcript.String()))
	}

	for name, mutate := range map[string]func(*driver.Config){
		"wrong password":   func(c *driver.Config) { c.Password = "not-the-password" },
		"unknown host key": func(c *driver.Config) { c.KnownHostsFile = t.TempDir() + "/empty_known_hosts" },
	} {
		cfg := labConfig(t, d)
		mutate(&cfg)
		called := false
		_, err := driver.Open(driver.WithAuthenticated(hangGuard(t), func() { called = true }), cfg)
		if err == nil || !(errors.Is(err, driver.ErrAuth) || errors.Is(err, driver.ErrHostKey)) {
			t.Errorf("%s: err = %v, want an authentication or host key error", name, err)
		}
		if called {
			t.Errorf("%s: told authenticated although the login failed", name)
		}
	}
	// Without a hook, telling is a no-op.
	driver.NotifyAuthenticated(context.Background())
}
