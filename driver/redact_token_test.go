package driver

import (
	"bytes"
	"testing"
)

func TestRedactWholeTokens(t *testing.T) {
	s := &secrets{}
	s.add("admin", "p@ss!", "hunter2")
	for in, want := range map[string]string{
		"Password: admin":                      "Password: ********",
		"Gi0/1 administratively down":          "Gi0/1 administratively down",
		"user admin, sysadmin, admin2":         "user ********, sysadmin, admin2",
		"secret p@ss! and (p@ss!)y and xp@ss!": "secret ******** and (********)y and xp@ss!",
		"hunter2\nhunter22 ahunter2 hunter2":   "********\nhunter22 ahunter2 ********",
		"(admin)":                              "(********)",
	} {
		if got := s.redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
	// Split across writes, the secret is still masked; a word that only
	// starts with it is not.
	var out bytes.Buffer
	tr := &transcript{w: &out, secrets: s}
	tr.Write([]byte("login: adm"))
	tr.Write([]byte("in\nstatus: administ"))
	tr.Write([]byte("ratively down\n"))
	tr.Flush()
	if got, want := out.String(), "login: ********\nstatus: administratively down\n"; got != want {
		t.Errorf("transcript = %q, want %q", got, want)
	}
}
