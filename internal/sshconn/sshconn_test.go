package sshconn

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
)

// countingConn counts the reads that reach the connection.
type countingConn struct {
	net.Conn
	reads int
}

func (c *countingConn) Read(p []byte) (int, error) {
	c.reads++
	return c.Conn.Read(p)
}

// A version line read a byte at a time, as x/crypto reads it, costs one
// read of the connection; the packets after it arrive whole, and reads of
// a packet's size go to the connection without waiting on the buffer.
func TestReadBuffered(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	version := "SSH-2.0-" + strings.Repeat("v", 80) + "\r\n"
	packet := bytes.Repeat([]byte("p"), 10000)
	go func() {
		defer server.Close()
		server.Write([]byte(version))
		server.Write(packet)
	}()
	counted := &countingConn{Conn: client}
	c := ReadBuffered(counted)
	var line []byte
	for b := make([]byte, 1); !bytes.HasSuffix(line, []byte("\n")); {
		if _, err := io.ReadFull(c, b); err != nil {
			t.Fatal(err)
		}
		line = append(line, b[0])
	}
	if string(line) != version {
		t.Fatalf("version line %q", line)
	}
	if counted.reads != 1 {
		t.Errorf("%d reads of the connection for the version line; want 1", counted.reads)
	}
	rest, err := io.ReadAll(io.LimitReader(c, int64(len(packet))))
	if err != nil || !bytes.Equal(rest, packet) {
		t.Fatalf("the packet after the version line: %d bytes, %v", len(rest), err)
	}
}
