package driver

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// knownHostsDB is a parsed known_hosts file, read the way OpenSSH reads
// it: a line that cannot be parsed is skipped (and reported), not fatal
// to every host in the file; @cert-authority lines are certificate
// authorities for the hosts they name; @revoked keys are refused.
//
// x/crypto's knownhosts package has the same matching rules but refuses a
// whole file for one bad line and does not say which CA lines cover a
// host, which the driver needs to ask for host certificates.
type knownHostsDB struct {
	keys    []khLine // plain host keys
	cas     []khLine // @cert-authority lines
	revoked map[string]knownhosts.KnownKey
	skipped []skippedLine // malformed lines, in file order
}

type khLine struct {
	match func(host, port string) bool
	known knownhosts.KnownKey
}

type skippedLine struct {
	file string
	line int
	err  error
}

func (s skippedLine) String() string { return fmt.Sprintf("%s:%d: %v", s.file, s.line, s.err) }

// readKnownHosts parses r. It fails only when r cannot be read.
func readKnownHosts(r io.Reader, file string) (*knownHostsDB, error) {
	db := &knownHostsDB{revoked: map[string]knownhosts.KnownKey{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.Trim(sc.Bytes(), " \t\r")
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if err := db.parseLine(string(line), file, n); err != nil {
			db.skipped = append(db.skipped, skippedLine{file, n, err})
		}
	}
	return db, sc.Err()
}

func nextField(s string) (string, string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeft(s[i:], " \t")
}

func (db *knownHostsDB) parseLine(line, file string, n int) error {
	marker := ""
	if strings.HasPrefix(line, "@") {
		marker, line = nextField(line)
		if marker != "@cert-authority" && marker != "@revoked" {
			return fmt.Errorf("unknown marker %q", marker)
		}
	}
	hosts, rest := nextField(line)
	if hosts == "" || rest == "" {
		return errors.New("missing host pattern or key")
	}
	if strings.HasPrefix(hosts, "@") {
		return fmt.Errorf("unexpected marker %q", hosts)
	}
	typ, rest := nextField(rest)
	blob, _ := nextField(rest)
	if blob == "" {
		return errors.New("missing key")
	}
	raw, err := base64.StdEncoding.DecodeString(blob)
	if err != nil {
		return fmt.Errorf("key is not base64: %v", err)
	}
	key, err := ssh.ParsePublicKey(raw)
	if err != nil {
		return fmt.Errorf("key: %v", err)
	}
	if key.Type() != typ {
		return fmt.Errorf("key type %q does not match the key (%s)", typ, key.Type())
	}
	known := knownhosts.KnownKey{Key: key, Filename: file, Line: n}
	if marker == "@revoked" {
		db.revoked[string(key.Marshal())] = known
		return nil
	}
	m, err := hostMatcher(hosts)
	if err != nil {
		return err
	}
	l := khLine{match: m, known: known}
	if marker == "@cert-authority" {
		db.cas = append(db.cas, l)
	} else {
		db.keys = append(db.keys, l)
	}
	return nil
}

// hostMatcher compiles a host field: a hashed name (|1|salt|hash) or a
// comma-separated list of patterns ("*" and "?" wildcards, "!" negation,
// "[host]:port" for ports other than 22).
func hostMatcher(field string) (func(host, port string) bool, error) {
	if strings.HasPrefix(field, "|") {
		parts := strings.Split(field, "|")
		if len(parts) != 4 || parts[1] != "1" {
			return nil, errors.New("hashed host: want |1|salt|hash")
		}
		salt, err1 := base64.StdEncoding.DecodeString(parts[2])
		hash, err2 := base64.StdEncoding.DecodeString(parts[3])
		if err1 != nil || err2 != nil {
			return nil, errors.New("hashed host: not base64")
		}
		return func(host, port string) bool {
			mac := hmac.New(sha1.New, salt)
			mac.Write([]byte(knownhosts.Normalize(net.JoinHostPort(host, port))))
			return hmac.Equal(mac.Sum(nil), hash)
		}, nil
	}
	type pattern struct {
		negate     bool
		host, port string
	}
	var pats []pattern
	for p := range strings.SplitSeq(field, ",") {
		if p == "" {
			continue
		}
		var pt pattern
		if p[0] == '!' {
			pt.negate, p = true, p[1:]
		}
		if p == "" {
			return nil, errors.New("negation without a host name")
		}
		h, port, err := net.SplitHostPort(p)
		switch {
		case err == nil:
			pt.host, pt.port = h, port
		case p[0] == '[':
			return nil, fmt.Errorf("host pattern %q: %v", p, err)
		default:
			pt.host, pt.port = p, "22"
		}
		pats = append(pats, pt)
	}
	if len(pats) == 0 {
		return nil, errors.New("missing host pattern")
	}
	return func(host, port string) bool {
		matched := false
		for _, p := range pats {
			if !wildcardMatch(p.port, port) || !wildcardMatch(p.host, host) {
				continue
			}
			if p.negate {
				return false
			}
			matched = true
		}
		return matched
	}, nil
}

// wildcardMatch is OpenSSH's match_pattern: "*" any run of characters,
// "?" one character.
func wildcardMatch(pat, s string) bool {
	for {
		if pat == "" {
			return s == ""
		}
		if pat[0] == '*' {
			if len(pat) == 1 {
				return true
			}
			for i := range len(s) + 1 {
				if wildcardMatch(pat[1:], s[i:]) {
					return true
				}
			}
			return false
		}
		if s == "" || (pat[0] != '?' && pat[0] != s[0]) {
			return false
		}
		pat, s = pat[1:], s[1:]
	}
}

func splitAddr(address string) (string, string, bool) {
	h, p, err := net.SplitHostPort(address)
	return h, p, err == nil
}

// keysFor returns the plain keys known for address ("host:port").
func (db *knownHostsDB) keysFor(address string) []knownhosts.KnownKey {
	h, p, ok := splitAddr(address)
	if !ok {
		return nil
	}
	var out []knownhosts.KnownKey
	for _, l := range db.keys {
		if l.match(h, p) {
			out = append(out, l.known)
		}
	}
	return out
}

// casFor returns the @cert-authority lines covering address.
func (db *knownHostsDB) casFor(address string) []knownhosts.KnownKey {
	h, p, ok := splitAddr(address)
	if !ok {
		return nil
	}
	var out []knownhosts.KnownKey
	for _, l := range db.cas {
		if l.match(h, p) {
			out = append(out, l.known)
		}
	}
	return out
}

func (db *knownHostsDB) isHostAuthority(auth ssh.PublicKey, address string) bool {
	for _, ca := range db.casFor(address) {
		if bytes.Equal(ca.Key.Marshal(), auth.Marshal()) {
			return true
		}
	}
	return false
}

func (db *knownHostsDB) revokedKey(key ssh.PublicKey) (knownhosts.KnownKey, bool) {
	if c, ok := key.(*ssh.Certificate); ok {
		key = c.Key
	}
	k, ok := db.revoked[string(key.Marshal())]
	return k, ok
}

func (db *knownHostsDB) isRevoked(c *ssh.Certificate) bool {
	_, r1 := db.revokedKey(c)
	_, r2 := db.revoked[string(c.SignatureKey.Marshal())]
	return r1 || r2
}

// checkPlain checks a plain key, with knownhosts' errors: *RevokedError,
// or *KeyError (Want empty: unknown host; else a mismatch).
func (db *knownHostsDB) checkPlain(address string, key ssh.PublicKey) error {
	if k, ok := db.revokedKey(key); ok {
		return &knownhosts.RevokedError{Revoked: k}
	}
	want := db.keysFor(address)
	for _, w := range want {
		if bytes.Equal(w.Key.Marshal(), key.Marshal()) {
			return nil
		}
	}
	return &knownhosts.KeyError{Want: want}
}

// callback verifies a host key: certificates against the CAs that cover
// the host (x/crypto's CertChecker: signature, validity, principals,
// revocation), plain keys against the plain entries.
func (db *knownHostsDB) callback() ssh.HostKeyCallback {
	cc := &ssh.CertChecker{
		IsHostAuthority: db.isHostAuthority,
		IsRevoked:       db.isRevoked,
		HostKeyFallback: func(hostname string, _ net.Addr, key ssh.PublicKey) error {
			return db.checkPlain(hostname, key)
		},
	}
	return cc.CheckHostKey
}
