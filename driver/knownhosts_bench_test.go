package driver

import (
	"crypto/ed25519"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// benchKey is a deterministic ed25519 host key, distinct per i.
func benchKey(i int) ssh.PublicKey {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, strconv.Itoa(i))
	pub, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(seed).Public())
	if err != nil {
		panic(err)
	}
	return pub
}

// benchKnownHosts is a known_hosts file of n hosts as a fleet has them
// ([127.0.0.1]:port, like the lab's), plain or hashed (ssh-keygen -H), with
// a few wildcard, negated, @cert-authority and @revoked lines mixed in.
// It returns the file and the address and key of each host.
func benchKnownHosts(n int, hashed bool) (string, []string, []ssh.PublicKey) {
	var b strings.Builder
	addrs := make([]string, n)
	keys := make([]ssh.PublicKey, n)
	for i := range n {
		addrs[i] = net.JoinHostPort("127.0.0.1", strconv.Itoa(20000+i))
		keys[i] = benchKey(i)
		host := knownhosts.Normalize(addrs[i])
		if hashed {
			host = knownhosts.HashHostname(host)
		}
		b.WriteString(knownhosts.Line([]string{host}, keys[i]) + "\n")
		if i%1000 == 500 {
			fmt.Fprintf(&b, "*.lab%d.example,!bad.lab%d.example %s", i, i, ssh.MarshalAuthorizedKey(benchKey(-i)))
			fmt.Fprintf(&b, "@cert-authority *.ca%d.example %s", i, ssh.MarshalAuthorizedKey(benchKey(-i-1)))
			fmt.Fprintf(&b, "@revoked * %s", ssh.MarshalAuthorizedKey(benchKey(-i-2)))
		}
	}
	return b.String(), addrs, keys
}

// BenchmarkKnownHostsLookup measures the known_hosts work of one
// connection: the keys and CAs for the host (hostKeyCallback), then the
// check of the key it offers (checkPlain). The file is parsed once, as a
// run does; "parse" is that one-time cost.
func BenchmarkKnownHostsLookup(b *testing.B) {
	for _, hashed := range []bool{false, true} {
		for _, n := range []int{1000, 10000} {
			kind := "plain"
			if hashed {
				kind = "hashed"
			}
			file, addrs, keys := benchKnownHosts(n, hashed)
			b.Run(fmt.Sprintf("%s/entries=%d/lookup", kind, n), func(b *testing.B) {
				db, err := readKnownHosts(strings.NewReader(file), "known_hosts")
				if err != nil || len(db.skipped) > 0 {
					b.Fatal(err, db.skipped)
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if i > 0 && i%n == 0 {
						// Every host has been asked about: forget the
						// answers, as a new run would.
						b.StopTimer()
						db.found = nil
						b.StartTimer()
					}
					j := i * 7919 % n // a prime: every host once per n, in no file order
					i++
					addr, key := addrs[j], keys[j]
					if len(db.keysFor(addr)) != 1 || len(db.casFor(addr)) != 0 {
						b.Fatalf("%s: wrong lookup", addr)
					}
					if err := db.checkPlain(addr, key); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("%s/entries=%d/parse", kind, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := readKnownHosts(strings.NewReader(file), "known_hosts"); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkAcceptNewFleet learns the keys of a fleet seen for the first
// time (accept-new), one host after another as a run's sessions do:
// "per-host" is what learning one more host costs at that fleet size.
func BenchmarkAcceptNewFleet(b *testing.B) {
	for _, n := range []int{1000, 4000} {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) {
			keys := make([]ssh.PublicKey, n)
			for i := range keys {
				keys[i] = benchKey(i)
			}
			for b.Loop() {
				file := filepath.Join(b.TempDir(), "known_hosts")
				start := time.Now()
				for i, k := range keys {
					cfg := &Config{HostKeyCheck: HostKeyAcceptNew, KnownHostsFile: file, Address: "127.0.0.1", Port: 20000 + i}
					h, _, err := hostKeyCallback(cfg, "d", nil)
					if err != nil {
						b.Fatal(err)
					}
					if err := h.check(net.JoinHostPort("127.0.0.1", strconv.Itoa(20000+i)), nil, k); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(time.Since(start).Microseconds())/float64(n), "us/host")
			}
		})
	}
}
