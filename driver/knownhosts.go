package driver

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"strings"
	"sync"

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
	keys    khIndex // plain host keys
	cas     khIndex // @cert-authority lines
	revoked map[string]knownhosts.KnownKey
	skipped []skippedLine // malformed lines, in file order

	// found remembers keysFor's answers: a connection asks about its host
	// twice (the algorithms to offer, then the key offered), and in a
	// hashed file each question costs an HMAC per hashed line.
	foundMu sync.Mutex
	found   map[string][]knownhosts.KnownKey // by "host:port"

	// lines is the number of lines read, or appended by learn since.
	lines int
}

// remember adds a key learned for address (accept-new) to what keysFor
// answers, so that the file need not be read again for the next host. It
// reports false when the memo is full: the caller must then let the file
// be read again.
func (db *knownHostsDB) remember(address string, key ssh.PublicKey, file string) bool {
	known := db.keysFor(address)
	db.foundMu.Lock()
	defer db.foundMu.Unlock()
	if db.found == nil || len(db.found) >= maxFound {
		return false
	}
	db.lines++
	// A new slice: earlier answers are shared with their callers.
	db.found[address] = append(known[:len(known):len(known)], knownhosts.KnownKey{Key: key, Filename: file, Line: db.lines})
	return true
}

// maxFound bounds the memo of keysFor's answers; a process that asks
// about more hosts than this without the file changing asks again.
const maxFound = 1 << 16

// khIndex finds the lines that cover a host without trying every line. A
// line whose accepting patterns are all plain names (no "*" or "?") is
// filed under each of those names, so a lookup tries only the lines filed
// under its own name. Lines with a wildcard in an accepting pattern, and
// hashed lines (|1|salt|hash: each has its own salt, so the name cannot
// be looked up, only tried), are tried for every host; a file of hashed
// names therefore costs one HMAC-SHA1 per hashed line per host, as in
// OpenSSH, computed from states prepared when the file is read. A line
// whose patterns are all negated matches nothing and is filed nowhere.
type khIndex struct {
	lines []khLine
	named map[hostPort]int32   // the first line filed under a name
	more  map[hostPort][]int32 // the later ones, ascending (rare)
	scan  []int32              // ascending indexes into lines
}

type hostPort struct{ host, port string }

// khLine is one host line: its patterns, or its hashed name.
type khLine struct {
	pats   []hostPattern
	hashed *hashedName
	known  knownhosts.KnownKey
}

type hostPattern struct {
	negate     bool
	host, port string
}

// add files l under names; nil names: l is tried for every host.
func (ix *khIndex) add(l khLine, names []hostPort) {
	i := int32(len(ix.lines))
	ix.lines = append(ix.lines, l)
	if names == nil {
		ix.scan = append(ix.scan, i)
		return
	}
	if ix.named == nil {
		ix.named = map[hostPort]int32{}
	}
	for _, n := range names {
		first, ok := ix.named[n]
		switch {
		case !ok:
			ix.named[n] = i
		case first == i: // the name twice in one line
		default:
			if ix.more == nil {
				ix.more = map[hostPort][]int32{}
			}
			if at := ix.more[n]; len(at) == 0 || at[len(at)-1] != i {
				ix.more[n] = append(at, i)
			}
		}
	}
}

// lookup returns the keys of the lines that cover host and port, in file
// order.
func (ix *khIndex) lookup(host, port string) []knownhosts.KnownKey {
	var out []knownhosts.KnownKey
	var hm hashMatcher
	var first [1]int32
	var named []int32
	hp := hostPort{host, port}
	if i, ok := ix.named[hp]; ok {
		first[0] = i
		named = append(first[:], ix.more[hp]...)
	}
	scan := ix.scan
	for len(named) > 0 || len(scan) > 0 {
		var i int32
		if len(scan) == 0 || len(named) > 0 && named[0] < scan[0] {
			i, named = named[0], named[1:]
		} else {
			i, scan = scan[0], scan[1:]
		}
		l := &ix.lines[i]
		if l.hashed != nil {
			if hm.match(l.hashed, host, port) {
				out = append(out, l.known)
			}
		} else if matchPatterns(l.pats, host, port) {
			out = append(out, l.known)
		}
	}
	return out
}

func matchPatterns(pats []hostPattern, host, port string) bool {
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
}

// hashedName is a hashed host field: HMAC-SHA1(salt, name) = hash. The
// SHA-1 states after the salt's inner and outer pads are computed once,
// so that trying the line costs two SHA-1 blocks, not four and a key
// schedule.
type hashedName struct {
	inner, outer []byte // marshaled sha1 states
	hash         []byte
}

func newHashedName(salt, hash []byte) (*hashedName, error) {
	if len(salt) > sha1.BlockSize {
		s := sha1.Sum(salt)
		salt = s[:]
	}
	var ipad, opad [sha1.BlockSize]byte
	copy(ipad[:], salt)
	copy(opad[:], salt)
	for i := range ipad {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	state := func(pad []byte) ([]byte, error) {
		d := sha1.New()
		d.Write(pad)
		return d.(encoding.BinaryMarshaler).MarshalBinary()
	}
	inner, err := state(ipad[:])
	if err != nil {
		return nil, err
	}
	outer, err := state(opad[:])
	if err != nil {
		return nil, err
	}
	return &hashedName{inner: inner, outer: outer, hash: hash}, nil
}

// hashMatcher tries hashed lines for one host, with the name and a SHA-1
// digest set up once per lookup.
type hashMatcher struct {
	name []byte // as known_hosts hashes it: host, or [host]:port
	d    hash.Hash
	sum  [sha1.Size]byte
}

func (m *hashMatcher) match(h *hashedName, host, port string) bool {
	if m.d == nil {
		m.name = []byte(knownhosts.Normalize(net.JoinHostPort(host, port)))
		m.d = sha1.New()
	}
	u := m.d.(encoding.BinaryUnmarshaler)
	if u.UnmarshalBinary(h.inner) != nil {
		return false
	}
	m.d.Write(m.name)
	inner := m.d.Sum(m.sum[:0])
	if u.UnmarshalBinary(h.outer) != nil {
		return false
	}
	m.d.Write(inner)
	return hmac.Equal(m.d.Sum(m.sum[:0]), h.hash)
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
	db.lines = n
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
	l, names, err := compileHosts(hosts)
	if err != nil {
		return err
	}
	l.known = known
	if marker == "@cert-authority" {
		db.cas.add(l, names)
	} else {
		db.keys.add(l, names)
	}
	return nil
}

// compileHosts compiles a host field: a hashed name (|1|salt|hash) or a
// comma-separated list of patterns ("*" and "?" wildcards, "!" negation,
// "[host]:port" for ports other than 22). It returns the names to file
// the line under, or nil when the line must be tried for every host.
func compileHosts(field string) (khLine, []hostPort, error) {
	if strings.HasPrefix(field, "|") {
		parts := strings.Split(field, "|")
		if len(parts) != 4 || parts[1] != "1" {
			return khLine{}, nil, errors.New("hashed host: want |1|salt|hash")
		}
		salt, err1 := base64.StdEncoding.DecodeString(parts[2])
		hash, err2 := base64.StdEncoding.DecodeString(parts[3])
		if err1 != nil || err2 != nil {
			return khLine{}, nil, errors.New("hashed host: not base64")
		}
		hn, err := newHashedName(salt, hash)
		if err != nil {
			return khLine{}, nil, fmt.Errorf("hashed host: %v", err)
		}
		return khLine{hashed: hn}, nil, nil
	}
	var l khLine
	names := []hostPort{} // not nil: filed under these names (maybe none)
	for p := range strings.SplitSeq(field, ",") {
		if p == "" {
			continue
		}
		var pt hostPattern
		if p[0] == '!' {
			pt.negate, p = true, p[1:]
		}
		if p == "" {
			return khLine{}, nil, errors.New("negation without a host name")
		}
		h, port, err := net.SplitHostPort(p)
		switch {
		case err == nil:
			pt.host, pt.port = h, port
		case p[0] == '[':
			return khLine{}, nil, fmt.Errorf("host pattern %q: %v", p, err)
		default:
			pt.host, pt.port = p, "22"
		}
		l.pats = append(l.pats, pt)
		switch {
		case pt.negate:
			// Negations only take hosts away from the names below.
		case strings.ContainsAny(pt.host, "*?") || strings.ContainsAny(pt.port, "*?"):
			names = nil // a wildcard: try the line for every host
		case names != nil:
			names = append(names, hostPort{pt.host, pt.port})
		}
	}
	if len(l.pats) == 0 {
		return khLine{}, nil, errors.New("missing host pattern")
	}
	return l, names, nil
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

// keysFor returns the plain keys known for address ("host:port"), in
// file order. The slice is shared: callers must not change it.
func (db *knownHostsDB) keysFor(address string) []knownhosts.KnownKey {
	db.foundMu.Lock()
	out, ok := db.found[address]
	db.foundMu.Unlock()
	if ok {
		return out
	}
	h, p, ok := splitAddr(address)
	if !ok {
		return nil
	}
	out = db.keys.lookup(h, p)
	db.foundMu.Lock()
	if db.found == nil {
		db.found = map[string][]knownhosts.KnownKey{}
	}
	if len(db.found) < maxFound {
		db.found[address] = out
	}
	db.foundMu.Unlock()
	return out
}

// casFor returns the @cert-authority lines covering address.
func (db *knownHostsDB) casFor(address string) []knownhosts.KnownKey {
	h, p, ok := splitAddr(address)
	if !ok {
		return nil
	}
	return db.cas.lookup(h, p)
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
