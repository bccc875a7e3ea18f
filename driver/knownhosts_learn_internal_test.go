package driver

import (
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func newTestKey(t *testing.T) ssh.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// accept-new appends one line per new host and keeps the parsed file: the
// next host does not read the file again, and a key learned is known to
// the sessions that follow. A change made by someone else is read again.
func TestAcceptNewAppendsWithoutRereading(t *testing.T) {
	file := filepath.Join(t.TempDir(), "known_hosts")
	old := newTestKey(t)
	// The last line lacks its newline, as an editor may leave it.
	first := "[127.0.0.1]:2000 " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(old)))
	if err := os.WriteFile(file, []byte(first), 0o644); err != nil {
		t.Fatal(err)
	}
	learnHost := func(port string, key ssh.PublicKey) error {
		t.Helper()
		h, _, err := hostKeyCallback(&Config{HostKeyCheck: HostKeyAcceptNew, KnownHostsFile: file, Address: "127.0.0.1", Port: atoiPort(port)}, "d"+port, nil)
		if err != nil {
			t.Fatal(err)
		}
		return h.check(net.JoinHostPort("127.0.0.1", port), &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, key)
	}
	keys := map[string]ssh.PublicKey{"2001": newTestKey(t), "2002": newTestKey(t), "2003": newTestKey(t)}
	if err := learnHost("2001", keys["2001"]); err != nil {
		t.Fatal(err)
	}
	db1, _ := loadKnownHosts(file, nil)
	for _, port := range []string{"2002", "2003"} {
		if err := learnHost(port, keys[port]); err != nil {
			t.Fatal(err)
		}
	}
	db2, _ := loadKnownHosts(file, nil)
	if db1 == nil || db2 != db1 {
		t.Errorf("the file was read again after learning a host (%p, then %p)", db1, db2)
	}
	for port, k := range keys {
		got := db2.keysFor(net.JoinHostPort("127.0.0.1", port))
		if len(got) != 1 || string(got[0].Key.Marshal()) != string(k.Marshal()) {
			t.Errorf("port %s: known keys %v", port, got)
		}
	}
	// Learned once: a host asked again with its key is not appended again,
	// and with another key it is a mismatch.
	if err := learnHost("2002", keys["2002"]); err != nil {
		t.Errorf("known key: %v", err)
	}
	if err := learnHost("2002", newTestKey(t)); err == nil || !strings.Contains(err.Error(), "2002") {
		t.Errorf("changed key: err %v, want a mismatch", err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 4 || lines[0] != first {
		t.Fatalf("file:\n%s", data)
	}
	for i, port := range []string{"2001", "2002", "2003"} {
		if !strings.HasPrefix(lines[i+1], "[127.0.0.1]:"+port+" ") {
			t.Errorf("line %d: %q", i+2, lines[i+1])
		}
	}
	// The parsed file says where each learned key is.
	if got := db2.keysFor("127.0.0.1:2003"); len(got) == 1 && got[0].Line != 4 {
		t.Errorf("learned key at line %d, want 4", got[0].Line)
	}
	// Someone else appends a line: the file is read again.
	other := newTestKey(t)
	f, _ := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("[127.0.0.1]:2004 " + string(ssh.MarshalAuthorizedKey(other)))
	f.Close()
	db3, _ := loadKnownHosts(file, nil)
	if db3 == db2 || len(db3.keysFor("127.0.0.1:2004")) != 1 {
		t.Errorf("an outside change was not read")
	}
}

func atoiPort(p string) int {
	n := 0
	for _, c := range p {
		n = n*10 + int(c-'0')
	}
	return n
}
