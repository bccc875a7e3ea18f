package hcl_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"github.com/runbook-dev/runbook/hcl"
)

// The forms a secret takes in the reports: what must never survive.
func secretForms(s string) map[string]string {
	j, _ := json.Marshal(s)
	var x strings.Builder
	_ = xml.EscapeText(&x, []byte(s))
	return map[string]string{
		"plain":  s,
		"json":   string(j[1 : len(j)-1]),
		"xml":    x.String(),
		"%q":     strings.Trim(fmt.Sprintf("%q", s), `"`),
		"base64": base64.StdEncoding.EncodeToString([]byte(s)),
	}
}

func TestRedactForms(t *testing.T) {
	secret := `Pl"ain\Se<cr>et&42`
	r := hcl.NewRedactor(secret)
	for name, f := range secretForms(secret) {
		for _, text := range []string{
			f,
			"before " + f + " after",
			`msg: "` + f + `"`,
			"x\\n" + f + "\\n",
			"<a>" + f + "</a>",
		} {
			got := r.Redact(text)
			if strings.Contains(got, f) || !strings.Contains(got, hcl.Sensitive) {
				t.Errorf("%s form: Redact(%q) = %q", name, text, got)
			}
		}
	}
	// Two levels: a JSON value quoted in a Go error, a %q message in JSON.
	j, _ := json.Marshal(secret)
	q := fmt.Sprintf("%q", string(j))
	if got := r.Redact("error: " + q); strings.Contains(got, "Se") {
		t.Errorf("json inside %%q: %q", got)
	}
	b, _ := json.Marshal(fmt.Sprintf("%q", secret))
	if got := r.Redact(string(b)); strings.Contains(got, "Se") {
		t.Errorf("%%q inside json: %q", got)
	}
}

func TestRedactTokenBoundaries(t *testing.T) {
	r := hcl.NewRedactor("admin", "s3cret!")
	tests := []struct{ in, want string }{
		{"Interface is administratively down", "Interface is administratively down"},
		{"username admin password admin", "username (sensitive) password (sensitive)"},
		{"sadmin admin1 admin_x xadmin", "sadmin admin1 admin_x xadmin"},
		{`"admin"`, `"(sensitive)"`},
		{"pw=admin;", "pw=(sensitive);"},
		{"admin", "(sensitive)"},
		{"line\nadmin\n", "line\n(sensitive)\n"},
		{`json "x\nadmin\tadmin\u003cadmin"`, `json "x\n(sensitive)\t(sensitive)\u003c(sensitive)"`},
		{`not an escape: \\nadmin`, `not an escape: \\nadmin`},
		{"key s3cret!x", "key (sensitive)x"}, // ends in a non-word character
		{"keys3cret!", "keys3cret!"},
		{"Ädmin admin", "Ädmin (sensitive)"},
		{"ädmin", "ädmin"},
	}
	for _, tt := range tests {
		if got := r.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactTruncated(t *testing.T) {
	secret := "PlainSecretValue123"
	r := hcl.NewRedactor(secret)
	for _, in := range []string{
		`output = "PlainSecre... (200 more bytes)`,
		"value PlainSecretVal…",
		"PlainS...",
	} {
		got := r.Redact(in)
		if strings.Contains(got, "PlainS") {
			t.Errorf("Redact(%q) = %q: the secret's beginning survives", in, got)
		}
	}
	// Not a truncation: left alone.
	if got := r.Redact("Plain sailing... and PlainSecretValue1234"); got != "Plain sailing... and PlainSecretValue1234" {
		t.Errorf("got %q", got)
	}
}

func TestRedactShortAndEmpty(t *testing.T) {
	r := hcl.NewRedactor("", "ab")
	if !r.Empty() || r.Redact("ab cd") != "ab cd" {
		t.Error("secrets under 3 bytes must not be redacted")
	}
	var nilR *hcl.Redactor
	if nilR.Redact("x") != "x" {
		t.Error("nil redactor")
	}
}

// The writer redacts secrets split across writes at any point.
func TestRedactWriterSplits(t *testing.T) {
	secret := `pa"ss<wd>&1`
	r := hcl.NewRedactor(secret, "admin")
	j, _ := json.Marshal(secret)
	text := strings.Repeat("noise ", 7) + "login: admin\r\n" + secret + " administratively " + string(j) + " end admin"
	want := r.Redact(text)
	if strings.Contains(want, "ss<wd") || !strings.Contains(want, "administratively") {
		t.Fatalf("Redact = %q", want)
	}
	for size := 1; size <= len(text); size++ {
		var out bytes.Buffer
		w := r.Writer(&out)
		for i := 0; i < len(text); i += size {
			if _, err := w.Write([]byte(text[i:min(i+size, len(text))])); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Fatalf("writes of %d bytes: got\n%q\nwant\n%q", size, out.String(), want)
		}
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("admin", "admin administratively \"admin\"", 3)
	f.Add(`p"w<>&\`, `x p\"w\u003c\u003e\u0026\\ y`, 1)
	f.Fuzz(func(t *testing.T, secret, text string, size int) {
		r := hcl.NewRedactor(secret)
		got := r.Redact(text)
		if len(secret) >= 3 && strings.Contains(text, secret) && !strings.Contains(got, hcl.Sensitive) {
			// A secret inside a word is left alone; but a whole token must go.
			if text == secret {
				t.Errorf("Redact(%q) = %q", text, got)
			}
		}
		if size < 1 || size > len(text) {
			size = max(1, len(text))
		}
		var out bytes.Buffer
		w := r.Writer(&out)
		for i := 0; i < len(text); i += size {
			_, _ = w.Write([]byte(text[i:min(i+size, len(text))]))
		}
		_ = w.Close()
		if out.String() != got {
			t.Errorf("writer %q != Redact %q", out.String(), got)
		}
	})
}
