package engine_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
)

// loginCounter counts the logins in progress (Open entered, device not yet
// authenticated) and the sessions being set up after authentication.
type loginCounter struct {
	mu                sync.Mutex
	inLogin, maxLogin int
	authenticated     int
	allAuthenticated  chan struct{}
	devices           int
	tellAuthenticated bool
}

func (c *loginCounter) open(ctx context.Context, h *hcl.Host, _ io.Writer) (engine.Session, error) {
	c.mu.Lock()
	c.inLogin++
	c.maxLogin = max(c.maxLogin, c.inLogin)
	c.mu.Unlock()
	time.Sleep(time.Millisecond) // give another login the chance to overlap
	c.mu.Lock()
	c.inLogin--
	c.authenticated++
	if c.authenticated == c.devices {
		close(c.allAuthenticated)
	}
	c.mu.Unlock()
	if !c.tellAuthenticated {
		return &echoSession{out: "ok"}, nil
	}
	driver.NotifyAuthenticated(ctx)
	// Setting the session up (prompt, terminal length) waits on the
	// device, not on the authentication server: every device gets here
	// although only one login runs at a time.
	select {
	case <-c.allAuthenticated:
		return &echoSession{out: "ok"}, nil
	case <-time.After(10 * time.Second):
		return nil, errors.New("the other devices never got past their login: the slot is held after authentication")
	}
}

// --connect-limit caps the logins in progress, until each device has
// authenticated; the session's setup after that does not hold a slot.
// Without the driver's word, the slot is held until Open returns.
func TestConnectLimitCoversTheLoginOnly(t *testing.T) {
	for _, tell := range []bool{true, false} {
		var hosts []*hcl.Host
		for i := range 4 {
			hosts = append(hosts, fakeHost("r"+itoa(i+1), i+1))
		}
		c := &loginCounter{allAuthenticated: make(chan struct{}), devices: len(hosts), tellAuthenticated: tell}
		opts := fastOpts(&recorder{})
		opts.Forks, opts.ConnectLimit, opts.Open = 4, 1, c.open
		rep := compile(t, `step "send_command" "show" { command = "show version" }`).Run(context.Background(), hosts, opts)
		for _, d := range rep.Devices {
			if d.Status != engine.DevicePassed {
				t.Errorf("told authenticated %v: %s %s: %s", tell, d.Name, d.Status, d.Steps[0].Message)
			}
		}
		if c.maxLogin != 1 {
			t.Errorf("told authenticated %v: %d logins at once, want 1 (--connect-limit 1)", tell, c.maxLogin)
		}
	}
}
