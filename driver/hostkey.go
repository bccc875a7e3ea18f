package driver

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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
	db                 *knownHostsDB // nil when the file does not exist yet
	addr               string        // host:port as known_hosts is asked about it
	known              []knownhosts.KnownKey
	cas                []knownhosts.KnownKey // @cert-authority lines covering the host
	err                error
}

// hostKeyCallback prepares the check for one hop and returns the host key
// algorithms to ask for. When known_hosts already holds keys for the host,
// only their algorithms are offered, so that a server with several host
// keys presents the one we know instead of failing as a "mismatch". When
// an @cert-authority line covers the host, certificate algorithms come
// first, so that the server presents its host certificate; otherwise no
// certificate algorithm is offered (there would be nothing to check it
// against).
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
	db, err := loadKnownHosts(h.file, logger)
	if err != nil {
		return nil, nil, err
	}
	h.db = db
	h.addr = net.JoinHostPort(hop.Address, fmt.Sprint(hop.Port))
	if db != nil {
		h.known, h.cas = db.keysFor(h.addr), db.casFor(h.addr)
	}
	return h, h.algorithms(hop.LegacyAlgorithms), nil
}

// knownHostsCache keeps parsed known_hosts files: a fleet run opens
// hundreds of sessions against one file, and parsing a file of N hosts for
// each of N connections costs O(N²). An entry is reused only while the
// file's size and modification time are unchanged (accept-new replaces
// the file, which changes both). It also makes the warnings about
// malformed lines appear once per file, not once per device.
var knownHostsCache sync.Map // path -> *knownHostsEntry

// knownHostsReading holds a lock per path, taken to read a file into the
// cache.
var knownHostsReading sync.Map // path -> *sync.Mutex

type knownHostsEntry struct {
	size    int64
	modTime int64
	db      *knownHostsDB
}

func loadKnownHosts(file string, logger *slog.Logger) (*knownHostsDB, error) {
	st, err := os.Stat(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("known_hosts: %v", err)
	}
	cached := func() *knownHostsDB {
		if v, ok := knownHostsCache.Load(file); ok {
			e := v.(*knownHostsEntry)
			if e.size == st.Size() && e.modTime == st.ModTime().UnixNano() {
				return e.db
			}
		}
		return nil
	}
	if db := cached(); db != nil {
		return db, nil
	}
	// One reader per file: when a fleet starts, hundreds of connections
	// miss the cache at once, and each parsing the file for itself cost
	// O(N) memory and CPU per connection again (47 MB at 1,000 connections
	// to a 3,000-host file). The others wait and take its result.
	lk, _ := knownHostsReading.LoadOrStore(file, &sync.Mutex{})
	lk.(*sync.Mutex).Lock()
	defer lk.(*sync.Mutex).Unlock()
	if db := cached(); db != nil {
		return db, nil
	}
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("known_hosts: %v", err)
	}
	defer f.Close()
	db, err := readKnownHosts(f, file)
	if err != nil {
		return nil, fmt.Errorf("known_hosts: reading %s: %v", file, err)
	}
	// Like OpenSSH: a line that cannot be read is skipped, and the other
	// lines still count. Saying where it is lets the user fix it.
	if logger != nil {
		for _, sk := range db.skipped {
			logger.Warn("known_hosts: skipped a malformed line", "at", fmt.Sprintf("%s:%d", sk.file, sk.line), "error", sk.err.Error())
		}
	}
	knownHostsCache.Store(file, &knownHostsEntry{size: st.Size(), modTime: st.ModTime().UnixNano(), db: db})
	return db, nil
}

// algorithms lists the host key algorithms to ask for (see
// hostKeyCallback).
func (h *hostKeyChecker) algorithms(legacy bool) []string {
	var algos []string
	add := func(a ...string) {
		for _, x := range a {
			if !containsStr(algos, x) {
				algos = append(algos, x)
			}
		}
	}
	if len(h.cas) > 0 {
		add(ssh.CertAlgoED25519v01, ssh.CertAlgoECDSA256v01, ssh.CertAlgoECDSA384v01, ssh.CertAlgoECDSA521v01,
			ssh.CertAlgoRSASHA512v01, ssh.CertAlgoRSASHA256v01)
		if legacy {
			add(ssh.CertAlgoRSAv01)
		}
	}
	if len(h.known) == 0 {
		for _, a := range ssh.SupportedAlgorithms().HostKeys {
			if !strings.Contains(a, "-cert-") {
				add(a)
			}
		}
		return algos
	}
	for _, w := range h.known {
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

// keyTypeOf maps a host key algorithm to the key type known_hosts stores.
func keyTypeOf(algo string) string {
	switch algo {
	case ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSASHA512, ssh.CertAlgoRSASHA256v01, ssh.CertAlgoRSASHA512v01, ssh.CertAlgoRSAv01:
		return ssh.KeyAlgoRSA
	}
	return strings.Replace(algo, "-cert-v01@openssh.com", "", 1)
}

var peerOffered = regexp.MustCompile(`peer offered: \[([^\]]*)\]`)

// typeMismatch explains a handshake that found no common host key
// algorithm because known_hosts holds keys of types the device does not
// offer (an RSA-only entry, a device that now has only an ed25519 key).
// It returns nil when the device does offer a known type and merely
// lacks the signature algorithm (an old device with ssh-rsa only: that is
// what legacy_algorithms is for).
func (h *hostKeyChecker) typeMismatch(hostname string, err error) error {
	if len(h.known) == 0 || !strings.Contains(err.Error(), "no common algorithm for host key") {
		return nil
	}
	var offered []string
	if m := peerOffered.FindStringSubmatch(err.Error()); m != nil {
		for f := range strings.FieldsSeq(m[1]) {
			if u, uerr := strconv.Unquote(f); uerr == nil {
				offered = append(offered, u)
			} else {
				offered = append(offered, f)
			}
		}
	}
	var knownTypes []string
	for _, w := range h.known {
		knownTypes = append(knownTypes, w.Key.Type())
	}
	for _, o := range offered {
		if containsStr(knownTypes, keyTypeOf(o)) {
			return nil
		}
	}
	var known []string
	for _, w := range h.known {
		known = append(known, fmt.Sprintf("%s %s at %s:%d", w.Key.Type(), ssh.FingerprintSHA256(w.Key), w.Filename, w.Line))
	}
	theirs := "none the client can use"
	if len(offered) > 0 {
		theirs = strings.Join(offered, ", ")
	}
	return fmt.Errorf("HOST KEY TYPE MISMATCH for %s: known_hosts has %s, but the device offers no key of that type (it offers %s); "+
		"this can mean someone is intercepting the connection. If the device's key changed legitimately, "+
		"remove the old entry with `ssh-keygen -R '%s' -f %s` and add the new one",
		knownhosts.Normalize(hostname), strings.Join(known, ", "), theirs, knownhosts.Normalize(hostname), h.known[0].Filename)
}

// check is the ssh.HostKeyCallback.
func (h *hostKeyChecker) check(hostname string, remote net.Addr, key ssh.PublicKey) error {
	fp := ssh.FingerprintSHA256(key)
	if h.mode == HostKeyOff {
		h.logger.Warn("host key checking is off: the device's identity is not verified",
			"device", h.device, "host", hostname, "key", key.Type()+" "+fp)
		return nil
	}
	if cert, ok := key.(*ssh.Certificate); ok {
		h.err = h.checkCert(hostname, remote, cert)
		return h.err
	}
	err := error(&knownhosts.KeyError{})
	if h.db != nil {
		err = h.db.checkPlain(hostname, key)
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
	case !errors.As(err, &ke):
		h.err = fmt.Errorf("known_hosts: %v", err)
	case len(h.cas) > 0:
		// The file says this host proves its identity with a
		// certificate. A plain key is not that proof, and learning it
		// (accept-new) would quietly replace the CA with trust on first
		// use.
		h.err = fmt.Errorf("%s is covered by @cert-authority at %s:%d but offered a plain key (%s %s), not a host certificate; "+
			"check the device's HostCertificate, or add its key to %s if it has no certificate",
			knownhosts.Normalize(hostname), h.cas[0].Filename, h.cas[0].Line, key.Type(), fp, h.file)
	case h.mode == HostKeyAcceptNew:
		h.err = h.learn(hostname, remote, key)
	default:
		h.err = fmt.Errorf("%s is not in %s (it offered %s %s); check the fingerprint, then add it with "+
			"`ssh-keyscan %s >> %s`, or set host_key_check = %q to trust it on first use",
			knownhosts.Normalize(hostname), h.file, key.Type(), fp, keyscanArgs(hostname), h.file, HostKeyAcceptNew)
	}
	return h.err
}

// checkCert verifies a host certificate with x/crypto's CertChecker
// against the @cert-authority lines that cover the host: the CA's
// signature, the validity period, the host name among the principals, and
// @revoked. A certificate is never learned (accept-new trusts keys, not
// authorities).
func (h *hostKeyChecker) checkCert(hostname string, remote net.Addr, cert *ssh.Certificate) error {
	caFP := ssh.FingerprintSHA256(cert.SignatureKey)
	if h.db == nil || len(h.cas) == 0 {
		return fmt.Errorf("%s offered a host certificate signed by %s %s, but no @cert-authority line in %s covers it",
			knownhosts.Normalize(hostname), cert.SignatureKey.Type(), caFP, h.file)
	}
	err := h.db.callback()(hostname, remote, cert)
	if err == nil {
		return nil
	}
	var cas []string
	for _, ca := range h.cas {
		cas = append(cas, fmt.Sprintf("%s %s at %s:%d", ca.Key.Type(), ssh.FingerprintSHA256(ca.Key), ca.Filename, ca.Line))
	}
	if !h.db.isHostAuthority(cert.SignatureKey, hostname) {
		return fmt.Errorf("HOST CERTIFICATE NOT TRUSTED for %s: it is signed by %s %s, but known_hosts trusts %s; "+
			"this can mean someone is intercepting the connection",
			knownhosts.Normalize(hostname), cert.SignatureKey.Type(), caFP, strings.Join(cas, ", "))
	}
	return fmt.Errorf("host certificate of %s (signed by %s %s, trusted at %s:%d) rejected: %v",
		knownhosts.Normalize(hostname), cert.SignatureKey.Type(), caFP, h.cas[0].Filename, h.cas[0].Line,
		strings.TrimPrefix(err.Error(), "ssh: "))
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

// learn appends the key (trust on first use), as OpenSSH does: one line
// added to the end of the file in a single write, then synced. Rewriting
// the file for each new host, and reading it again for the next, cost
// O(N) per host, O(N²) for a fleet seen for the first time. The file is
// read again only if something else changed it (its size and time differ
// from what the cache holds); otherwise the key is added to the parsed
// file in memory. Under the lock, another session may have learned this
// host meanwhile, possibly with a different key.
func (h *hostKeyChecker) learn(hostname string, remote net.Addr, key ssh.PublicKey) error {
	mu, _ := knownHostsLocks.LoadOrStore(h.file, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()

	db, err := loadKnownHosts(h.file, h.logger)
	if err != nil {
		return err
	}
	if db != nil {
		err := db.checkPlain(hostname, key)
		var ke *knownhosts.KeyError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ke) && len(ke.Want) > 0:
			return mismatch(hostname, key, ke.Want)
		case len(db.casFor(hostname)) > 0:
			return fmt.Errorf("%s is now covered by @cert-authority in %s but offered a plain key; not learned", knownhosts.Normalize(hostname), h.file)
		}
	}

	if err := os.MkdirAll(filepath.Dir(h.file), 0o700); err != nil {
		return fmt.Errorf("known_hosts: %v", err)
	}
	f, err := os.OpenFile(h.file, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("known_hosts: %v", err)
	}
	line := knownhosts.Line([]string{knownhosts.Normalize(hostname)}, key) + "\n"
	// A last line without its newline (an editor's) must not run into ours.
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			line = "\n" + line
		}
	}
	_, werr := f.Write([]byte(line))
	if werr == nil {
		werr = f.Sync()
	}
	var st os.FileInfo
	if werr == nil {
		st, werr = f.Stat()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("known_hosts: writing %s: %v", h.file, werr)
	}
	if db != nil && db.remember(hostname, key, h.file) {
		knownHostsCache.Store(h.file, &knownHostsEntry{size: st.Size(), modTime: st.ModTime().UnixNano(), db: db})
	}
	h.logger.Info("learned host key (accept-new)", "device", h.device, "host", knownhosts.Normalize(hostname),
		"key", key.Type()+" "+ssh.FingerprintSHA256(key), "file", h.file)
	return nil
}
