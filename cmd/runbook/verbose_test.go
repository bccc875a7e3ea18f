package main

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// secretPlaybook sends the lab login password (as a user could by mistake)
// and a sensitive variable: neither may reach the console or the log.
const secretPlaybook = `variable "community" {
  sensitive = true
  default   = "s3cret-community-x9"
}
` + checkInventory + `
step "send_command" "name" {
  command = "show running-config | include hostname"
}

step "send_command" "grep" {
  command = "show running-config | include ` + labPass + `"
}

step "send_config_set" "snmp" {
  commands = ["snmp-server community ${var.community} RO"]
}
`

var secretValues = []string{labPass, labSecret, "s3cret-community-x9"}

func noSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range secretValues {
		if strings.Contains(s, sec) {
			t.Errorf("%s shows the secret %q:\n%s", what, sec, s)
		}
	}
}

func TestVerbosePrintsOutputAndTrace(t *testing.T) {
	play := writePlaybook(t, secretPlaybook)

	code, plain, errOut := runCLI(t, "apply", "--lab", play)
	if code != exitOK {
		t.Fatalf("apply: exit %d\n%s%s", code, plain, errOut)
	}
	if strings.Contains(plain, "| hostname r1") || strings.Contains(plain, "> show") {
		t.Errorf("without -v the output shows step output or commands:\n%s", plain)
	}

	code, v, errOut := runCLI(t, "apply", "--lab", "-v", play)
	if code != exitOK {
		t.Fatalf("apply -v: exit %d\n%s%s", code, v, errOut)
	}
	// The output is under its step's line.
	if !regexp.MustCompile(`(?m)^r1  send_command\.name  ok  .*\n    \| hostname r1$`).MatchString(v) {
		t.Errorf("-v does not print the step's output under its line:\n%s", v)
	}
	if strings.Contains(v, "> show running-config") {
		t.Errorf("-v prints the commands sent; that is -vv:\n%s", v)
	}
	noSecrets(t, "-v", v+errOut)

	code, vv, errOut := runCLI(t, "apply", "--lab", "-vv", play)
	if code != exitOK {
		t.Fatalf("apply -vv: exit %d\n%s%s", code, vv, errOut)
	}
	for _, want := range []string{
		"    > show running-config | include hostname\n    < r1#\n    | hostname r1\n",
		"    > show running-config | include (sensitive)\n",
		"    > snmp-server community (sensitive) RO\n    < r1(config)#\n",
	} {
		if !strings.Contains(vv, want) {
			t.Errorf("-vv lacks %q:\n%s", want, vv)
		}
	}
	noSecrets(t, "-vv", vv+errOut)
}

func TestQuietAndVerboseConflict(t *testing.T) {
	if code, _, errOut := runCLI(t, "apply", "--lab", "-q", "-v", writePlaybook(t, secretPlaybook)); code != exitInvalid {
		t.Errorf("-q -v: exit %d, want 2: %s", code, errOut)
	}
}

func TestLogLevel(t *testing.T) {
	play := writePlaybook(t, secretPlaybook)
	t.Run("flag text debug", func(t *testing.T) {
		t.Setenv("RUNBOOK_LOG", "")
		code, out, errOut := runCLI(t, "apply", "--lab", "--log-level", "debug", play)
		if code != exitOK {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		for _, want := range []string{"level=DEBUG", `msg=sent device=r1 command="show running-config | include hostname"`, "msg=\"step finished\""} {
			if !strings.Contains(errOut, want) {
				t.Errorf("log lacks %q:\n%s", want, errOut)
			}
		}
		if strings.Contains(out, "level=") {
			t.Errorf("the log went to stdout:\n%s", out)
		}
		noSecrets(t, "the debug log", errOut)
	})
	t.Run("env json", func(t *testing.T) {
		t.Setenv("RUNBOOK_LOG", "json:debug")
		code, out, errOut := runCLI(t, "apply", "--lab", play)
		if code != exitOK {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		sent := 0
		sc := bufio.NewScanner(strings.NewReader(errOut))
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "{") {
				continue // the lab's note
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("not a JSON log line: %q: %v", line, err)
			}
			if rec["msg"] == "sent" {
				sent++
			}
		}
		if sent < 3 {
			t.Errorf("RUNBOOK_LOG=json:debug: %d JSON records of commands sent, want at least 3:\n%s", sent, errOut)
		}
		noSecrets(t, "the JSON log", errOut)
	})
	t.Run("flag wins over env", func(t *testing.T) {
		t.Setenv("RUNBOOK_LOG", "json:debug")
		code, out, errOut := runCLI(t, "apply", "--lab", "--log-level", "warn", play)
		if code != exitOK {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		if strings.Contains(errOut, "{") || strings.Contains(errOut, "DEBUG") {
			t.Errorf("--log-level warn logged debug records:\n%s", errOut)
		}
	})
	t.Run("default is quiet", func(t *testing.T) {
		t.Setenv("RUNBOOK_LOG", "")
		_, _, errOut := runCLI(t, "apply", "--lab", play)
		if strings.Contains(errOut, "level=") {
			t.Errorf("the default logs below warnings:\n%s", errOut)
		}
	})
	for _, bad := range []string{"loud", "xml:debug", "debug:verbose"} {
		t.Run("invalid "+bad, func(t *testing.T) {
			t.Setenv("RUNBOOK_LOG", "")
			if code, _, errOut := runCLI(t, "apply", "--lab", "--log-level", bad, play); code != exitInvalid || !strings.Contains(errOut, "--log-level") {
				t.Errorf("--log-level %s: exit %d, want 2 naming the flag: %s", bad, code, errOut)
			}
		})
	}
	t.Run("invalid env", func(t *testing.T) {
		t.Setenv("RUNBOOK_LOG", "chatty")
		if code, _, errOut := runCLI(t, "check", "--lab", play); code != exitInvalid || !strings.Contains(errOut, "RUNBOOK_LOG") {
			t.Errorf("RUNBOOK_LOG=chatty: exit %d, want 2 naming RUNBOOK_LOG: %s", code, errOut)
		}
	})
}

func TestRetriesAreVisible(t *testing.T) {
	play := writePlaybook(t, checkInventory+`
step "send_command" "clock" {
  command = "show clock"
  retries = 2
  assert "never" {
    expr = "output == 'no such clock'"
  }
}
`)
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runCLI(t, "apply", "--lab", "--limit", "r1", "--json", jsonPath, play)
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, re := range []string{
		`(?m)^r1  send_command\.clock  retry  attempt 2/3 after 1s\n    attempt 1 failed: assert "never"`,
		`(?m)^r1  send_command\.clock  retry  attempt 3/3 after 2s$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", re, out)
		}
	}
	if msg := readJSONReport(t, jsonPath).Devices[0].Steps[0].Message; !strings.HasSuffix(msg, "(after 3 attempts)") {
		t.Errorf("step message %q does not say how many attempts it took", msg)
	}
}

func TestTimeoutMessageIsShort(t *testing.T) {
	play := writePlaybook(t, checkInventory+`
step "send_command" "clock" {
  command = "show clock"
  timeout = "500ms"
}
`)
	code, out, errOut := runCLI(t, "apply", "--lab", "--limit", "r1", "--lab-fault", "r1:hang=^show clock", play)
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	// The driver waited what was left of the step's 500ms after connecting.
	want := `(?m)^    timed out \(step timeout 500ms\): send_command "show clock": no prompt within \d+ms \(privileged mode\); last received: "show clock\\n"$`
	if !regexp.MustCompile(want).MatchString(out) {
		t.Errorf("output lacks the message\n%s\n%s", want, out)
	}
	// No prompt regexes, no repeated device name.
	for _, bad := range []string{`\`, "[", "(?", "r1: "} {
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, "timed out") && strings.Contains(strings.ReplaceAll(line, `\n"`, ""), bad) {
				t.Errorf("timeout message holds %q: %s", bad, line)
			}
		}
	}
}
