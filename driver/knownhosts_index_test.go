package driver

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// hashedWithSalt is knownhosts.HashHostname with a chosen salt, so that a
// test can build hashed lines whose salt is longer than a SHA-1 block.
func hashedWithSalt(name string, salt []byte) string {
	mac := hmac.New(sha1.New, salt)
	mac.Write([]byte(name))
	return "|1|" + base64.StdEncoding.EncodeToString(salt) + "|" + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// lines returns the line numbers of keys.
func lineNumbers(keys []knownhosts.KnownKey) []int {
	var out []int
	for _, k := range keys {
		out = append(out, k.Line)
	}
	return out
}

// TestKnownHostsIndex asks a file that holds every kind of host field
// which lines cover which hosts. Lines are numbered from 1; the answers
// are in file order.
func TestKnownHostsIndex(t *testing.T) {
	key := func(i int) string { return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(benchKey(i)))) }
	longSalt := []byte(strings.Repeat("s", 100)) // longer than a SHA-1 block: HMAC hashes it first
	file := strings.Join([]string{
		/* 1 */ "*.example.com " + key(1),
		/* 2 */ "core1.example.com " + key(2),
		/* 3 */ "!bad.example.com,*.example.com " + key(3),
		/* 4 */ "core1.example.com,core1.example.com " + key(4),
		/* 5 */ "[core1.example.com]:2222 " + key(5),
		/* 6 */ knownhosts.HashHostname("10.0.0.1") + " " + key(6),
		/* 7 */ knownhosts.HashHostname("[10.0.0.1]:2222") + " " + key(7),
		/* 8 */ "[10.0.1.?]:2222 " + key(8),
		/* 9 */ "[10.0.2.1]:* " + key(9),
		/* 10 */ "!10.0.3.1 " + key(10),
		/* 11 */ "10.0.3.2,!10.0.3.2 " + key(11),
		/* 12 */ "[10.0.0.1]:22 " + key(12),
		/* 13 */ "[::1]:2222,::1 " + key(13),
		/* 14 */ "@cert-authority *.example.com " + key(14),
		/* 15 */ "@cert-authority core2.example.com " + key(15),
		/* 16 */ "@revoked * " + key(16),
		/* 17 */ "# a comment " + key(17),
		/* 18 */ hashedWithSalt("long.example.net", longSalt) + " " + key(18),
		/* 19 */ "core1.example.com,!core1.example.com " + key(19),
		/* 20 */ "*.example.com,core3.example.com " + key(20),
		/* 21 */ "core3.example.com " + key(21),
	}, "\n") + "\n"
	db, err := readKnownHosts(strings.NewReader(file), "kh")
	if err != nil || len(db.skipped) > 0 {
		t.Fatalf("readKnownHosts: %v %v", err, db.skipped)
	}
	tests := []struct {
		addr      string
		keys, cas []int
	}{
		// A plain name between wildcard lines, in file order; the same
		// name twice in a line counts once; negating the name itself
		// after naming it leaves nothing.
		{"core1.example.com:22", []int{1, 2, 3, 4, 20}, []int{14}},
		{"core1.example.com:2222", []int{5}, nil},
		{"bad.example.com:22", []int{1, 20}, []int{14}},
		{"core2.example.com:22", []int{1, 3, 20}, []int{14, 15}},
		{"core3.example.com:22", []int{1, 3, 20, 21}, []int{14}},
		{"example.com:22", nil, nil},
		{"10.0.0.1:22", []int{6, 12}, nil},
		{"10.0.0.1:2222", []int{7}, nil},
		{"10.0.0.1:2223", nil, nil},
		{"10.0.1.7:2222", []int{8}, nil},
		{"10.0.1.77:2222", nil, nil},
		{"10.0.1.7:22", nil, nil},
		{"10.0.2.1:22", []int{9}, nil},
		{"10.0.2.1:830", []int{9}, nil},
		{"10.0.3.1:22", nil, nil},
		{"10.0.3.2:22", nil, nil},
		{"[::1]:2222", []int{13}, nil},
		{"[::1]:22", []int{13}, nil},
		{"long.example.net:22", []int{18}, nil},
		{"long.example.net:23", nil, nil},
		{"not an address", nil, nil},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.keys, lineNumbers(db.keysFor(tc.addr))); diff != "" {
			t.Errorf("keysFor(%s) lines (-want +got):\n%s", tc.addr, diff)
		}
		if diff := cmp.Diff(tc.cas, lineNumbers(db.casFor(tc.addr))); diff != "" {
			t.Errorf("casFor(%s) lines (-want +got):\n%s", tc.addr, diff)
		}
	}

	// The key check: the right key passes, another is a mismatch naming
	// what is known, an unknown host has nothing known, and a revoked key
	// is refused even for a host that has it.
	if err := db.checkPlain("10.0.0.1:2222", benchKey(7)); err != nil {
		t.Errorf("hashed [host]:port with its key: %v", err)
	}
	if err := db.checkPlain("core1.example.com:22", benchKey(4)); err != nil {
		t.Errorf("plain name with its key: %v", err)
	}
	var ke *knownhosts.KeyError
	if err := db.checkPlain("10.0.0.1:2222", benchKey(6)); !errors.As(err, &ke) || !slices.Equal(lineNumbers(ke.Want), []int{7}) {
		t.Errorf("hashed host with another key: %v, want a mismatch against line 7", err)
	}
	if err := db.checkPlain("unknown.example.net:22", benchKey(1)); !errors.As(err, &ke) || len(ke.Want) != 0 {
		t.Errorf("unknown host: %v, want a KeyError with nothing known", err)
	}
	var re *knownhosts.RevokedError
	if err := db.checkPlain("core1.example.com:22", benchKey(16)); !errors.As(err, &re) || re.Revoked.Line != 16 {
		t.Errorf("revoked key: %v, want RevokedError for line 16", err)
	}
	ca, _ := ssh.NewPublicKey(mustSeedKey(15))
	if !db.isHostAuthority(ca, "core2.example.com:22") || db.isHostAuthority(ca, "core1.example.com:22") {
		t.Errorf("@cert-authority core2.example.com: trusted for the wrong hosts")
	}
}

// mustSeedKey is benchKey's private key's public half, as crypto.PublicKey.
func mustSeedKey(i int) any {
	return benchKey(i).(ssh.CryptoPublicKey).CryptoPublicKey()
}

// referenceLookup is the lookup without an index: every line tried in
// file order, hashed names with crypto/hmac from the salt in the text.
func referenceLookup(t *testing.T, file, addr string) []int {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	var out []int
	for i, line := range strings.Split(file, "\n") {
		field, _, _ := strings.Cut(line, " ")
		if field == "" || strings.HasPrefix(field, "@") {
			continue
		}
		if strings.HasPrefix(field, "|") {
			parts := strings.Split(field, "|")
			salt, _ := base64.StdEncoding.DecodeString(parts[2])
			mac := hmac.New(sha1.New, salt)
			mac.Write([]byte(knownhosts.Normalize(addr)))
			if base64.StdEncoding.EncodeToString(mac.Sum(nil)) == parts[3] {
				out = append(out, i+1)
			}
			continue
		}
		matched := false
		for p := range strings.SplitSeq(field, ",") {
			neg := strings.HasPrefix(p, "!")
			p = strings.TrimPrefix(p, "!")
			ph, pp, err := net.SplitHostPort(p)
			if err != nil {
				ph, pp = p, "22"
			}
			if wildcardMatch(ph, host) && wildcardMatch(pp, port) {
				if neg {
					matched = false
					break
				}
				matched = true
			}
		}
		if matched {
			out = append(out, i+1)
		}
	}
	return out
}

// TestKnownHostsIndexMatchesScan compares the index with trying every
// line, on a generated file that files many lines under few names, mixes
// wildcards, negations, ports and hashed names, and asks about hosts in
// and out of it.
func TestKnownHostsIndexMatchesScan(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	hosts := []string{"r1", "r2", "r3", "10.1.1.1", "10.1.1.2", "sw1.dc1", "sw2.dc1", "sw1.dc2"}
	ports := []string{"22", "22", "2222", "830"}
	name := func() string {
		h, p := hosts[r.Intn(len(hosts))], ports[r.Intn(len(ports))]
		if p == "22" && r.Intn(2) == 0 {
			return h
		}
		return "[" + h + "]:" + p
	}
	pattern := func() string {
		switch r.Intn(6) {
		case 0:
			return "*.dc1"
		case 1:
			return "r?"
		case 2:
			return "[10.1.1.*]:" + ports[r.Intn(len(ports))]
		case 3:
			return "!" + name()
		default:
			return name()
		}
	}
	var lines []string
	for i := range 400 {
		var field string
		if r.Intn(4) == 0 {
			h, p := hosts[r.Intn(len(hosts))], ports[r.Intn(len(ports))]
			field = knownhosts.HashHostname(knownhosts.Normalize(net.JoinHostPort(h, p)))
		} else {
			var pats []string
			for range 1 + r.Intn(3) {
				pats = append(pats, pattern())
			}
			field = strings.Join(pats, ",")
		}
		lines = append(lines, field+" "+strings.TrimSpace(string(ssh.MarshalAuthorizedKey(benchKey(i)))))
	}
	file := strings.Join(lines, "\n") + "\n"
	db, err := readKnownHosts(strings.NewReader(file), "kh")
	if err != nil || len(db.skipped) > 0 {
		t.Fatalf("readKnownHosts: %v %v", err, db.skipped)
	}
	asked := 0
	for _, h := range append(hosts, "r10", "sw1.dc3", "10.1.2.1") {
		for _, p := range []string{"22", "2222", "830", "23"} {
			addr := net.JoinHostPort(h, p)
			want := referenceLookup(t, file, addr)
			asked += len(want)
			if diff := cmp.Diff(want, lineNumbers(db.keysFor(addr))); diff != "" {
				t.Errorf("keysFor(%s) (-scan +index):\n%s", addr, diff)
			}
		}
	}
	if asked < 100 {
		t.Fatalf("the generated file covers too few hosts (%d answers) to test much", asked)
	}
}

// TestKnownHostsLookupIsRemembered: a connection asks about its host
// twice; the second answer is the first one, not computed again, and the
// memo stops growing at maxFound.
func TestKnownHostsLookupIsRemembered(t *testing.T) {
	file, addrs, _ := benchKnownHosts(3, true)
	db, err := readKnownHosts(strings.NewReader(file), "kh")
	if err != nil {
		t.Fatal(err)
	}
	first := db.keysFor(addrs[1])
	second := db.keysFor(addrs[1])
	if len(first) != 1 || len(second) != 1 || &first[0] != &second[0] {
		t.Errorf("the second lookup was computed again: %v %v", first, second)
	}
	if n := len(db.found); n != 1 {
		t.Errorf("%d answers remembered, want 1", n)
	}
	for i := range maxFound - 1 {
		db.found[fmt.Sprint("filler", i)] = nil
	}
	db.keysFor(addrs[2])
	if _, ok := db.found[addrs[2]]; ok || len(db.found) != maxFound {
		t.Errorf("an answer was remembered past maxFound (%d remembered)", len(db.found))
	}
	if got := db.keysFor(addrs[2]); len(got) != 1 || got[0].Line != 3 {
		t.Errorf("past maxFound: %v, want line 3", got)
	}
}

// TestKnownHostsMalformedHashed: a hashed field that is not |1|salt|hash
// is skipped with a reason, and the other lines still count.
func TestKnownHostsMalformedHashed(t *testing.T) {
	k := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(benchKey(1))))
	file := fmt.Sprintf("|2|abc|def %s\n|1|!!|def %s\n|1|abc %s\nh1 %s\n", k, k, k, k)
	db, err := readKnownHosts(strings.NewReader(file), "kh")
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, s := range db.skipped {
		got = append(got, s.line)
	}
	if !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("skipped lines %v, want [1 2 3]", got)
	}
	if n := len(db.keysFor("h1:22")); n != 1 {
		t.Errorf("h1: %d keys, want 1", n)
	}
}
