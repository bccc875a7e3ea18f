package driver_test

// Issue 11: refused credentials and enable secrets are ErrAuth after one
// attempt, and known_hosts is read like OpenSSH reads it (malformed lines
// skipped with a warning, @cert-authority verified, a key type mismatch
// reported as a host key problem).

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

// A wrong password against OpenSSH without PAM, which answers the
// keyboard-interactive method with a bare failure ("unexpected message
// type 51" in x/crypto): ErrAuth, one password attempt.
func TestStatusOpenSSHWrongPasswordIsAuth(t *testing.T) {
	srv := startSSHDWith(t, sshdOptions{config: []string{"UsePAM no", "PasswordAuthentication yes", "KbdInteractiveAuthentication yes"}})
	cfg := srv.config(t)
	cfg.PrivateKey = ""
	cfg.Password = "wrong-Password-51"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := driver.Open(ctx, cfg)
	if !errors.Is(err, driver.ErrAuth) {
		t.Fatalf("err = %v, want ErrAuth", err)
	}
	if strings.Contains(err.Error(), cfg.Password) {
		t.Errorf("error shows the password: %v", err)
	}
	failed := regexp.MustCompile(`Failed password for`)
	srv.waitLog(t, failed, 1)
	if n := srv.logCount(failed); n != 1 {
		t.Errorf("sshd logged %d failed passwords, want 1", n)
	}
}

func startStatusLab(t *testing.T, faults *lab.Faults) *lab.Device {
	t.Helper()
	fleet, err := lab.StartFleet(context.Background(), lab.FleetSpec{Seed: t.Name(), Devices: []lab.DeviceSpec{{
		Name: "st1", Platform: lab.CiscoIOS, Username: "admin", Password: "st-pass-1", Secret: "st-secret-1", Faults: faults,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fleet.Close() })
	return fleet.Device("st1")
}

func statusLabConfig(d *lab.Device, knownHosts string) driver.Config {
	return driver.Config{
		Name: "st1", Address: "127.0.0.1", Port: d.Port(), Platform: "cisco_ios",
		Username: "admin", Password: "st-pass-1", Secret: "st-secret-1",
		KnownHostsFile: knownHosts, ConnectTimeout: 5 * time.Second, CommandTimeout: 5 * time.Second,
	}
}

// A wrong enable secret is an authentication failure (ErrAuth, and still
// ErrPrivilege): the engine must not retry it.
func TestStatusWrongEnableSecretIsAuth(t *testing.T) {
	d := startStatusLab(t, nil)
	kh := filepath.Join(t.TempDir(), "known_hosts")
	os.WriteFile(kh, []byte(knownhosts.Line([]string{knownhosts.Normalize(d.Addr())}, d.HostKey())+"\n"), 0o600)
	cfg := statusLabConfig(d, kh)
	cfg.Secret = "wrong-Secret-9"
	s, err := driver.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.SendCommand(context.Background(), "show clock")
	if !errors.Is(err, driver.ErrAuth) || !errors.Is(err, driver.ErrPrivilege) {
		t.Fatalf("err = %v, want ErrAuth and ErrPrivilege", err)
	}
	if strings.Contains(err.Error(), cfg.Secret) {
		t.Errorf("error shows the secret: %v", err)
	}
	n := 0
	for _, l := range d.Received() {
		if l == "enable" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("enable sent %d times, want 1", n)
	}
}

// One malformed line does not make every host unknown: it is skipped with
// a warning naming file:line, the other lines still count.
func TestStatusKnownHostsMalformedLineSkipped(t *testing.T) {
	d := startStatusLab(t, nil)
	kh := filepath.Join(t.TempDir(), "known_hosts")
	content := "# comment\nthis line is not a known_hosts line\n" +
		"@bogus-marker host ssh-ed25519 AAAA\n" +
		knownhosts.Line([]string{knownhosts.Normalize(d.Addr())}, d.HostKey()) + "\n"
	if err := os.WriteFile(kh, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	cfg := statusLabConfig(d, kh)
	cfg.Logger = newTextLogger(&logs)
	s, err := driver.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open with one malformed line in known_hosts: %v", err)
	}
	s.Close()
	for _, want := range []string{kh + ":2", kh + ":3", "skipped a malformed line"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

// certServer is an SSH server on 127.0.0.1 that presents hostKey (a
// certificate or a plain key) and refuses every login: reaching
// authentication proves the host key was accepted.
func certServer(t *testing.T, hostKey ssh.Signer) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(ssh.ConnMetadata, []byte) (*ssh.Permissions, error) {
			return nil, errors.New("no")
		},
	}
	cfg.AddHostKey(hostKey)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				ssh.NewServerConn(c, cfg)
			})
		}
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return ln.Addr().String()
}

func newSigner(t *testing.T) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hostCert(t *testing.T, host, ca ssh.Signer, principal string) ssh.Signer {
	t.Helper()
	cert := &ssh.Certificate{
		Key: host.PublicKey(), CertType: ssh.HostCert, KeyId: "test host",
		ValidPrincipals: []string{principal},
		ValidAfter:      uint64(time.Now().Add(-time.Hour).Unix()), ValidBefore: uint64(time.Now().Add(time.Hour).Unix()),
	}
	if err := cert.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewCertSigner(cert, host)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStatusKnownHostsCertAuthority(t *testing.T) {
	ca, otherCA, host := newSigner(t), newSigner(t), newSigner(t)
	caLine := func(k ssh.PublicKey) string {
		return "@cert-authority 127.0.0.1,[127.0.0.1]:* " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + "\n"
	}
	certAddr := certServer(t, hostCert(t, host, ca, "127.0.0.1"))
	wrongNameAddr := certServer(t, hostCert(t, host, ca, "core1.example.net"))
	plainAddr := certServer(t, host)

	for _, tc := range []struct {
		name, addr, knownHosts, mode string
		want                         error
		msg                          string
	}{
		{"trusted CA", certAddr, caLine(ca.PublicKey()), driver.HostKeyStrict, driver.ErrAuth, ""},
		{"trusted CA, accept-new", certAddr, caLine(ca.PublicKey()), driver.HostKeyAcceptNew, driver.ErrAuth, ""},
		{"wrong CA", certAddr, caLine(otherCA.PublicKey()), driver.HostKeyStrict, driver.ErrHostKey, "NOT TRUSTED"},
		{"wrong CA, accept-new", certAddr, caLine(otherCA.PublicKey()), driver.HostKeyAcceptNew, driver.ErrHostKey, "NOT TRUSTED"},
		{"principal mismatch", wrongNameAddr, caLine(ca.PublicKey()), driver.HostKeyStrict, driver.ErrHostKey, "principal"},
		{"plain key where a CA is expected, accept-new", plainAddr, caLine(ca.PublicKey()), driver.HostKeyAcceptNew, driver.ErrHostKey, "@cert-authority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kh := filepath.Join(t.TempDir(), "known_hosts")
			if err := os.WriteFile(kh, []byte(tc.knownHosts), 0o600); err != nil {
				t.Fatal(err)
			}
			_, port, _ := net.SplitHostPort(tc.addr)
			cfg := driver.Config{
				Name: "c1", Address: "127.0.0.1", Port: atoi(t, port), Platform: "linux",
				Username: "u", Password: "cert-test-Password", HostKeyCheck: tc.mode, KnownHostsFile: kh, ConnectTimeout: 5 * time.Second,
			}
			_, err := driver.Open(context.Background(), cfg)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.msg != "" && !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q lacks %q", err, tc.msg)
			}
			after, _ := os.ReadFile(kh)
			if string(after) != tc.knownHosts {
				t.Errorf("known_hosts changed:\n%s", after)
			}
		})
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a port: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}
