package driver

// Tests written against the mutants gremlins left alive in hostkey.go and
// knownhosts.go (docs/testing.md, "Mutation testing"). They drive the
// host key checker directly, with keys made here and files in
// t.TempDir(): no server is needed to decide what a key check answers.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

var khRemote = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2222}

func khLineFor(host string, key ssh.PublicKey) string {
	return knownhosts.Line([]string{knownhosts.Normalize(host)}, key) + "\n"
}

func writeKH(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// checker prepares the check of host "127.0.0.1:2222" against file.
func checker(t *testing.T, mode, file string, logger *slog.Logger) (*hostKeyChecker, []string) {
	t.Helper()
	h, algos, err := hostKeyCallback(&Config{Address: "127.0.0.1", Port: 2222, HostKeyCheck: mode, KnownHostsFile: file}, "dev1", logger)
	if err != nil {
		t.Fatalf("hostKeyCallback: %v", err)
	}
	return h, algos
}

func nonCertHostKeyAlgos() []string {
	var out []string
	for _, a := range ssh.SupportedAlgorithms().HostKeys {
		if !strings.Contains(a, "-cert-") {
			out = append(out, a)
		}
	}
	return out
}

// TestHostKeyAlgorithmsOffered: what the client asks the server for.
func TestHostKeyAlgorithmsOffered(t *testing.T) {
	dir := t.TempDir()
	edKey := benchKey(1)
	rsaKey := rsaTestKey(t)
	ca := benchKey(2)
	for _, tt := range []struct {
		name, file string
		legacy     bool
		want       []string
	}{
		{"nothing known: every plain algorithm, no certificates", "", false, nonCertHostKeyAlgos()},
		{"ed25519 known", khLineFor("127.0.0.1:2222", edKey), false, []string{ssh.KeyAlgoED25519}},
		{"ed25519 known twice", khLineFor("127.0.0.1:2222", edKey) + khLineFor("127.0.0.1:2222", edKey), false, []string{ssh.KeyAlgoED25519}},
		{"rsa known", khLineFor("127.0.0.1:2222", rsaKey), false, []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256}},
		{"rsa known, legacy", khLineFor("127.0.0.1:2222", rsaKey), true, []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}},
		{"CA and ed25519 known", "@cert-authority [127.0.0.1]:2222 " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(ca))) + "\n" + khLineFor("127.0.0.1:2222", edKey), false,
			[]string{ssh.CertAlgoED25519v01, ssh.CertAlgoECDSA256v01, ssh.CertAlgoECDSA384v01, ssh.CertAlgoECDSA521v01, ssh.CertAlgoRSASHA512v01, ssh.CertAlgoRSASHA256v01, ssh.KeyAlgoED25519}},
		{"CA only, legacy", "@cert-authority [127.0.0.1]:2222 " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(ca))) + "\n", true,
			append([]string{ssh.CertAlgoED25519v01, ssh.CertAlgoECDSA256v01, ssh.CertAlgoECDSA384v01, ssh.CertAlgoECDSA521v01, ssh.CertAlgoRSASHA512v01, ssh.CertAlgoRSASHA256v01, ssh.CertAlgoRSAv01}, nonCertHostKeyAlgos()...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
			if tt.file != "" {
				writeKH(t, file, tt.file, 0o600)
			}
			h, _, err := hostKeyCallback(&Config{Address: "127.0.0.1", Port: 2222, HostKeyCheck: HostKeyStrict, KnownHostsFile: file, LegacyAlgorithms: tt.legacy}, "dev1", nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := h.algorithms(tt.legacy); !slices.Equal(got, tt.want) {
				t.Errorf("algorithms = %q, want %q", got, tt.want)
			}
		})
	}
}

var rsaOnce = sync.OnceValues(func() (ssh.PublicKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return ssh.NewPublicKey(&k.PublicKey)
})

func rsaTestKey(t *testing.T) ssh.PublicKey {
	t.Helper()
	k, err := rsaOnce()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestHostKeyTypeMismatch: known_hosts holds a key of a type the device
// no longer offers: a host key problem, explained; a device that offers a
// known type but only an old signature algorithm is not a mismatch
// (legacy_algorithms is the answer there).
func TestHostKeyTypeMismatch(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "known_hosts")
	writeKH(t, file, "# comment\n"+khLineFor("127.0.0.1:2222", benchKey(1)), 0o600)
	h, _ := checker(t, HostKeyStrict, file, nil)
	fp := ssh.FingerprintSHA256(benchKey(1))

	noCommon := func(peer string) error {
		return errors.New("ssh: handshake failed: ssh: no common algorithm for host key; we offered: [ssh-ed25519], peer offered: " + peer)
	}
	err := h.typeMismatch("127.0.0.1:2222", noCommon("[rsa-sha2-512 rsa-sha2-256]"))
	want := "HOST KEY TYPE MISMATCH for [127.0.0.1]:2222: known_hosts has ssh-ed25519 " + fp + " at " + file + ":2, but the device offers no key of that type (it offers rsa-sha2-512, rsa-sha2-256); " +
		"this can mean someone is intercepting the connection. If the device's key changed legitimately, remove the old entry with `ssh-keygen -R '[127.0.0.1]:2222' -f " + file + "` and add the new one"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	// Quoted names (%q) are read too.
	if err := h.typeMismatch("127.0.0.1:2222", noCommon(`["ecdsa-sha2-nistp256"]`)); err == nil || !strings.Contains(err.Error(), "(it offers ecdsa-sha2-nistp256)") {
		t.Errorf("quoted: %v", err)
	}
	if err := h.typeMismatch("127.0.0.1:2222", noCommon(`["ssh-ed25519"]`)); err != nil {
		t.Errorf("the device offers the known type (quoted): %v", err)
	}
	if err := h.typeMismatch("127.0.0.1:2222", noCommon("[ssh-ed25519-cert-v01@openssh.com]")); err != nil {
		t.Errorf("a certificate of the known type: %v", err)
	}
	if err := h.typeMismatch("127.0.0.1:2222", errors.New("ssh: no common algorithm for host key")); err == nil || !strings.Contains(err.Error(), "(it offers none the client can use)") {
		t.Errorf("nothing offered: %v", err)
	}
	if err := h.typeMismatch("127.0.0.1:2222", errors.New("ssh: no common algorithm for cipher; peer offered: [aes128-cbc]")); err != nil {
		t.Errorf("another algorithm missing is not a host key problem: %v", err)
	}

	r := filepath.Join(dir, "rsa")
	writeKH(t, r, khLineFor("127.0.0.1:2222", rsaTestKey(t)), 0o600)
	h, _ = checker(t, HostKeyStrict, r, nil)
	if err := h.typeMismatch("127.0.0.1:2222", noCommon("[ssh-rsa]")); err != nil {
		t.Errorf("rsa known, ssh-rsa offered (old device): %v", err)
	}

	h, _ = checker(t, HostKeyStrict, filepath.Join(dir, "none"), nil)
	if err := h.typeMismatch("127.0.0.1:2222", noCommon("[rsa-sha2-512]")); err != nil {
		t.Errorf("nothing known: %v", err)
	}
}

func TestHostKeyKeyscanArgs(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.1:22":   "10.0.0.1",
		"10.0.0.1:2222": "-p 2222 10.0.0.1",
		"[::1]:830":     "-p 830 ::1",
		"core1":         "core1",
	} {
		if got := keyscanArgs(in); got != want {
			t.Errorf("keyscanArgs(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHostKeyCheckAnswers: check's answers without a server.
func TestHostKeyCheckAnswers(t *testing.T) {
	dir := t.TempDir()
	key := benchKey(1)

	t.Run("off accepts anything and warns", func(t *testing.T) {
		var logs bytes.Buffer
		h, algos := checker(t, HostKeyOff, "", slog.New(slog.NewTextHandler(&logs, nil)))
		if algos != nil {
			t.Errorf("off: algorithms %q, want the defaults", algos)
		}
		if err := h.check("127.0.0.1:2222", khRemote, key); err != nil {
			t.Errorf("off: %v", err)
		}
		if !strings.Contains(logs.String(), "host key checking is off") || !strings.Contains(logs.String(), "key=\"ssh-ed25519 "+ssh.FingerprintSHA256(key)+"\"") {
			t.Errorf("off: log %q", logs.String())
		}
	})

	t.Run("strict, unknown, default file", func(t *testing.T) {
		home := t.TempDir()
		t.Setenv("HOME", home)
		h, _ := checker(t, HostKeyStrict, "", nil)
		err := h.check("127.0.0.1:2222", khRemote, key)
		def := filepath.Join(home, ".ssh", "known_hosts")
		want := "[127.0.0.1]:2222 is not in " + def + " (it offered ssh-ed25519 " + ssh.FingerprintSHA256(key) + "); check the fingerprint, then add it with " +
			"`ssh-keyscan -p 2222 127.0.0.1 >> " + def + "`, or set host_key_check = \"accept-new\" to trust it on first use"
		if err == nil || err.Error() != want {
			t.Errorf("got  %v\nwant %s", err, want)
		}
	})

	t.Run("no home directory", func(t *testing.T) {
		t.Setenv("HOME", "")
		_, _, err := hostKeyCallback(&Config{Address: "127.0.0.1", Port: 22, HostKeyCheck: HostKeyStrict}, "dev1", nil)
		if err == nil || !strings.Contains(err.Error(), "known_hosts: no file given and no home directory") {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("bad mode", func(t *testing.T) {
		_, _, err := hostKeyCallback(&Config{Address: "127.0.0.1", Port: 22, HostKeyCheck: "yes"}, "dev1", nil)
		if err == nil || err.Error() != `host_key_check "yes": want "strict", "accept-new" or "off"` {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("unreadable file", func(t *testing.T) {
		notDir := filepath.Join(dir, "plain-file")
		writeKH(t, notDir, "", 0o600)
		if _, _, err := hostKeyCallback(&Config{Address: "127.0.0.1", Port: 22, HostKeyCheck: HostKeyStrict, KnownHostsFile: filepath.Join(notDir, "known_hosts")}, "dev1", nil); err == nil || !strings.HasPrefix(err.Error(), "known_hosts: stat ") {
			t.Errorf("a path through a file: err = %v", err)
		}
		if _, _, err := hostKeyCallback(&Config{Address: "127.0.0.1", Port: 22, HostKeyCheck: HostKeyStrict, KnownHostsFile: dir}, "dev1", nil); err == nil || !strings.HasPrefix(err.Error(), "known_hosts: reading "+dir+": ") {
			t.Errorf("a directory: err = %v", err)
		}
	})

	t.Run("certificate without a CA line", func(t *testing.T) {
		file := filepath.Join(dir, "plain")
		writeKH(t, file, khLineFor("127.0.0.1:2222", key), 0o600)
		h, _ := checker(t, HostKeyStrict, file, nil)
		cert := &ssh.Certificate{Key: key, CertType: ssh.HostCert, ValidPrincipals: []string{"127.0.0.1"}, ValidBefore: ssh.CertTimeInfinity}
		signer := testSigner(t)
		if err := cert.SignCert(rand.Reader, signer); err != nil {
			t.Fatal(err)
		}
		err := h.check("127.0.0.1:2222", khRemote, cert)
		if err == nil || !strings.Contains(err.Error(), "offered a host certificate signed by ssh-ed25519 "+ssh.FingerprintSHA256(signer.PublicKey())+", but no @cert-authority line in "+file+" covers it") {
			t.Errorf("err = %v", err)
		}
		if h.err == nil {
			t.Errorf("the reason is not kept for the handshake error")
		}
	})

	t.Run("revoked", func(t *testing.T) {
		file := filepath.Join(dir, "revoked")
		writeKH(t, file, khLineFor("127.0.0.1:2222", key)+"@revoked * "+strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))+"\n", 0o600)
		h, _ := checker(t, HostKeyAcceptNew, file, nil)
		err := h.check("127.0.0.1:2222", khRemote, key)
		if err == nil || !strings.Contains(err.Error(), "is marked @revoked in "+file+":2") {
			t.Errorf("err = %v", err)
		}
	})
}

func testSigner(t *testing.T) ssh.Signer {
	t.Helper()
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, "test CA")
	s, err := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHostKeyLearn: accept-new appends the key, keeping the file's other
// lines and its permissions, and re-reads the file under its lock first.
func TestHostKeyLearn(t *testing.T) {
	dir := t.TempDir()
	key := benchKey(1)
	other := khLineFor("other.example:22", benchKey(2))

	for _, tt := range []struct {
		name, before string
		mode         os.FileMode
		exists       bool
	}{
		{"new file", "", 0o600, false},
		{"empty file", "", 0o640, true},
		{"no final newline", strings.TrimSuffix(other, "\n"), 0o644, true},
		{"final newline", other, 0o604, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"), "known_hosts")
			if tt.exists {
				os.MkdirAll(filepath.Dir(file), 0o700)
				writeKH(t, file, tt.before, tt.mode)
			}
			h, _ := checker(t, HostKeyAcceptNew, file, nil)
			if err := h.check("127.0.0.1:2222", khRemote, key); err != nil {
				t.Fatalf("check: %v", err)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.before
			if want != "" && !strings.HasSuffix(want, "\n") {
				want += "\n"
			}
			want += khLineFor("127.0.0.1:2222", key)
			if string(data) != want {
				t.Errorf("known_hosts = %q, want %q", data, want)
			}
			st, _ := os.Stat(file)
			if st.Mode().Perm() != tt.mode {
				t.Errorf("mode %v, want %v", st.Mode().Perm(), tt.mode)
			}
			left, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".known_hosts.tmp*"))
			if len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
			// Learned: strict mode now trusts it.
			h, _ = checker(t, HostKeyStrict, file, nil)
			if err := h.check("127.0.0.1:2222", khRemote, key); err != nil {
				t.Errorf("strict after learning: %v", err)
			}
		})
	}

	// Another session changed the file between this session's read and
	// its write: what the file says now decides.
	t.Run("learned meanwhile, same key", func(t *testing.T) {
		file := filepath.Join(dir, "same")
		h, _ := checker(t, HostKeyAcceptNew, file, nil)
		writeKH(t, file, khLineFor("127.0.0.1:2222", key), 0o600)
		if err := h.check("127.0.0.1:2222", khRemote, key); err != nil {
			t.Fatalf("check: %v", err)
		}
		if data, _ := os.ReadFile(file); string(data) != khLineFor("127.0.0.1:2222", key) {
			t.Errorf("the key was added twice: %q", data)
		}
	})
	t.Run("learned meanwhile, another key", func(t *testing.T) {
		file := filepath.Join(dir, "another")
		h, _ := checker(t, HostKeyAcceptNew, file, nil)
		writeKH(t, file, khLineFor("127.0.0.1:2222", benchKey(3)), 0o600)
		err := h.check("127.0.0.1:2222", khRemote, key)
		if err == nil || !strings.HasPrefix(err.Error(), "HOST KEY MISMATCH for [127.0.0.1]:2222") {
			t.Errorf("err = %v", err)
		}
		if data, _ := os.ReadFile(file); string(data) != khLineFor("127.0.0.1:2222", benchKey(3)) {
			t.Errorf("known_hosts changed: %q", data)
		}
	})
	t.Run("covered by a CA meanwhile", func(t *testing.T) {
		file := filepath.Join(dir, "ca")
		h, _ := checker(t, HostKeyAcceptNew, file, nil)
		content := "@cert-authority [127.0.0.1]:* " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(benchKey(4)))) + "\n"
		writeKH(t, file, content, 0o600)
		err := h.check("127.0.0.1:2222", khRemote, key)
		if err == nil || err.Error() != "[127.0.0.1]:2222 is now covered by @cert-authority in "+file+" but offered a plain key; not learned" {
			t.Errorf("err = %v", err)
		}
		if data, _ := os.ReadFile(file); string(data) != content {
			t.Errorf("known_hosts changed: %q", data)
		}
	})
	t.Run("directory cannot be made", func(t *testing.T) {
		if _, err := os.Stat("/proc/self"); err != nil {
			t.Skip("needs /proc, where no directory can be made")
		}
		h, _ := checker(t, HostKeyAcceptNew, "/proc/runbook-test-no-such-dir/known_hosts", nil)
		err := h.check("127.0.0.1:2222", khRemote, key)
		if err == nil || !strings.HasPrefix(err.Error(), "known_hosts: mkdir ") {
			t.Errorf("err = %v", err)
		}
	})
}

// TestKnownHostsCacheFollowsTheFile: a parsed file is reused only while
// its size and modification time are unchanged; its warnings appear once.
func TestKnownHostsCacheFollowsTheFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "known_hosts")
	stamp := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	write := func(content string, mtime time.Time) {
		t.Helper()
		writeKH(t, file, content, 0o600)
		if err := os.Chtimes(file, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	keysOf := func() []int {
		t.Helper()
		db, err := loadKnownHosts(file, logger)
		if err != nil || db == nil {
			t.Fatalf("loadKnownHosts: %v %v", db, err)
		}
		return lineNumbers(db.keysFor("h1:22"))
	}
	k1, k2 := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(benchKey(1)))), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(benchKey(2))))

	write("garbage\nh1 "+k1+"\n", stamp)
	if got := keysOf(); !slices.Equal(got, []int{2}) {
		t.Fatalf("first read: lines %v", got)
	}
	keysOf()
	if n := strings.Count(logs.String(), "skipped a malformed line"); n != 1 {
		t.Errorf("the malformed line was reported %d times for two reads of an unchanged file, want 1", n)
	}
	// Same modification time, other size.
	write("garbage\nh2 "+k1+"\nh1 "+k2+"\n", stamp)
	if got := keysOf(); !slices.Equal(got, []int{3}) {
		t.Errorf("after a change of size: lines %v, want [3]", got)
	}
	// Same size, other modification time.
	write("garbage\nh1 "+k1+"\nh2 "+k2+"\n", stamp.Add(time.Second))
	if got := keysOf(); !slices.Equal(got, []int{2}) {
		t.Errorf("after a change of modification time: lines %v, want [2]", got)
	}
}

// TestKnownHostsLineErrors: each malformed line is skipped with its
// reason; the well-formed lines around it count.
func TestKnownHostsLineErrors(t *testing.T) {
	k := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(benchKey(1))))
	blob := strings.Fields(k)[1]
	lines := []string{
		/* 1 */ "h1 ssh-rsa " + blob, // type does not match the key
		/* 2 */ "!,h1 " + k,
		/* 3 */ "[h1:22 " + k,
		/* 4 */ ", " + k,
		/* 5 */ "h1 ssh-ed25519",
		/* 6 */ "h1",
		/* 7 */ "h1 ssh-ed25519 !!!",
		/* 8 */ "h1 ssh-ed25519 AAAA",
		/* 9 */ "@cert-authority @revoked " + k,
		/* 10 */ "@bogus h1 " + k,
		/* 11 */ "  ",
		/* 12 */ "\t# indented comment",
		/* 13 */ "h1,,h2 " + k,
	}
	db, err := readKnownHosts(strings.NewReader(strings.Join(lines, "\n")+"\n"), "kh")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range db.skipped {
		got = append(got, s.String())
	}
	want := []string{
		`kh:1: key type "ssh-rsa" does not match the key (ssh-ed25519)`,
		`kh:2: negation without a host name`,
		`kh:3: host pattern "[h1:22": address [h1:22: missing ']' in address`,
		`kh:4: missing host pattern`,
		`kh:5: missing key`,
		`kh:6: missing host pattern or key`,
		`kh:7: key is not base64: illegal base64 data at input byte 0`,
		`kh:8: key: ssh: short read`,
		`kh:9: unexpected marker "@revoked"`,
		`kh:10: unknown marker "@bogus"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := lineNumbers(db.keysFor("h2:22")); !slices.Equal(n, []int{13}) {
		t.Errorf("h2: lines %v, want [13]", n)
	}
	if n := lineNumbers(db.keysFor("h1:22")); !slices.Equal(n, []int{13}) {
		t.Errorf("h1: lines %v, want [13]", n)
	}
}

// TestKnownHostsHashedSaltSizes: HMAC keys up to one SHA-1 block are used
// as they are, longer ones are hashed first; a hashed line matches its
// name whatever the salt's size.
func TestKnownHostsHashedSaltSizes(t *testing.T) {
	k := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(benchKey(1))))
	for _, n := range []int{1, 20, sha1.BlockSize - 1, sha1.BlockSize, sha1.BlockSize + 1, 200} {
		salt := bytes.Repeat([]byte{byte(n)}, n)
		mac := hmac.New(sha1.New, salt)
		mac.Write([]byte("[10.0.0.9]:2222"))
		field := "|1|" + base64.StdEncoding.EncodeToString(salt) + "|" + base64.StdEncoding.EncodeToString(mac.Sum(nil))
		db, err := readKnownHosts(strings.NewReader(field+" "+k+"\n"), "kh")
		if err != nil || len(db.skipped) > 0 {
			t.Fatalf("salt of %d bytes: %v %v", n, err, db.skipped)
		}
		if got := db.keysFor("10.0.0.9:2222"); len(got) != 1 {
			t.Errorf("salt of %d bytes: the hashed name does not match", n)
		}
		if got := db.keysFor("10.0.0.9:22"); len(got) != 0 {
			t.Errorf("salt of %d bytes: matches another port", n)
		}
	}
}

func TestKnownHostsWildcards(t *testing.T) {
	for _, tt := range []struct {
		pat, s string
		want   bool
	}{
		{"*", "", true},
		{"*", "abc", true},
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"a*", "a", true},
		{"*c", "c", true},
		{"*c", "abc", true},
		{"*c", "abd", false},
		{"a*c", "ac", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"?", "", false},
		{"??", "ab", true},
		{"abc", "abd", false},
		{"abc", "abc", true},
		{"*.*.example", "a.b.example", true},
		{"*.*.example", "ab.example", false},
	} {
		if got := wildcardMatch(tt.pat, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tt.pat, tt.s, got, tt.want)
		}
	}
}

// TestKnownHostsRememberIsBounded: accept-new adds what it learned to the
// memo of answers only while the memo holds fewer than maxFound hosts;
// past that it says so, and the file is read again instead.
func TestKnownHostsRememberIsBounded(t *testing.T) {
	db, err := readKnownHosts(strings.NewReader(khLineFor("h1:22", benchKey(1))), "kh")
	if err != nil {
		t.Fatal(err)
	}
	if !db.remember("h2:22", benchKey(2), "kh") {
		t.Fatal("remember refused with an empty memo")
	}
	if got := db.keysFor("h2:22"); len(got) != 1 || got[0].Line != 2 {
		t.Errorf("h2 after remember: %v, want the learned key at line 2", got)
	}
	for i := len(db.found); i < maxFound; i++ {
		db.found[fmt.Sprint("filler", i)] = nil
	}
	if db.remember("h3:22", benchKey(3), "kh") {
		t.Errorf("remember accepted a host with the memo full")
	}
	if _, ok := db.found["h3:22"]; ok || len(db.found) != maxFound {
		t.Errorf("the memo grew past maxFound: %d", len(db.found))
	}
}
