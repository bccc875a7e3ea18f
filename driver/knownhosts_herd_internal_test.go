package driver

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
)

// Connections that start together and miss the cache share one reading of
// known_hosts: every one of them gets the same parsed file.
func TestKnownHostsReadOnceForConcurrentConnections(t *testing.T) {
	var b strings.Builder
	for i := range 3000 {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k, _ := ssh.NewPublicKey(pub)
		fmt.Fprintf(&b, "[127.0.0.1]:%d %s", 20000+i, ssh.MarshalAuthorizedKey(k))
	}
	file := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	const n = 64
	dbs := make([]*knownHostsDB, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			db, err := loadKnownHosts(file, nil)
			if err != nil {
				t.Error(err)
			}
			dbs[i] = db
		}()
	}
	close(start)
	wg.Wait()
	for i, db := range dbs {
		if db == nil || db != dbs[0] {
			t.Fatalf("connection %d got its own reading of the file (%p, first %p)", i, db, dbs[0])
		}
	}
	if got := dbs[0].keysFor("127.0.0.1:22999"); len(got) != 1 {
		t.Errorf("keys for the last host: %d, want 1", len(got))
	}
}
