package driver

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// hostKeyChecker verifies the key a server offers against known_hosts. It
// keeps the verification error itself because x/crypto wraps it into a
// generic handshake error.
type hostKeyChecker struct {
	mode, file, device string
	logger             *slog.Logger
	db                 ssh.HostKeyCallback // nil when the file does not exist yet
	err                error
}

// hostKeyCallback prepares the check for one hop and returns the host key
// algorithms to ask for. When known_hosts already holds keys for the host,
// only their algorithms are offered, so that a server with several host
// keys presents the one we know instead of failing as a "mismatch".
func hostKeyCallback(hop *Config, device string, logger *slog.Logger) (*hostKeyChecker, []string, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &hostKeyChecker{mode: hop.HostKeyCheck, device: device, logger: logger}
	switch h.mode {
	case HostKeyOff:
		return h, nil, nil
	case HostKeyStrict, HostKeyAcceptNew:
	default:
		return nil, nil, fmt.Errorf("host_key_check %q: want %q, %q or %q", h.mode, HostKeyStrict, HostKeyAcceptNew, HostKeyOff)
	}
	h.file = hop.KnownHostsFile
	if h.file == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, nil, fmt.Errorf("known_hosts: no file given and no home directory: %v", err)
		}
		h.file = filepath.Join(home, ".ssh", "known_hosts")
	}
	db, err := loadKnownHosts(h.file)
	if err != nil {
		return nil, nil, err
	}
	h.db = db
	addr := net.JoinHostPort(hop.Address, fmt.Sprint(hop.Port))
	return h, knownAlgorithms(db, addr, hop.LegacyAlgorithms), nil
}

// knownHostsCache keeps parsed known_hosts files: a fleet run opens
// hundreds of sessions against one file, and parsing a file of N hosts for
// each of N connections costs O(N²). An entry is reused only while the
// file's size and modification time are unchanged (accept-new replaces
// the file, which changes both).
var knownHostsCache sync.Map // path -> *knownHostsEntry

type knownHostsEntry struct {
	size    int64
	modTime int64
	db      ssh.HostKeyCallback
}

func loadKnownHosts(file string) (ssh.HostKeyCallback, error) {
	st, err := os.Stat(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("known_hosts: %v", err)
	}
	if v, ok := knownHostsCache.Load(file); ok {
		e := v.(*knownHostsEntry)
		if e.size == st.Size() && e.modTime == st.ModTime().UnixNano() {
			return e.db, nil
		}
	}
	db, err := knownhosts.New(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("known_hosts: %v", err)
	}
	knownHostsCache.Store(file, &knownHostsEntry{size: st.Size(), modTime: st.ModTime().UnixNano(), db: db})
	return db, nil
}

var (
	probeOnce sync.Once
	probeKey  ssh.PublicKey
)

// knownAlgorithms asks the known_hosts database which key types it holds
// for addr, by checking a throw-away key that can only mismatch.
func knownAlgorithms(db ssh.HostKeyCallback, addr string, legacy bool) []string {
	if db == nil {
		return nil
	}
	probeOnce.Do(func() {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err == nil {
			probeKey, _ = ssh.NewPublicKey(pub)
		}
	})
	if probeKey == nil {
		return nil
	}
	var ke *knownhosts.KeyError
	if err := db(addr, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, probeKey); !errors.As(err, &ke) || len(ke.Want) == 0 {
		return nil
	}
	var algos []string
	add := func(a ...string) {
		for _, x := range a {
			if !containsStr(algos, x) {
				algos = append(algos, x)
			}
		}
	}
	for _, w := range ke.Want {
		switch t := w.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			add(ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256)
			if legacy {
				add(ssh.KeyAlgoRSA)
			}
		default:
			add(t)
		}
	}
	return algos
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// check is the ssh.HostKeyCallback.
func (h *hostKeyChecker) check(hostname string, remote net.Addr, key ssh.PublicKey) error {
	fp := ssh.FingerprintSHA256(key)
	if h.mode == HostKeyOff {
		h.logger.Warn("host key checking is off: the device's identity is not verified",
			"device", h.device, "host", hostname, "key", key.Type()+" "+fp)
		return nil
	}
	err := errors.New("unknown")
	if h.db != nil {
		err = h.db(hostname, remote, key)
	}
	if err == nil {
		return nil
	}
	var ke *knownhosts.KeyError
	var re *knownhosts.RevokedError
	switch {
	case errors.As(err, &re):
		h.err = fmt.Errorf("the key %s %s offered by %s is marked @revoked in %s:%d",
			key.Type(), fp, knownhosts.Normalize(hostname), re.Revoked.Filename, re.Revoked.Line)
	case errors.As(err, &ke) && len(ke.Want) > 0:
		h.err = mismatch(hostname, key, ke.Want)
	case h.db != nil && !errors.As(err, &ke):
		h.err = fmt.Errorf("known_hosts: %v", err)
	case h.mode == HostKeyAcceptNew:
		h.err = h.learn(hostname, remote, key)
	default:
		h.err = fmt.Errorf("%s is not in %s (it offered %s %s); check the fingerprint, then add it with "+
			"`ssh-keyscan %s >> %s`, or set host_key_check = %q to trust it on first use",
			knownhosts.Normalize(hostname), h.file, key.Type(), fp, keyscanArgs(hostname), h.file, HostKeyAcceptNew)
	}
	return h.err
}

func mismatch(hostname string, key ssh.PublicKey, want []knownhosts.KnownKey) error {
	var known []string
	for _, w := range want {
		known = append(known, fmt.Sprintf("%s %s at %s:%d", w.Key.Type(), ssh.FingerprintSHA256(w.Key), w.Filename, w.Line))
	}
	file := want[0].Filename
	return fmt.Errorf("HOST KEY MISMATCH for %s: it offered %s %s but known_hosts has %s; "+
		"this can mean someone is intercepting the connection. If the device's key changed legitimately, "+
		"remove the old entry with `ssh-keygen -R '%s' -f %s`",
		knownhosts.Normalize(hostname), key.Type(), ssh.FingerprintSHA256(key), strings.Join(known, ", "),
		knownhosts.Normalize(hostname), file)
}

func keyscanArgs(hostname string) string {
	h, p, err := net.SplitHostPort(hostname)
	if err != nil {
		return hostname
	}
	if p == "22" {
		return h
	}
	return "-p " + p + " " + h
}

// knownHostsLocks serialises accept-new writers per file within the
// process: many sessions of one run may learn keys at the same time, and
// read-modify-rename would otherwise lose lines.
var knownHostsLocks sync.Map // path -> *sync.Mutex

// learn appends the key (trust on first use). The file is rewritten to a
// temporary file in the same directory and renamed over the original, so
// readers see either the old or the new file, never half a line. It is
// re-read under the lock first: another session may have learned this
// host meanwhile, possibly with a different key.
func (h *hostKeyChecker) learn(hostname string, remote net.Addr, key ssh.PublicKey) error {
	mu, _ := knownHostsLocks.LoadOrStore(h.file, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()

	db, err := loadKnownHosts(h.file)
	if err != nil {
		return err
	}
	if db != nil {
		err := db(hostname, remote, key)
		var ke *knownhosts.KeyError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ke) && len(ke.Want) > 0:
			return mismatch(hostname, key, ke.Want)
		}
	}

	if err := os.MkdirAll(filepath.Dir(h.file), 0o700); err != nil {
		return fmt.Errorf("known_hosts: %v", err)
	}
	old, err := os.ReadFile(h.file)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("known_hosts: %v", err)
	}
	mode := os.FileMode(0o600)
	if st, err := os.Stat(h.file); err == nil {
		mode = st.Mode().Perm()
	}
	if len(old) > 0 && old[len(old)-1] != '\n' {
		old = append(old, '\n')
	}
	data := append(old, knownhosts.Line([]string{knownhosts.Normalize(hostname)}, key)+"\n"...)

	tmp, err := os.CreateTemp(filepath.Dir(h.file), ".known_hosts.tmp*")
	if err != nil {
		return fmt.Errorf("known_hosts: %v", err)
	}
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), mode)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), h.file)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("known_hosts: writing %s: %v", h.file, werr)
	}
	h.logger.Info("learned host key (accept-new)", "device", h.device, "host", knownhosts.Normalize(hostname),
		"key", key.Type()+" "+ssh.FingerprintSHA256(key), "file", h.file)
	return nil
}
