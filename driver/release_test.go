package driver_test

import (
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"golang.org/x/crypto/ssh"
)

// A closed session's connection (its buffers and ciphers, some 15 KB) can
// be collected as soon as the device has hung up, even when its last
// request, the exit-status it sends as it hangs up, is still queued: a
// fleet run keeps no closed connections alive. The poll that answers
// requests is made rare, so that only the close can let the connection go.
func TestClosedConnectionIsReleased(t *testing.T) {
	defer driver.SetAnswerEvery(time.Hour)()
	dialed := make(chan net.Conn, 1)
	defer driver.WrapDial(func(c net.Conn) net.Conn {
		dialed <- c
		return c
	})()
	host, port, kh := serveOneSSH(t, newSigner(t), func(_ *ssh.ServerConn, ch ssh.Channel, reqs <-chan *ssh.Request) {
		defer ch.Close()
		for r := range reqs {
			r.Reply(r.Type == "pty-req" || r.Type == "shell", nil)
			if r.Type == "shell" {
				break
			}
		}
		go ssh.DiscardRequests(reqs)
		shellLines(ch, func(line string) (string, bool) { return "", line != "exit" })
		ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := driver.Open(ctx, driver.Config{
		Name: "r1", Address: host, Port: port, Platform: "cisco_ios",
		Username: "admin", Password: "pw", KnownHostsFile: kh, CommandTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	runtime.AddCleanup((<-dialed).(*net.TCPConn), func(ch chan struct{}) { close(ch) }, released)
	if _, err := s.SendCommand(ctx, "show clock"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// The device hangs up in its own time (WaitClosed would hurry it and
	// close the connection before the exit-status arrives).
	for deadline := time.Now().Add(5 * time.Second); driver.PendingHangUps() > 0; {
		if time.Now().After(deadline) {
			t.Fatal("the device's hang-up was not seen within 5 s")
		}
		time.Sleep(time.Millisecond)
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		runtime.GC()
		select {
		case <-released:
			return
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the closed session's connection is still referenced 5 s after Close: a request queued on it keeps it alive")
		}
	}
}
