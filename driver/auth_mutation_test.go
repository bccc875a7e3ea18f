package driver_test

// Tests written against the mutants gremlins left alive in transport.go
// (docs/testing.md, "Mutation testing"): authentication set-up, jump host
// inheritance, defaults, and how dial and handshake failures are reported.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

// silentListener accepts TCP connections on 127.0.0.1 and never says a
// word: an SSH handshake with it never finishes. Each accepted connection
// is signalled on the returned channel.
func silentListener(t *testing.T) (int, <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan struct{}, 16)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port, accepted
}

// closedPort is a 127.0.0.1 port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// openErr opens cfg with a generous guard and returns Open's error.
func openErr(t *testing.T, ctx context.Context, cfg driver.Config) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := driver.Open(ctx, cfg)
	if err == nil {
		s.Close()
		t.Fatalf("Open succeeded, want an error")
	}
	return err
}

// TestTransportDialErrors: a refused connection is ErrConnect (not a
// timeout, not a cancellation); a cancelled context is context.Canceled;
// the device name defaults to the address and the port to 22; a device
// without an address is refused before anything is dialled.
func TestTransportDialErrors(t *testing.T) {
	port := closedPort(t)
	err := openErr(t, context.Background(), driver.Config{
		Address: "127.0.0.1", Port: port, Platform: "linux", Username: "u", Password: "p",
	})
	if !errors.Is(err, driver.ErrConnect) || errors.Is(err, driver.ErrTimeout) || errors.Is(err, context.Canceled) {
		t.Errorf("refused: err = %v, want only ErrConnect", err)
	}
	if want := fmt.Sprintf("127.0.0.1: connect: connection failed: dialing 127.0.0.1:%d: ", port); !strings.HasPrefix(err.Error(), want) {
		t.Errorf("refused: err = %q, want it to start %q (the address names the device)", err, want)
	}

	// Cancelled before the dial: the user stopped it. Defaults show in
	// the message: port 22, connect timeout 10s.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = openErr(t, ctx, driver.Config{Name: "r1", Address: "127.0.0.1", Platform: "linux", Username: "u", Password: "p"})
	if !errors.Is(err, context.Canceled) || errors.Is(err, driver.ErrConnect) || errors.Is(err, driver.ErrTimeout) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
	if want := "r1: connect: context canceled: dialing 127.0.0.1:22: stopped before an answer (connect timeout 10s)"; err.Error() != want {
		t.Errorf("cancelled: err = %q, want %q", err, want)
	}

	err = openErr(t, context.Background(), driver.Config{Name: "r1", Platform: "linux", Username: "u", Password: "p"})
	if !errors.Is(err, driver.ErrConnect) || err.Error() != "r1: connect: connection failed: no address" {
		t.Errorf("no address: err = %v", err)
	}
}

// TestTransportHandshakeDeadline: a server that accepts TCP but never
// answers the SSH handshake fails the connect timeout, named as the
// device's own connection, not a jump host's.
func TestTransportHandshakeDeadline(t *testing.T) {
	port, _ := silentListener(t)
	err := openErr(t, context.Background(), driver.Config{
		Name: "silent", Address: "127.0.0.1", Port: port, Platform: "linux", Username: "u", Password: "p",
		HostKeyCheck: driver.HostKeyOff, ConnectTimeout: 300 * time.Millisecond,
	})
	if !errors.Is(err, driver.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	want := fmt.Sprintf("silent: connect: timeout: SSH handshake with 127.0.0.1:%d not finished within 300ms", port)
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

// TestTransportCancelDuringHandshake: cancelling the context while the
// handshake waits ends Open at once with context.Canceled, not a timeout
// or a connection failure.
func TestTransportCancelDuringHandshake(t *testing.T) {
	port, accepted := silentListener(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		s, err := driver.Open(ctx, driver.Config{
			Name: "silent", Address: "127.0.0.1", Port: port, Platform: "linux", Username: "u", Password: "p",
			HostKeyCheck: driver.HostKeyOff, ConnectTimeout: 20 * time.Second,
		})
		if s != nil {
			s.Close()
		}
		done <- err
	}()
	select {
	case <-accepted:
	case <-time.After(10 * time.Second):
		t.Fatal("the driver never connected")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || errors.Is(err, driver.ErrTimeout) || errors.Is(err, driver.ErrConnect) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Open did not return after the context was cancelled")
	}
}

// TestTransportJumpInheritsConnectTimeout: a jump host without its own
// connect timeout gets the device's; its failures name the jump host.
func TestTransportJumpInheritsConnectTimeout(t *testing.T) {
	jumpPort, _ := silentListener(t)
	err := openErr(t, context.Background(), driver.Config{
		Name: "dev", Address: "127.0.0.1", Port: closedPort(t), Platform: "linux", Username: "u", Password: "p",
		HostKeyCheck: driver.HostKeyOff, ConnectTimeout: 300 * time.Millisecond,
		Jump: []driver.Config{{Address: "127.0.0.1", Port: jumpPort, Username: "j", Password: "jp"}},
	})
	if !errors.Is(err, driver.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	want := fmt.Sprintf("dev: connect via jump host 127.0.0.1:%d: timeout: SSH handshake with 127.0.0.1:%d not finished within 300ms", jumpPort, jumpPort)
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

// TestTransportJumpInheritsHostKeyPolicy: a jump host that sets neither
// host_key_check nor known_hosts uses the device's: with accept-new both
// the bastion's key and the device's are learned into the device's file
// (and nothing is written to the home directory).
func TestTransportJumpInheritsHostKeyPolicy(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	srv := startSSHD(t)
	f := startFleet(t, lab.DeviceSpec{Name: "behind2", Platform: "cisco_ios"})
	d := f.Device("behind2")
	cfg := labConfig(t, d)
	cfg.KnownHostsFile = filepath.Join(t.TempDir(), "learned", "known_hosts")
	cfg.HostKeyCheck = driver.HostKeyAcceptNew
	jump := srv.config(t)
	jump.KnownHostsFile, jump.HostKeyCheck = "", ""
	cfg.Jump = []driver.Config{jump}
	s := open(t, cfg)
	if r, err := s.SendCommand(context.Background(), "show version"); err != nil || !strings.Contains(r.Output, "Cisco IOS") {
		t.Fatalf("via jump host: %v", err)
	}
	data, err := os.ReadFile(cfg.KnownHostsFile)
	if err != nil {
		t.Fatal(err)
	}
	for what, key := range map[string]ssh.PublicKey{"bastion": srv.hostKey, "device": d.HostKey()} {
		if !strings.Contains(string(data), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))) {
			t.Errorf("the %s's key was not learned into the device's known_hosts:\n%s", what, data)
		}
	}
	if _, err := os.Stat(filepath.Join(home, ".ssh")); err == nil {
		t.Errorf("something was written to the home directory")
	}
}

// TestTransportDefaultTimeouts: a Config that sets no timeouts gets
// usable defaults (a zero timeout would fail every operation at once).
func TestTransportDefaultTimeouts(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "deft1", Platform: "cisco_ios"})
	cfg := labConfig(t, f.Device("deft1"))
	cfg.ConnectTimeout, cfg.CommandTimeout, cfg.IdleTimeout = 0, 0, 0
	s := open(t, cfg)
	r, err := s.SendCommand(hangGuard(t), "show version")
	if err != nil || !strings.Contains(r.Output, "Cisco IOS") {
		t.Fatalf("show version with default timeouts: %v", err)
	}
}

// TestTransportLegacyWithoutHostKeyCheck: legacy_algorithms adds ssh-rsa
// to every host key algorithm, it does not replace them: with host key
// checking off, a server with only an ed25519 key is still reached.
func TestTransportLegacyWithoutHostKeyCheck(t *testing.T) {
	srv := startSSHD(t)
	cfg := srv.config(t)
	cfg.HostKeyCheck = driver.HostKeyOff
	cfg.LegacyAlgorithms = true
	openT(t, cfg).Close()
}

// serveAgent serves a keyring on a unix socket and reports each client
// connection's end on the returned channel.
func serveAgent(t *testing.T, keys ...any) (string, <-chan struct{}) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	kr := agent.NewKeyring()
	for _, k := range keys {
		if err := kr.Add(agent.AddedKey{PrivateKey: k}); err != nil {
			t.Fatal(err)
		}
	}
	ended := make(chan struct{}, 16)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				agent.ServeAgent(kr, c) // returns when the client closes
				c.Close()
				ended <- struct{}{}
			}()
		}
	}()
	return sock, ended
}

func waitEnded(t *testing.T, ended <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Errorf("%s: the connection to the ssh-agent was never closed", what)
	}
}

// TestAuthAgentConnectionClosed: the ssh-agent connection is closed with
// the session, and at once when Open fails after opening it.
func TestAuthAgentConnectionClosed(t *testing.T) {
	srv := startSSHD(t)
	sock, ended := serveAgent(t, mustRawKey(t, srv.keyFile))
	t.Setenv("SSH_AUTH_SOCK", sock)

	cfg := srv.config(t)
	cfg.PrivateKey = ""
	cfg.UseAgent = true
	openT(t, cfg).Close()
	waitEnded(t, ended, "after Close")

	cfg.PrivateKey = filepath.Join(t.TempDir(), "no-such-key")
	err := openErr(t, context.Background(), cfg)
	if !errors.Is(err, driver.ErrAuth) || !strings.Contains(err.Error(), "private key: ") {
		t.Errorf("err = %v, want ErrAuth about the key file", err)
	}
	waitEnded(t, ended, "after a failed Open")
}

// TestAuthSetupErrors: credentials that cannot be used are ErrAuth with a
// message that says why, before anything is sent to the server.
func TestAuthSetupErrors(t *testing.T) {
	srv := startSSHD(t)
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage")
	os.WriteFile(garbage, []byte("not a key\n"), 0o600)

	t.Run("agent without SSH_AUTH_SOCK", func(t *testing.T) {
		t.Setenv("SSH_AUTH_SOCK", "")
		cfg := srv.config(t)
		cfg.PrivateKey, cfg.UseAgent = "", true
		err := openErr(t, context.Background(), cfg)
		if !errors.Is(err, driver.ErrAuth) || !strings.Contains(err.Error(), "use_agent is set but SSH_AUTH_SOCK is empty") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("agent socket missing", func(t *testing.T) {
		t.Setenv("SSH_AUTH_SOCK", filepath.Join(dir, "no-agent.sock"))
		cfg := srv.config(t)
		cfg.PrivateKey, cfg.UseAgent = "", true
		err := openErr(t, context.Background(), cfg)
		if !errors.Is(err, driver.ErrAuth) || !strings.Contains(err.Error(), "connecting to ssh-agent at SSH_AUTH_SOCK") {
			t.Errorf("err = %v", err)
		}
	})
	for _, tt := range []struct {
		name             string
		key, passphrase  string
		want             string
		password, nokeys bool
	}{
		{name: "no credentials", nokeys: true, want: "no credentials: set a password, a private key or use_agent"},
		{name: "key file missing", key: filepath.Join(dir, "missing"), want: "private key: stat "},
		{name: "not a key", key: garbage, want: "private key " + garbage + ": ssh: no key found"},
		{name: "encrypted, no passphrase", key: srv.encKey, want: "private key " + srv.encKey + " is encrypted and no passphrase is set"},
		{name: "encrypted, wrong passphrase", key: srv.encKey, passphrase: "Wrong-Passphrase-9", want: "private key " + srv.encKey + ": cannot decrypt it with the passphrase given"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := srv.config(t)
			cfg.PrivateKey, cfg.PrivateKeyPassphrase = tt.key, tt.passphrase
			err := openErr(t, context.Background(), cfg)
			if !errors.Is(err, driver.ErrAuth) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrAuth with %q", err, tt.want)
			}
			if tt.passphrase != "" && strings.Contains(err.Error(), tt.passphrase) {
				t.Errorf("err shows the passphrase: %v", err)
			}
		})
	}
}

// TestAuthRejectedNamesTheMethods: a refused key is ErrAuth, not retried,
// and the message lists what was tried (without secrets).
func TestAuthRejectedNamesTheMethods(t *testing.T) {
	srv := startSSHD(t)
	cfg := srv.config(t)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	cfg.PrivateKey = filepath.Join(t.TempDir(), "id_other")
	if err := writeKey(cfg.PrivateKey, priv, ""); err != nil {
		t.Fatal(err)
	}
	err := openErr(t, context.Background(), cfg)
	want := fmt.Sprintf("sshd: connect: authentication failed: user %q on %s:%d: the device rejected the credentials (tried key %s); not retried",
		srv.user, srv.addr, srv.port, cfg.PrivateKey)
	if !errors.Is(err, driver.ErrAuth) || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
}
