package driver_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

// A timeout says in a few words what did not come, within how long, in
// which mode and what came last: no prompt regexes, no list of patterns.
func TestTimeoutMessagesAreShort(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "hang1", Platform: "cisco_ios", StartPrivileged: true, Faults: &lab.Faults{Hang: `^show clock`}})
	ctx := context.Background()

	// Each case gets its own session: a session that timed out is still
	// waiting for the hung command.
	tests := []struct {
		name string
		run  func(s *driver.Session) error
		want string // a regexp, anchored
		is   []error
	}{
		{
			name: "command timeout",
			run: func(s *driver.Session) error {
				_, err := s.SendCommand(ctx, "show clock", driver.WithTimeout(300*time.Millisecond))
				return err
			},
			want: `hang1: send_command "show clock": timeout: no prompt within 300ms \(privileged mode\); last received: "show clock\\n"`,
			is:   []error{driver.ErrTimeout},
		},
		{
			// A caller's deadline (a step timeout) reads the same, with the
			// time waited rounded for people.
			name: "context deadline",
			run: func(s *driver.Session) error {
				cctx, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
				defer cancel()
				_, err := s.SendCommand(cctx, "show clock")
				return err
			},
			// (The time waited is what was left of the deadline: less, by
			// however long the machine took to get there; only its form is
			// checked.)
			want: `hang1: send_command "show clock": timeout: no prompt within [0-9]+ms \(privileged mode\); last received: "show clock\\n"`,
			is:   []error{driver.ErrTimeout, context.DeadlineExceeded},
		},
		{
			name: "expect",
			run: func(s *driver.Session) error {
				_, err := s.SendCommand(ctx, "show clock", driver.WithExpect(`Destination \[\w+\]`), driver.WithTimeout(300*time.Millisecond))
				return err
			},
			want: regexp.QuoteMeta(`hang1: send_command "show clock": timeout: no match for "Destination \\[\\w+\\]" within 300ms (privileged mode); last received: "show clock\n"`),
			is:   []error{driver.ErrTimeout},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(open(t, labConfig(t, f.Device("hang1"))))
			if err == nil {
				t.Fatal("no error")
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("error does not wrap %v: %v", target, err)
				}
			}
			var de *driver.Error
			if !errors.As(err, &de) {
				t.Errorf("not a *driver.Error: %T", err)
			}
			if !regexp.MustCompile(`^` + tt.want + `$`).MatchString(err.Error()) {
				t.Errorf("message\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}
