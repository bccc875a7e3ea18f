package hcl_test

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/hcl"
)

// FuzzPlaybookRedact: a secret the playbook knows (a host's password, enable
// secret or key passphrase, or a sensitive variable) never survives
// redaction in plain form when it stands as a word of its own, whatever
// text surrounds it. Text that merely contains it inside a word may be
// kept, so the surrounding text is chosen not to contain it at all.
func FuzzPlaybookRedact(f *testing.F) {
	f.Add("hunter2-secret", "Password: ", " accepted\nr1#", uint8(0))
	f.Add("en4ble!", `{"msg": "enable`, `failed"}`, uint8(1))
	f.Add(`a"b\c<d>&e`, "error: ", "", uint8(2))
	f.Add("community-RO", "snmp-server community", "RO\n", uint8(3))
	f.Add("PlainSecret123", strings.Repeat("x", 100), "…", uint8(0))
	f.Add("admin", "Gi0/1 is administratively down, line protocol", "is down", uint8(0))

	f.Fuzz(func(t *testing.T, secret, before, after string, where uint8) {
		if len(secret) < 4 || len(secret) > 64 || strings.ContainsFunc(secret, func(r rune) bool { return r <= ' ' || r > '~' }) {
			return // printable, no blanks: the blanks below are word boundaries
		}
		if strings.Contains(before, secret) || strings.Contains(after, secret) {
			return
		}
		h := &hcl.Host{Name: "r1", Username: "netops"}
		pb := &hcl.Playbook{}
		switch where % 4 {
		case 0:
			h.Password = hcl.NewSecret(secret)
		case 1:
			h.Secret = hcl.NewSecret(secret)
		case 2:
			h.PrivateKeyPassphrase = hcl.NewSecret(secret)
		case 3:
			pb.Variables = []*hcl.Variable{{Name: "community", Sensitive: true, Value: cty.StringVal(secret)}}
		}
		redact := pb.Redactor(h)
		marker := redact(secret)
		if marker == secret {
			t.Fatalf("%q alone is not redacted", secret)
		}
		if strings.Contains(marker, secret) {
			return // the secret is part of what replaces it
		}
		for _, in := range []string{
			secret,
			before + " " + secret + " " + after,
			secret + "\n" + before + "\t" + secret,
			before + " " + secret + " " + secret + " " + after,
		} {
			out := redact(in)
			if got := pb.Redact(h, in); got != out {
				t.Fatalf("Redact and Redactor differ on %q: %q, %q", in, got, out)
			}
			if at := plainAt(out, secret, marker); at >= 0 {
				t.Fatalf("secret %q survives at %d in %q (from %q)", secret, at, out, in)
			}
		}
	})
}

// plainAt is the offset of an occurrence of secret in out that does not
// overlap the marker that replaces secrets (a secret may end in what the
// marker starts with), or -1.
func plainAt(out, secret, marker string) int {
	var masked []bool
	for i := 0; marker != "" && i < len(out); {
		j := strings.Index(out[i:], marker)
		if j < 0 {
			break
		}
		if masked == nil {
			masked = make([]bool, len(out))
		}
		for k := i + j; k < i+j+len(marker); k++ {
			masked[k] = true
		}
		i += j + 1
	}
	for i := 0; i < len(out); {
		j := strings.Index(out[i:], secret)
		if j < 0 {
			return -1
		}
		at := i + j
		overlaps := false
		for k := at; masked != nil && k < at+len(secret); k++ {
			overlaps = overlaps || masked[k]
		}
		if !overlaps {
			return at
		}
		i = at + 1
	}
	return -1
}
