package driver_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"golang.org/x/crypto/ssh"
)

// A login the caller stops while the device is slow (a handshake that
// never finishes, a shell that never opens) fails with context.Canceled
// and says it was stopped, not that the device took too long.
func TestStoppedWhileConnecting(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept() // accepts and never speaks
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	shellHost, shellPort, kh := serveOneSSH(t, newSigner(t), func(_ *ssh.ServerConn, ch ssh.Channel, reqs <-chan *ssh.Request) {
		defer ch.Close()
		for r := range reqs {
			if r.Type == "pty-req" {
				r.Reply(true, nil)
			} // the shell request gets no answer
		}
	})
	_, silentPort, _ := net.SplitHostPort(silent.Addr().String())

	for _, tc := range []struct {
		name string
		port int
		want string
	}{
		{"handshake", atoi(t, silentPort), "SSH handshake with 127.0.0.1:" + silentPort + " stopped before it finished"},
		{"shell", shellPort, "stopped before the device opened a shell"},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := driver.Open(ctx, driver.Config{
			Name: "r1", Address: shellHost, Port: tc.port, Platform: "cisco_ios",
			Username: "admin", Password: "pw", KnownHostsFile: kh, ConnectTimeout: time.Hour,
		})
		cancel()
		if !errors.Is(err, context.Canceled) || errors.Is(err, driver.ErrTimeout) || err == nil || !strings.HasSuffix(err.Error(), tc.want) {
			t.Errorf("%s: err = %v; want context.Canceled ending %q", tc.name, err, tc.want)
		}
	}
}
