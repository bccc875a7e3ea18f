package driver_test

// Tests against a real OpenSSH server (Debian's openssh-server), started by
// the test on a free 127.0.0.1 port with its own configuration, host key
// and authorized_keys. Nothing is installed here: .ci/run installs
// openssh-server; without /usr/sbin/sshd these tests skip.
//
// Password authentication needs a local account with a known password.
// The test creates one (runbook-sshd-test) only when it runs as root and
// CI=true or RUNBOOK_SSHD_TESTS=1, since creating accounts is not
// something a test should do on a developer's machine unasked.

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/runbook-dev/runbook/driver"
)

const sshdBin = "/usr/sbin/sshd"

type sshd struct {
	addr     string
	port     int
	hostKey  ssh.PublicKey
	user     string // the account key auth logs in as
	keyFile  string // private key accepted for user
	encKey   string // the same kind of key, encrypted with encPass
	encPass  string
	signer   ssh.Signer // the unencrypted key, for the agent test
	pwUser   string     // account with a password, "" when not available
	password string
	dir      string
}

var (
	sshdOnce   sync.Once
	sshdServer *sshd
	sshdErr    error
	sshdStop   func()
)

// startSSHD starts one sshd shared by the tests of this package; it is
// stopped by TestMain.
func startSSHD(t *testing.T) *sshd {
	t.Helper()
	if _, err := os.Stat(sshdBin); err != nil {
		t.Skipf("OpenSSH server not installed (%s missing); .ci/run installs openssh-server", sshdBin)
	}
	sshdOnce.Do(func() { sshdServer, sshdStop, sshdErr = launchSSHD() })
	if sshdErr != nil {
		t.Fatalf("starting sshd: %v", sshdErr)
	}
	return sshdServer
}

func writeKey(path string, key ed25519.PrivateKey, passphrase string) error {
	var block *pem.Block
	var err error
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(key, "runbook test")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(key, "runbook test", []byte(passphrase))
	}
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(block), 0o600)
}

func launchSSHD() (*sshd, func(), error) {
	dir, err := os.MkdirTemp("", "runbook-sshd-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	s := &sshd{dir: dir, encPass: "correct horse battery"}

	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	if err := writeKey(filepath.Join(dir, "host_ed25519"), hostPriv, ""); err != nil {
		cleanup()
		return nil, nil, err
	}
	s.hostKey, _ = ssh.NewPublicKey(hostPriv.Public())

	_, userPriv, _ := ed25519.GenerateKey(rand.Reader)
	s.keyFile = filepath.Join(dir, "id_ed25519")
	s.encKey = filepath.Join(dir, "id_ed25519_enc")
	if err := writeKey(s.keyFile, userPriv, ""); err != nil {
		cleanup()
		return nil, nil, err
	}
	if err := writeKey(s.encKey, userPriv, s.encPass); err != nil {
		cleanup()
		return nil, nil, err
	}
	s.signer, _ = ssh.NewSignerFromKey(userPriv)
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(s.signer.PublicKey()), 0o644); err != nil {
		cleanup()
		return nil, nil, err
	}

	u, err := user.Current()
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	s.user = u.Username
	if os.Geteuid() == 0 {
		// Debian's sshd refuses to start as root without its privilege
		// separation directory, which the service unit normally creates.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			cleanup()
			return nil, nil, err
		}
		if os.Getenv("CI") == "true" || os.Getenv("RUNBOOK_SSHD_TESTS") == "1" {
			s.pwUser, s.password = "runbook-sshd-test", "Rb-test-pw-8141"
			if err := ensureUser(s.pwUser, s.password); err != nil {
				s.pwUser = ""
				fmt.Fprintf(os.Stderr, "sshd tests: no password account: %v\n", err)
			}
		}
	}

	for attempt := 0; ; attempt++ {
		port, err := freePort()
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		stop, err := runSSHD(s, port)
		if err == nil {
			s.port, s.addr = port, "127.0.0.1"
			return s, func() { stop(); cleanup() }, nil
		}
		if attempt == 3 {
			cleanup()
			return nil, nil, err
		}
	}
}

func ensureUser(name, password string) error {
	if _, err := user.Lookup(name); err != nil {
		if out, err := exec.Command("useradd", "-m", "-s", "/bin/bash", name).CombinedOutput(); err != nil {
			return fmt.Errorf("useradd: %v: %s", err, out)
		}
	}
	cmd := exec.Command("chpasswd")
	cmd.Stdin = strings.NewReader(name + ":" + password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("chpasswd: %v: %s", err, out)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// runSSHD starts sshd in the foreground and waits for its "Server
// listening" line on stderr (no polling, no sleeps).
func runSSHD(s *sshd, port int) (func(), error) {
	cfg := filepath.Join(s.dir, "sshd_config")
	conf := fmt.Sprintf(`ListenAddress 127.0.0.1
Port %d
HostKey %s
PidFile %s
AuthorizedKeysFile %s
UsePAM no
StrictModes no
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
AllowTcpForwarding yes
MaxAuthTries 10
LogLevel VERBOSE
`, port, filepath.Join(s.dir, "host_ed25519"), filepath.Join(s.dir, "sshd.pid"), filepath.Join(s.dir, "authorized_keys"))
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(sshdBin, "-D", "-e", "-f", cfg)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		var lines []string
		for sc.Scan() {
			line := sc.Text()
			if os.Getenv("RUNBOOK_SSHD_DEBUG") != "" {
				fmt.Fprintln(os.Stderr, "sshd:", line)
			}
			if strings.Contains(line, "Server listening") {
				select {
				case ready <- nil:
				default:
				}
			}
			if len(lines) < 20 {
				lines = append(lines, line)
			}
		}
		select {
		case ready <- fmt.Errorf("sshd exited: %s", strings.Join(lines, "; ")):
		default:
		}
	}()
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	select {
	case err := <-ready:
		if err != nil {
			stop()
			return nil, err
		}
	case <-time.After(10 * time.Second):
		stop()
		return nil, errors.New("sshd did not start listening within 10s")
	}
	return stop, nil
}

func (s *sshd) knownHostsLine() string {
	return "[127.0.0.1]:" + fmt.Sprint(s.port) + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.hostKey)))
}

// config is a key-auth linux Config with a known_hosts file holding the
// server's key.
func (s *sshd) config(t *testing.T) driver.Config {
	t.Helper()
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(kh, []byte(s.knownHostsLine()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return driver.Config{
		Name:           "sshd",
		Address:        s.addr,
		Port:           s.port,
		Platform:       "linux",
		Username:       s.user,
		PrivateKey:     s.keyFile,
		KnownHostsFile: kh,
		ConnectTimeout: 10 * time.Second,
		CommandTimeout: 10 * time.Second,
	}
}

func openT(t *testing.T, cfg driver.Config) *driver.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := driver.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSSHDKeyAuthAndCommands(t *testing.T) {
	srv := startSSHD(t)
	s := openT(t, srv.config(t))
	ctx := context.Background()

	host, _ := os.Hostname()
	if got := s.Hostname(); got != host {
		t.Errorf("Hostname() = %q, want %q (prompt %q)", got, host, s.Prompt())
	}
	if s.Platform() != "linux" {
		t.Errorf("Platform() = %q", s.Platform())
	}

	r, err := s.SendCommand(ctx, "echo hello-$((6*7))")
	if err != nil {
		t.Fatal(err)
	}
	if r.Output != "hello-42" || r.Failed {
		t.Errorf("echo: output %q failed %v", r.Output, r.Failed)
	}

	r, err = s.SendCommand(ctx, "no-such-command-xyz")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Failed || r.FailedBy != "command not found" {
		t.Errorf("unknown command: failed %v by %q, output %q", r.Failed, r.FailedBy, r.Output)
	}

	// ANSI escapes are stripped, \r\n normalised.
	r, err = s.SendCommand(ctx, `printf '\033[1mbold\033[0m plain\r\nnext\n'`)
	if err != nil {
		t.Fatal(err)
	}
	if r.Output != "bold plain\nnext" {
		t.Errorf("ansi: output %q", r.Output)
	}

	// Large output arrives in many reads; every line is kept, in order.
	r, err = s.SendCommand(ctx, "seq 1 20000")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(r.Output, "\n")
	if len(lines) != 20000 || lines[0] != "1" || lines[19999] != "20000" {
		t.Errorf("seq: %d lines, first %q last %q", len(lines), lines[0], lines[len(lines)-1])
	}

	// A long command (longer than the 511-column terminal) wraps in the
	// echo; the output must still come back clean.
	long := "echo " + strings.Repeat("x", 700)
	r, err = s.SendCommand(ctx, long)
	if err != nil {
		t.Fatal(err)
	}
	if r.Output != strings.Repeat("x", 700) {
		t.Errorf("long command: output %q", r.Output)
	}

	// The prompt follows a directory change (part of the linux prompt).
	if _, err := s.SendCommand(ctx, "cd /tmp"); err != nil {
		t.Fatal(err)
	}
	r, err = s.SendCommand(ctx, "pwd")
	if err != nil {
		t.Fatal(err)
	}
	if r.Output != "/tmp" {
		t.Errorf("pwd: %q", r.Output)
	}

	// SendInteractive with a shell read.
	r, err = s.SendInteractive(ctx, []driver.InteractiveEvent{
		{Send: `read -p "Name? " n; echo "hi $n"`, Expect: "Name? "},
		{Send: "bob"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Output, "hi bob") {
		t.Errorf("interactive: %q", r.Output)
	}

	// linux has no save.
	if _, err := s.Save(ctx); !errors.Is(err, driver.ErrUnsupported) {
		t.Errorf("Save on linux: %v, want ErrUnsupported", err)
	}
}

func TestSSHDKnownHosts(t *testing.T) {
	srv := startSSHD(t)
	ctx := context.Background()

	t.Run("strict unknown", func(t *testing.T) {
		cfg := srv.config(t)
		cfg.KnownHostsFile = filepath.Join(t.TempDir(), "missing", "known_hosts")
		_, err := driver.Open(ctx, cfg)
		if !errors.Is(err, driver.ErrHostKey) {
			t.Fatalf("err = %v, want ErrHostKey", err)
		}
		for _, want := range []string{"ssh-keyscan -p " + fmt.Sprint(srv.port) + " 127.0.0.1", "accept-new", ssh.FingerprintSHA256(srv.hostKey)} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
		if _, err := os.Stat(cfg.KnownHostsFile); err == nil {
			t.Errorf("strict mode wrote %s", cfg.KnownHostsFile)
		}
	})

	t.Run("accept-new", func(t *testing.T) {
		cfg := srv.config(t)
		cfg.KnownHostsFile = filepath.Join(t.TempDir(), "new", "dir", "known_hosts")
		cfg.HostKeyCheck = driver.HostKeyAcceptNew
		s := openT(t, cfg)
		s.Close()
		data, err := os.ReadFile(cfg.KnownHostsFile)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(string(data)); got != srv.knownHostsLine() {
			t.Errorf("known_hosts = %q, want %q", got, srv.knownHostsLine())
		}
		// Now strict mode trusts it, and a second accept-new adds nothing.
		cfg.HostKeyCheck = driver.HostKeyStrict
		openT(t, cfg).Close()
		cfg.HostKeyCheck = driver.HostKeyAcceptNew
		openT(t, cfg).Close()
		data2, _ := os.ReadFile(cfg.KnownHostsFile)
		if string(data2) != string(data) {
			t.Errorf("known_hosts changed on the second accept-new:\n%s", data2)
		}
	})

	t.Run("accept-new concurrent", func(t *testing.T) {
		// Many sessions learning keys at once must not lose lines: the
		// file is rewritten under a lock and renamed into place.
		cfg := srv.config(t)
		cfg.KnownHostsFile = filepath.Join(t.TempDir(), "known_hosts")
		other := "[other.example]:22 " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(srv.signer.PublicKey())))
		os.WriteFile(cfg.KnownHostsFile, []byte(other+"\n"), 0o600)
		cfg.HostKeyCheck = driver.HostKeyAcceptNew
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				s, err := driver.Open(ctx, cfg)
				if err != nil {
					t.Error(err)
					return
				}
				s.Close()
			})
		}
		wg.Wait()
		data, _ := os.ReadFile(cfg.KnownHostsFile)
		if got := strings.Count(string(data), "\n"); got != 2 || !strings.HasPrefix(string(data), other+"\n") {
			t.Errorf("known_hosts after concurrent accept-new:\n%s", data)
		}
	})

	for _, mode := range []string{driver.HostKeyStrict, driver.HostKeyAcceptNew} {
		t.Run("mismatch "+mode, func(t *testing.T) {
			cfg := srv.config(t)
			cfg.HostKeyCheck = mode
			_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
			other, _ := ssh.NewPublicKey(otherPriv.Public())
			line := "[127.0.0.1]:" + fmt.Sprint(srv.port) + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(other)))
			os.WriteFile(cfg.KnownHostsFile, []byte("# a comment\n"+line+"\n"), 0o600)
			_, err := driver.Open(ctx, cfg)
			if !errors.Is(err, driver.ErrHostKey) {
				t.Fatalf("err = %v, want ErrHostKey", err)
			}
			for _, want := range []string{"MISMATCH", ssh.FingerprintSHA256(srv.hostKey), ssh.FingerprintSHA256(other), cfg.KnownHostsFile + ":2", "ssh-keygen -R"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			data, _ := os.ReadFile(cfg.KnownHostsFile)
			if strings.Count(string(data), "\n") != 2 {
				t.Errorf("known_hosts modified on mismatch:\n%s", data)
			}
		})
	}

	t.Run("off warns", func(t *testing.T) {
		cfg := srv.config(t)
		cfg.KnownHostsFile = filepath.Join(t.TempDir(), "none")
		cfg.HostKeyCheck = driver.HostKeyOff
		var logs syncBuffer
		cfg.Logger = newTextLogger(&logs)
		openT(t, cfg).Close()
		if !strings.Contains(logs.String(), "host key checking is off") || !strings.Contains(logs.String(), "level=WARN") {
			t.Errorf("no warning logged: %s", logs.String())
		}
	})

	t.Run("known key of another type", func(t *testing.T) {
		// known_hosts holds only the ed25519 key; the driver must ask the
		// server for that algorithm rather than fail on its first choice.
		cfg := srv.config(t)
		openT(t, cfg).Close()
	})
}

func TestSSHDAuth(t *testing.T) {
	srv := startSSHD(t)
	ctx := context.Background()

	t.Run("encrypted key with passphrase", func(t *testing.T) {
		cfg := srv.config(t)
		cfg.PrivateKey = srv.encKey
		cfg.PrivateKeyPassphrase = srv.encPass
		openT(t, cfg).Close()
	})

	t.Run("encrypted key, wrong passphrase", func(t *testing.T) {
		cfg := srv.config(t)
		cfg.PrivateKey = srv.encKey
		cfg.PrivateKeyPassphrase = "wrong passphrase"
		_, err := driver.Open(ctx, cfg)
		if !errors.Is(err, driver.ErrAuth) {
			t.Fatalf("err = %v, want ErrAuth", err)
		}
		if strings.Contains(err.Error(), "wrong passphrase") {
			t.Errorf("error reveals the passphrase: %v", err)
		}
	})

	t.Run("key not authorized", func(t *testing.T) {
		cfg := srv.config(t)
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		cfg.PrivateKey = filepath.Join(t.TempDir(), "id")
		writeKey(cfg.PrivateKey, priv, "")
		_, err := driver.Open(ctx, cfg)
		if !errors.Is(err, driver.ErrAuth) {
			t.Fatalf("err = %v, want ErrAuth", err)
		}
	})

	t.Run("agent", func(t *testing.T) {
		sock := filepath.Join(t.TempDir(), "agent.sock")
		l, err := net.Listen("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		kr := agent.NewKeyring()
		if err := kr.Add(agent.AddedKey{PrivateKey: mustRawKey(t, srv.keyFile)}); err != nil {
			t.Fatal(err)
		}
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				go func() { agent.ServeAgent(kr, c); c.Close() }()
			}
		}()
		t.Setenv("SSH_AUTH_SOCK", sock)
		cfg := srv.config(t)
		cfg.PrivateKey = ""
		cfg.UseAgent = true
		openT(t, cfg).Close()
	})

	t.Run("password", func(t *testing.T) {
		if srv.pwUser == "" {
			t.Skip("no account with a password: run as root with CI=true or RUNBOOK_SSHD_TESTS=1")
		}
		cfg := srv.config(t)
		cfg.PrivateKey = ""
		cfg.Username = srv.pwUser
		cfg.Password = srv.password
		var tr syncBuffer
		cfg.Transcript = &tr
		s := openT(t, cfg)
		r, err := s.SendCommand(ctx, "whoami")
		if err != nil {
			t.Fatal(err)
		}
		if r.Output != srv.pwUser {
			t.Errorf("whoami = %q", r.Output)
		}
		s.Close()
		if strings.Contains(tr.String(), srv.password) {
			t.Errorf("transcript holds the password")
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		if srv.pwUser == "" {
			t.Skip("no account with a password: run as root with CI=true or RUNBOOK_SSHD_TESTS=1")
		}
		cfg := srv.config(t)
		cfg.PrivateKey = ""
		cfg.Username = srv.pwUser
		cfg.Password = "not-the-password"
		_, err := driver.Open(ctx, cfg)
		if !errors.Is(err, driver.ErrAuth) {
			t.Fatalf("err = %v, want ErrAuth", err)
		}
		if strings.Contains(err.Error(), "not-the-password") {
			t.Errorf("error reveals the password: %v", err)
		}
	})

	t.Run("legacy algorithms still connect", func(t *testing.T) {
		cfg := srv.config(t)
		cfg.LegacyAlgorithms = true
		openT(t, cfg).Close()
	})
}

func TestSSHDProxyJump(t *testing.T) {
	srv := startSSHD(t)
	// Jump through the sshd to itself: the second hop is dialled through
	// the first connection's direct-tcpip channel.
	jump := srv.config(t)
	jump.Name = "bastion"
	cfg := srv.config(t)
	cfg.Jump = []driver.Config{jump, jump}
	s := openT(t, cfg)
	r, err := s.SendCommand(context.Background(), "echo $SSH_CONNECTION")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Output, "127.0.0.1 ") {
		t.Errorf("SSH_CONNECTION = %q", r.Output)
	}
}

func mustRawKey(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.ParseRawPrivateKey(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
