// Package sshconn prepares a connection for x/crypto/ssh, on either side:
// runbook's client (package driver) and its simulator's server (package
// lab) read the peer's version line the same way.
package sshconn

import (
	"bufio"
	"net"
)

// versionBufferSize holds the longest version line RFC 4253 allows (255
// bytes with its CR LF) with room for the start of the key exchange.
const versionBufferSize = 512

// ReadBuffered returns c reading through a small buffer. x/crypto reads
// the other side's version line one byte at a time, a system call per byte
// (about 20 for a network OS's "SSH-2.0-Cisco-1.25"); through the buffer
// that is one. Reads as large as the buffer (x/crypto's packet reader asks
// for 4 KiB) bypass it once it is drained, so the rest of the session
// costs no copy.
func ReadBuffered(c net.Conn) net.Conn {
	return &bufferedConn{Conn: c, r: bufio.NewReaderSize(c, versionBufferSize)}
}

type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
