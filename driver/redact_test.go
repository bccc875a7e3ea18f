package driver_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

// TestLabRedaction makes the device send the session's secrets back, in
// small chunks so that each secret is split across reads, and checks that
// no secret reaches the transcript, an error or a log line.
func TestLabRedaction(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "red1", Platform: "cisco_ios"})
	d := f.Device("red1")
	var tr, logs syncBuffer
	cfg := labConfig(t, d)
	cfg.Transcript = &tr
	cfg.Logger = newTextLogger(&logs)
	s := open(t, cfg)
	ctx := context.Background()
	hidden := "hidden-Answer-77"
	secrets := []string{labPass, labSecret, hidden}

	// The lab echoes each typed character in its own write, so the echo
	// of these lines splits every secret into one-byte reads.
	mr, err := s.SendConfigSet(ctx, []string{
		"username bob privilege 15 password 0 " + labPass,
		"snmp-server community " + labSecret + " RO",
	})
	if err != nil || mr.Failed {
		t.Fatalf("%v %+v", err, mr.FirstFailure())
	}
	// The running-config holds them in clear; it comes in 5-byte chunks.
	d.SetFaults(lab.Faults{ChunkLatency: 200 * time.Microsecond, ChunkSize: 5})
	r, err := s.SendCommand(ctx, "show running-config")
	if err != nil {
		t.Fatal(err)
	}
	// The output itself is the device's data and is returned as is.
	if !strings.Contains(r.Output, labPass) {
		t.Errorf("running-config does not show the planted secret; the test proves nothing")
	}

	// A hidden answer.
	if _, err := s.SendInteractive(ctx, []driver.InteractiveEvent{
		{Send: "show clock"},
		{Send: hidden, Hidden: true},
	}); err != nil {
		t.Fatal(err)
	}

	// A timeout whose last received bytes hold a secret.
	d.SetFaults(lab.Faults{Hang: `include`})
	_, err = s.SendCommand(ctx, "show running-config | include "+labPass, driver.WithTimeout(200*time.Millisecond))
	if !errors.Is(err, driver.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if !strings.Contains(err.Error(), "********") {
		t.Errorf("timeout error should show the redacted echo: %v", err)
	}
	s.Close()

	for _, sec := range secrets {
		if strings.Contains(tr.String(), sec) {
			t.Errorf("transcript holds %q", sec)
		}
		if strings.Contains(err.Error(), sec) {
			t.Errorf("error holds %q: %v", sec, err)
		}
		if strings.Contains(logs.String(), sec) {
			t.Errorf("log holds %q", sec)
		}
	}
	if !strings.Contains(tr.String(), "password 0 ********") || !strings.Contains(tr.String(), "show running-config") {
		t.Errorf("transcript does not look complete:\n%s", tr.String())
	}
}
