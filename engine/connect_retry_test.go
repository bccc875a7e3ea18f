package engine_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
)

// A login the device refused or dropped before the session was ready (an
// SSH server out of vty lines does that under load) is tried again, twice
// by default; a rejected login, a host key problem, a timeout and a
// cancelled run are not, and ConnectRetries < 0 turns it off.
func TestConnectRetries(t *testing.T) {
	refused := fmt.Errorf("r1: connect: %w: SSH handshake with 127.0.0.1:22: EOF", driver.ErrConnect)
	dropped := fmt.Errorf("r1: learn prompt: %w: writing to the device: EOF", driver.ErrClosed)
	for _, tc := range []struct {
		name       string
		failures   int // the first attempts fail with err
		err        error
		retries    int
		wantOpens  int
		wantPassed bool
		wantMsg    string
	}{
		{"refused once", 1, refused, 0, 2, true, ""},
		{"dropped twice", 2, dropped, 0, 3, true, ""},
		{"refused every time", 9, refused, 0, 3, false, "(after 3 connection attempts)"},
		{"more retries asked for", 4, refused, 4, 5, true, ""},
		{"retries off", 1, refused, -1, 1, false, "SSH handshake"},
		{"rejected login", 9, fmt.Errorf("r1: connect: %w: the device rejected the credentials", driver.ErrAuth), 0, 1, false, "rejected the credentials"},
		{"changed host key", 9, fmt.Errorf("r1: connect: %w: key mismatch", driver.ErrHostKey), 0, 1, false, "key mismatch"},
		{"timeout", 9, fmt.Errorf("r1: connect: %w: dialing: no answer within 10s", driver.ErrTimeout), 0, 1, false, "no answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opens atomic.Int32
			var logs bytes.Buffer
			opts := fastOpts(&recorder{})
			opts.ConnectRetries = tc.retries
			opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
				if int(opens.Add(1)) <= tc.failures {
					return nil, tc.err
				}
				return &echoSession{out: "ok"}, nil
			}
			rep := compile(t, `step "send_command" "show" { command = "show version" }`).Run(context.Background(), []*hcl.Host{fakeHost("r1", 1)}, opts)
			d := rep.Devices[0]
			if int(opens.Load()) != tc.wantOpens || (d.Status == engine.DevicePassed) != tc.wantPassed {
				t.Fatalf("%d connections, device %s (%s); want %d, passed %v", opens.Load(), d.Status, d.Steps[0].Message, tc.wantOpens, tc.wantPassed)
			}
			if !strings.Contains(d.Steps[0].Message, tc.wantMsg) {
				t.Errorf("message %q lacks %q", d.Steps[0].Message, tc.wantMsg)
			}
			if again := strings.Count(logs.String(), "connecting again"); again != tc.wantOpens-1 {
				t.Errorf("%d retries logged, want %d:\n%s", again, tc.wantOpens-1, logs.String())
			}
			// Each wait is the backoff (10ms in fastOpts, doubling) plus up
			// to half again; the log says which attempt comes, of how many.
			attempts := tc.retries + 1
			if tc.retries == 0 {
				attempts = 3
			}
			backoff := 10 * time.Millisecond
			retries := retryLog.FindAllStringSubmatch(logs.String(), -1)
			if len(retries) != tc.wantOpens-1 {
				t.Errorf("%d retry lines with their fields, want %d:\n%s", len(retries), tc.wantOpens-1, logs.String())
			}
			for i, m := range retries {
				wait, err := time.ParseDuration(m[3])
				if m[1] != fmt.Sprint(i+2) || m[2] != fmt.Sprint(attempts) || err != nil || wait < backoff || wait > backoff*3/2 {
					t.Errorf("retry %d logged next_attempt=%s attempts=%s wait=%s; want %d, %d and %s to %s", i+1, m[1], m[2], m[3], i+2, attempts, backoff, backoff*3/2)
				}
				backoff *= 2
			}
		})
	}
}

var retryLog = regexp.MustCompile(`connecting again" device=r1 next_attempt=(\d+) attempts=(\d+) wait=(\S+)`)

// A run interrupted while a login waits to be tried again ends at once.
func TestConnectRetryStopsWhenTheRunIsCancelled(t *testing.T) {
	var opens atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	opts := fastOpts(&recorder{})
	opts.RetryBackoff = time.Hour
	opts.Open = func(context.Context, *hcl.Host, io.Writer) (engine.Session, error) {
		opens.Add(1)
		cancel()
		return nil, fmt.Errorf("r1: connect: %w: EOF", driver.ErrConnect)
	}
	done := make(chan *engine.Report)
	go func() {
		done <- compile(t, `step "send_command" "show" { command = "show version" }`).Run(ctx, []*hcl.Host{fakeHost("r1", 1)}, opts)
	}()
	select {
	case rep := <-done:
		if opens.Load() != 1 || rep.Devices[0].Status == engine.DevicePassed {
			t.Errorf("%d connections, device %s", opens.Load(), rep.Devices[0].Status)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the run waited out the backoff after it was cancelled")
	}
}
