package engine

import (
	"testing"

	"github.com/runbook-dev/runbook/hcl"
)

// question_mark decides how the driver types a '?'; left out, the base's
// way is kept, and a platform without a base refuses such lines.
func TestPlatformQuestionMark(t *testing.T) {
	cases := []struct {
		base, mode string
		help       bool
		quote      string
	}{
		{"cisco_ios", "", true, "\x16"},
		{"juniper_junos", "", true, ""},
		{"linux", "", false, ""},
		{"", "", true, ""},
		{"cisco_ios", "refuse", true, ""},
		{"cisco_ios", "literal", false, ""},
		{"juniper_junos", "ctrl_v", true, "\x16"},
	}
	for _, c := range cases {
		d := &hcl.PlatformDef{Name: "custom_q", Base: c.base, QuestionMark: c.mode}
		if c.base == "" {
			d.PromptPrivileged = `^(?P<host>\S+)#$`
		}
		p, err := PlatformFromDef(d)
		if err != nil {
			t.Fatalf("%s/%s: %v", c.base, c.mode, err)
		}
		if p.QuestionHelp != c.help || p.QuoteNext != c.quote {
			t.Errorf("base %q, question_mark %q: help %v quote %q, want %v %q", c.base, c.mode, p.QuestionHelp, p.QuoteNext, c.help, c.quote)
		}
	}
}
