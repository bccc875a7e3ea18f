package driver_test

// Tests against a real OpenSSH server (Debian's openssh-server), started by
// the test on a free 127.0.0.1 port with its own configuration, host keys
// and authorized_keys. Nothing is installed here: .ci/run installs
// openssh-server; without /usr/sbin/sshd these tests skip.
//
// Most tests share one key-auth sshd. Tests that claim a server
// requirement (a host key type, a legacy algorithm, password or
// keyboard-interactive authentication) start their own sshd configured to
// accept nothing else, so that they fail when the driver stops meeting it.
//
// Password and keyboard-interactive authentication need an account with a
// known password. When the tests run as root (as .ci/run does), sshd is
// started in a private mount namespace where /etc/passwd, /etc/shadow and
// /etc/pam.d/sshd are bind-mounted copies holding a test account: nothing
// on the machine changes. Not as root, those tests skip.

import (
	"bufio"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/runbook-dev/runbook/driver"
)

const sshdBin = "/usr/sbin/sshd"

// sshdOptions configure one sshd.
type sshdOptions struct {
	// hostKeys are the host key types the server has ("ed25519", "ecdsa",
	// "rsa"); default ed25519 only.
	hostKeys []string
	// config lines go first in sshd_config: for each keyword sshd uses the
	// first value it reads, so they override the defaults below them.
	config []string
	// password: an account with a password (pwUser), PAM enabled, in a
	// private mount namespace. Needs root.
	password bool
}

type sshd struct {
	addr     string
	port     int
	hostKey  ssh.PublicKey            // the first host key
	hostKeys map[string]ssh.PublicKey // by type name given in sshdOptions
	user     string                   // the account key auth logs in as
	keyFile  string                   // private key accepted for user
	encKey   string                   // the same kind of key, encrypted with encPass
	encPass  string
	signer   ssh.Signer // the unencrypted key, for the agent test
	pwUser   string     // account with a password, "" when not available
	password string
	dir      string

	logMu  sync.Mutex
	log    []string      // sshd's log lines (LogLevel VERBOSE)
	logned chan struct{} // signalled when a line arrives
}

var (
	sshdOnce   sync.Once
	sshdServer *sshd
	sshdErr    error
	sshdStop   func()
)

func needSSHD(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(sshdBin); err != nil {
		t.Skipf("OpenSSH server not installed (%s missing); .ci/run installs openssh-server", sshdBin)
	}
}

// startSSHD starts one key-auth sshd shared by the tests of this package;
// it is stopped by TestMain.
func startSSHD(t *testing.T) *sshd {
	t.Helper()
	needSSHD(t)
	sshdOnce.Do(func() { sshdServer, sshdStop, sshdErr = launchSSHD(sshdOptions{}) })
	if sshdErr != nil {
		t.Fatalf("starting sshd: %v", sshdErr)
	}
	return sshdServer
}

// startSSHDWith starts an sshd of the test's own, stopped when the test
// ends.
func startSSHDWith(t *testing.T, opts sshdOptions) *sshd {
	t.Helper()
	needSSHD(t)
	if opts.password && os.Geteuid() != 0 {
		t.Skip("password authentication against OpenSSH needs root (a test account in a private mount namespace); .ci/run runs as root")
	}
	s, stop, err := launchSSHD(opts)
	if err != nil {
		t.Fatalf("starting sshd: %v", err)
	}
	t.Cleanup(stop)
	return s
}

func writeKey(path string, key crypto.PrivateKey, passphrase string) error {
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

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
	rsaErr  error
)

// newHostKey generates a host key of the given type. RSA generation is
// slow, so one RSA key serves every server.
func newHostKey(typ string) (crypto.Signer, error) {
	switch typ {
	case "ed25519":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	case "ecdsa":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "rsa":
		rsaOnce.Do(func() { rsaKey, rsaErr = rsa.GenerateKey(rand.Reader, 2048) })
		return rsaKey, rsaErr
	}
	return nil, fmt.Errorf("unknown host key type %q", typ)
}

func launchSSHD(opts sshdOptions) (*sshd, func(), error) {
	dir, err := os.MkdirTemp("", "runbook-sshd-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	fail := func(err error) (*sshd, func(), error) {
		cleanup()
		return nil, nil, err
	}
	s := &sshd{dir: dir, encPass: "correct horse battery", hostKeys: map[string]ssh.PublicKey{}, logned: make(chan struct{}, 1)}

	if len(opts.hostKeys) == 0 {
		opts.hostKeys = []string{"ed25519"}
	}
	var hostKeyLines []string
	for _, typ := range opts.hostKeys {
		k, err := newHostKey(typ)
		if err != nil {
			return fail(err)
		}
		path := filepath.Join(dir, "host_"+typ)
		if err := writeKey(path, k, ""); err != nil {
			return fail(err)
		}
		pub, err := ssh.NewPublicKey(k.Public())
		if err != nil {
			return fail(err)
		}
		s.hostKeys[typ] = pub
		if s.hostKey == nil {
			s.hostKey = pub
		}
		hostKeyLines = append(hostKeyLines, "HostKey "+path)
	}

	_, userPriv, _ := ed25519.GenerateKey(rand.Reader)
	s.keyFile = filepath.Join(dir, "id_ed25519")
	s.encKey = filepath.Join(dir, "id_ed25519_enc")
	if err := writeKey(s.keyFile, userPriv, ""); err != nil {
		return fail(err)
	}
	if err := writeKey(s.encKey, userPriv, s.encPass); err != nil {
		return fail(err)
	}
	s.signer, _ = ssh.NewSignerFromKey(userPriv)
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(s.signer.PublicKey()), 0o644); err != nil {
		return fail(err)
	}

	u, err := user.Current()
	if err != nil {
		return fail(err)
	}
	s.user = u.Username
	if os.Geteuid() == 0 {
		// Debian's sshd refuses to start as root without its privilege
		// separation directory, which the service unit normally creates.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			return fail(err)
		}
	}
	var ns *namespaceFiles
	if opts.password {
		s.pwUser, s.password = "runbook-sshd-test", "Rb-test-pw-8141"
		if ns, err = passwordAccount(dir, s.pwUser, s.password); err != nil {
			return fail(fmt.Errorf("test account: %v", err))
		}
		opts.config = append(opts.config, "UsePAM yes")
	}
	opts.config = append(opts.config, hostKeyLines...)

	for attempt := 0; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return fail(err)
		}
		stop, err := runSSHD(s, port, opts.config, ns)
		if err == nil {
			s.port, s.addr = port, "127.0.0.1"
			return s, func() { stop(); cleanup() }, nil
		}
		if attempt == 3 {
			return fail(err)
		}
	}
}

// namespaceFiles replace system files for sshd in its mount namespace.
type namespaceFiles struct {
	passwd, shadow, pam string
}

// passwordAccount writes copies of /etc/passwd and /etc/shadow with a test
// account added, and a PAM stack that checks only its password. sshd sees
// them through bind mounts in a namespace of its own (runSSHD).
func passwordAccount(dir, name, password string) (*namespaceFiles, error) {
	const uid = 64123
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		return nil, err
	}
	if err := os.Chown(home, uid, 65534); err != nil {
		return nil, err
	}
	// The account may look up its home: let it through the test directory
	// (the keys in it stay 0600).
	if err := os.Chmod(dir, 0o711); err != nil {
		return nil, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		return nil, err
	}
	days := time.Now().Unix() / 86400
	add := func(sys, line string) (string, error) {
		data, err := os.ReadFile(sys)
		if err != nil {
			return "", err
		}
		var lines []string
		for l := range strings.SplitSeq(strings.TrimRight(string(data), "\n"), "\n") {
			if !strings.HasPrefix(l, name+":") {
				lines = append(lines, l)
			}
		}
		lines = append(lines, line)
		path := filepath.Join(dir, filepath.Base(sys))
		return path, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
	}
	f := &namespaceFiles{pam: filepath.Join(dir, "pam-sshd")}
	// /bin/sh: its "$ " prompt is one the linux platform knows without a
	// profile.
	if f.passwd, err = add("/etc/passwd", fmt.Sprintf("%s:x:%d:65534:runbook test:%s:/bin/sh", name, uid, home)); err != nil {
		return nil, err
	}
	if err := os.Chmod(f.passwd, 0o644); err != nil {
		return nil, err
	}
	if f.shadow, err = add("/etc/shadow", fmt.Sprintf("%s:%s:%d:0:99999:7:::", name, hash, days)); err != nil {
		return nil, err
	}
	pam := "auth required pam_unix.so\naccount required pam_unix.so\nsession required pam_permit.so\npassword required pam_deny.so\n"
	if err := os.WriteFile(f.pam, []byte(pam), 0o644); err != nil {
		return nil, err
	}
	return f, nil
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
// listening" line on stderr (no polling, no sleeps). With ns, sshd runs in
// a private mount namespace with ns's files bind-mounted.
func runSSHD(s *sshd, port int, extra []string, ns *namespaceFiles) (func(), error) {
	cfg := filepath.Join(s.dir, "sshd_config")
	conf := strings.Join(extra, "\n") + "\n" + fmt.Sprintf(`ListenAddress 127.0.0.1
Port %d
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
`, port, filepath.Join(s.dir, "sshd.pid"), filepath.Join(s.dir, "authorized_keys"))
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(sshdBin, "-D", "-e", "-f", cfg)
	if ns != nil {
		cmd = exec.Command("unshare", "--mount", "--propagation", "private", "/bin/sh", "-ec",
			`mount --bind "$1" /etc/passwd; mount --bind "$2" /etc/shadow; mount --bind "$3" /etc/pam.d/sshd; exec "$4" -D -e -f "$5"`,
			"sh", ns.passwd, ns.shadow, ns.pam, sshdBin, cfg)
	}
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
			s.logMu.Lock()
			s.log = append(s.log, line)
			s.logMu.Unlock()
			select {
			case s.logned <- struct{}{}:
			default:
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

// logCount returns how many of sshd's log lines match re.
func (s *sshd) logCount(re *regexp.Regexp) int {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	n := 0
	for _, l := range s.log {
		if re.MatchString(l) {
			n++
		}
	}
	return n
}

// waitLog waits until n of sshd's log lines match re: sshd logs on its
// own schedule, after the client has its answer.
func (s *sshd) waitLog(t *testing.T, re *regexp.Regexp, n int) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for s.logCount(re) < n {
		select {
		case <-s.logned:
		case <-deadline.C:
			s.logMu.Lock()
			defer s.logMu.Unlock()
			t.Fatalf("sshd logged %q fewer than %d times:\n%s", re, n, strings.Join(s.log, "\n"))
		}
	}
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

}

// knownHostsFor writes a known_hosts file holding key for 127.0.0.1:port.
func knownHostsFor(t *testing.T, port int, key ssh.PublicKey) string {
	t.Helper()
	kh := filepath.Join(t.TempDir(), "known_hosts")
	line := "[127.0.0.1]:" + strconv.Itoa(port) + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
	if err := os.WriteFile(kh, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return kh
}

// TestSSHDHostKeyTypes: a server with ECDSA, RSA and Ed25519 host keys.
// The x/crypto client prefers ECDSA; when known_hosts holds only one of
// the keys, the driver must ask for that key's algorithm, or it would get
// another key and report a mismatch.
func TestSSHDHostKeyTypes(t *testing.T) {
	srv := startSSHDWith(t, sshdOptions{hostKeys: []string{"ecdsa", "rsa", "ed25519"}})
	for _, typ := range []string{"ed25519", "rsa", "ecdsa"} {
		t.Run("known "+typ+" only", func(t *testing.T) {
			cfg := srv.config(t)
			cfg.KnownHostsFile = knownHostsFor(t, srv.port, srv.hostKeys[typ])
			s := openT(t, cfg)
			if r, err := s.SendCommand(context.Background(), "echo ok"); err != nil || r.Output != "ok" {
				t.Errorf("command: %v %q", err, r.Output)
			}
		})
	}

	t.Run("rsa only server, accept-new then strict", func(t *testing.T) {
		rsaSrv := startSSHDWith(t, sshdOptions{hostKeys: []string{"rsa"}, config: []string{"HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256"}})
		cfg := rsaSrv.config(t)
		cfg.KnownHostsFile = filepath.Join(t.TempDir(), "known_hosts")
		cfg.HostKeyCheck = driver.HostKeyAcceptNew
		openT(t, cfg).Close()
		data, err := os.ReadFile(cfg.KnownHostsFile)
		if err != nil {
			t.Fatal(err)
		}
		want := "[127.0.0.1]:" + strconv.Itoa(rsaSrv.port) + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(rsaSrv.hostKeys["rsa"])))
		if got := strings.TrimSpace(string(data)); got != want || !strings.Contains(got, " ssh-rsa ") {
			t.Errorf("known_hosts = %q, want %q", got, want)
		}
		cfg.HostKeyCheck = driver.HostKeyStrict
		openT(t, cfg).Close()
	})
}

// TestSSHDLegacyAlgorithms: servers that accept only algorithms x/crypto
// does not offer by default, as old IOS images do. Each must fail without
// LegacyAlgorithms (with a hint to set it) and work with it.
func TestSSHDLegacyAlgorithms(t *testing.T) {
	cases := []struct {
		name     string
		hostKeys []string
		config   []string
	}{
		{"aes128-cbc cipher", nil, []string{"Ciphers aes128-cbc"}},
		{"3des-cbc cipher", nil, []string{"Ciphers 3des-cbc"}},
		{"diffie-hellman-group1-sha1", nil, []string{"KexAlgorithms diffie-hellman-group1-sha1"}},
		{"ssh-rsa host key", []string{"rsa"}, []string{"HostKeyAlgorithms ssh-rsa"}},
		{"old IOS", []string{"rsa"}, []string{"KexAlgorithms diffie-hellman-group1-sha1", "Ciphers aes128-cbc,3des-cbc", "MACs hmac-sha1", "HostKeyAlgorithms ssh-rsa"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSSHDWith(t, sshdOptions{hostKeys: tc.hostKeys, config: tc.config})
			cfg := srv.config(t)
			_, err := driver.Open(context.Background(), cfg)
			if !errors.Is(err, driver.ErrConnect) || !strings.Contains(err.Error(), "legacy_algorithms = true") {
				t.Fatalf("without LegacyAlgorithms: err = %v, want ErrConnect suggesting legacy_algorithms = true", err)
			}
			cfg.LegacyAlgorithms = true
			s := openT(t, cfg)
			if r, err := s.SendCommand(context.Background(), "echo legacy-ok"); err != nil || r.Output != "legacy-ok" {
				t.Errorf("command: %v %q", err, r.Output)
			}
		})
	}

	t.Run("modern server still connects", func(t *testing.T) {
		cfg := startSSHD(t).config(t)
		cfg.LegacyAlgorithms = true
		openT(t, cfg).Close()
	})
}

// TestSSHDPassword: password and keyboard-interactive authentication
// against servers that accept only that method (AuthenticationMethods),
// the account and PAM stack living in sshd's own mount namespace.
func TestSSHDPassword(t *testing.T) {
	ctx := context.Background()
	pwCfg := func(t *testing.T, srv *sshd, password string) driver.Config {
		cfg := srv.config(t)
		cfg.PrivateKey = ""
		cfg.Username = srv.pwUser
		cfg.Password = password
		return cfg
	}
	methods := []struct {
		name, accepted string // accepted: how sshd logs the method
		config         []string
	}{
		{"password", "password", []string{"AuthenticationMethods password", "PasswordAuthentication yes", "KbdInteractiveAuthentication no"}},
		{"keyboard-interactive", "keyboard-interactive/pam", []string{"AuthenticationMethods keyboard-interactive", "PasswordAuthentication no", "KbdInteractiveAuthentication yes"}},
	}
	for _, m := range methods {
		t.Run(m.name, func(t *testing.T) {
			srv := startSSHDWith(t, sshdOptions{password: true, config: m.config})

			t.Run("right password", func(t *testing.T) {
				cfg := pwCfg(t, srv, srv.password)
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
				srv.waitLog(t, regexp.MustCompile(`Accepted `+regexp.QuoteMeta(m.accepted)+` for `+srv.pwUser+` `), 1)
			})

			t.Run("wrong password", func(t *testing.T) {
				cfg := pwCfg(t, srv, "not-the-password")
				_, err := driver.Open(ctx, cfg)
				if !errors.Is(err, driver.ErrAuth) {
					t.Fatalf("err = %v, want ErrAuth", err)
				}
				if strings.Contains(err.Error(), "not-the-password") {
					t.Errorf("error reveals the password: %v", err)
				}
			})
		})
	}

	t.Run("wrong password is sent once", func(t *testing.T) {
		// Both methods offered: after "password" fails, keyboard-
		// interactive must not send the same password again (two
		// failures towards an account lockout).
		srv := startSSHDWith(t, sshdOptions{password: true, config: []string{"PasswordAuthentication yes", "KbdInteractiveAuthentication yes"}})
		_, err := driver.Open(ctx, pwCfg(t, srv, "not-the-password"))
		if !errors.Is(err, driver.ErrAuth) {
			t.Fatalf("err = %v, want ErrAuth", err)
		}
		// sshd logs the end of the connection after every attempt.
		srv.waitLog(t, regexp.MustCompile(`(Connection closed|Disconnected) .*port \d+`), 1)
		failed := regexp.MustCompile(`Failed (password|keyboard-interactive\S*) for ` + srv.pwUser + ` `)
		if n := srv.logCount(failed); n != 1 {
			t.Errorf("%d failed attempts logged by sshd, want 1", n)
		}
	})
}

// bastionOnly is a target reachable only through a jump host, on
// 127.0.0.1: it forwards to target the connections other processes (the
// bastion's sshd) open, and closes at once those opened by this test
// process itself, which a driver that skipped the jump host would do.
// Linux only: the dialling process is found with /proc.
type bastionOnly struct {
	port      int
	forwarded atomic.Int32
	refused   atomic.Int32
}

func newBastionOnly(t *testing.T, target string) *bastionOnly {
	t.Helper()
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc to tell direct connections from forwarded ones")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &bastionOnly{port: l.Addr().(*net.TCPAddr).Port}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
		errs  []error
	)
	track := func(c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
	}
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			track(c)
			wg.Go(func() {
				ours, err := dialledByThisProcess(c)
				if err != nil || ours {
					if err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
					g.refused.Add(1)
					c.Close()
					return
				}
				up, err := net.Dial("tcp", target)
				if err != nil {
					c.Close()
					return
				}
				track(up)
				g.forwarded.Add(1)
				var pipes sync.WaitGroup
				pipes.Go(func() { copyAndClose(up, c) })
				pipes.Go(func() { copyAndClose(c, up) })
				pipes.Wait()
			})
		}
	})
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
		for _, err := range errs {
			t.Errorf("bastion-only listener: %v", err)
		}
	})
	return g
}

func copyAndClose(dst, src net.Conn) {
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	dst.Close()
	src.Close()
}

// dialledByThisProcess reports whether the peer of c (a connection
// accepted on 127.0.0.1) is a socket of this process: its entry in
// /proc/net/tcp gives the socket's inode, and /proc/self/fd lists ours.
func dialledByThisProcess(c net.Conn) (bool, error) {
	peer := c.RemoteAddr().(*net.TCPAddr).Port
	local := c.LocalAddr().(*net.TCPAddr).Port
	data, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return false, err
	}
	port := func(hexAddr string) int {
		_, p, _ := strings.Cut(hexAddr, ":")
		n, _ := strconv.ParseUint(p, 16, 16)
		return int(n)
	}
	inode := ""
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) >= 10 && port(f[1]) == peer && port(f[2]) == local {
			inode = f[9]
			break
		}
	}
	if inode == "" || inode == "0" {
		return false, fmt.Errorf("no socket 127.0.0.1:%d -> :%d in /proc/net/tcp", peer, local)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return false, err
	}
	for _, fd := range fds {
		if l, _ := os.Readlink("/proc/self/fd/" + fd.Name()); l == "socket:["+inode+"]" {
			return true, nil
		}
	}
	return false, nil
}

func TestSSHDProxyJump(t *testing.T) {
	srv := startSSHD(t)
	// The target is the same sshd, behind a listener that only the
	// bastion's sshd may reach. The chain has two jump hosts: the second
	// is dialled through the first connection's direct-tcpip channel, the
	// target through the second's.
	target := newBastionOnly(t, net.JoinHostPort(srv.addr, strconv.Itoa(srv.port)))
	jump := srv.config(t)
	jump.Name = "bastion"
	cfg := srv.config(t)
	cfg.Port = target.port
	cfg.KnownHostsFile = knownHostsFor(t, target.port, srv.hostKey)

	t.Run("not reachable directly", func(t *testing.T) {
		_, err := driver.Open(context.Background(), cfg)
		if !errors.Is(err, driver.ErrConnect) {
			t.Fatalf("direct connection: err = %v, want ErrConnect", err)
		}
		if target.refused.Load() != 1 {
			t.Fatalf("%d direct connections refused, want 1", target.refused.Load())
		}
	})

	cfg.Jump = []driver.Config{jump, jump}
	s := openT(t, cfg)
	r, err := s.SendCommand(context.Background(), "echo $SSH_CONNECTION")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Output, "127.0.0.1 ") || !strings.HasSuffix(r.Output, " "+strconv.Itoa(srv.port)) {
		t.Errorf("SSH_CONNECTION = %q", r.Output)
	}
	if n := target.forwarded.Load(); n != 1 {
		t.Errorf("%d connections reached the target through the bastion, want 1", n)
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
