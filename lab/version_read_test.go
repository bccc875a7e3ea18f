package lab

import (
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/ssh"
)

// countingConn counts the reads that reach the connection.
type countingConn struct {
	net.Conn
	reads *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	c.reads.Add(1)
	return c.Conn.Read(p)
}

// The client's version line costs the lab one read, not one per byte.
func TestClientVersionReadThroughABuffer(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", Platform: CiscoIOS}}})
	d := f.Device("r1")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	var reads atomic.Int64
	d.fleet.wg.Add(1)
	go d.serveConn(countingConn{Conn: server, reads: &reads})
	cfg := sshConfig(d, d.Password())
	cfg.ClientVersion = "SSH-2.0-" + strings.Repeat("v", 80)
	c, chans, reqs, err := ssh.NewClientConn(client, d.Addr(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := reads.Load()
	ssh.NewClient(c, chans, reqs).Close()
	t.Logf("%d reads to log in", n)
	if n >= int64(len(cfg.ClientVersion)/2) {
		t.Errorf("%d reads of the connection to log in; want fewer than %d (the version line read a byte at a time?)", n, len(cfg.ClientVersion)/2)
	}
}
