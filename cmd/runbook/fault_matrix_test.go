package main

// The fault matrix (issue 11, item 7; docs/reliability.md): one row per
// fault a fleet run meets in the field. Each row runs the same small
// playbook (backup, a show command, a config push, save) through the CLI
// against three devices, one faulty and two healthy, and asserts the
// faulty device's status and message, that the healthy devices passed,
// that the JSON report was written whole, and that the run came back in
// bounded time. The signal rows build the binary and interrupt it.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/runbook-dev/runbook/lab"
)

// faultRunBound bounds every run of the matrix. It is a hang guard, not a
// timing assertion: the slowest row needs a few seconds.
const faultRunBound = 60 * time.Second

// The faulty device is always r1; r2 and r3 are healthy.
var matrixHosts = []string{"r1", "r2", "r3"}

// matrixSteps is the playbook's body: backup, show, push, save, each
// depending on the one before. BACKUP_DIR is replaced by the row's backup
// directory.
const matrixSteps = `
step "backup" "running" {
  dir = "BACKUP_DIR"
}

step "send_command" "version" {
  depends_on = [step.backup.running]
  command    = "show version"
  timeout    = "2s"
}

step "send_config_set" "push" {
  depends_on = [step.send_command.version]
  commands   = ["ntp server 10.0.1.100", "ntp server 10.0.1.101"]
}

step "save" "config" {
  depends_on = [step.send_config_set.push]
}
`

// matrixInventoryDefaults are short timeouts, so that the rows that wait
// for something that never comes end in seconds.
const matrixInventoryDefaults = `
    platform = "cisco_ios"
    timeouts {
      connect = "2s"
      command = "3s"
    }
`

// invHost is a host of an inventory the test writes itself.
type invHost struct {
	name   string
	port   int
	secret string // enable secret; "" for the lab default of the fleet
}

// fleetEnv is what a row that builds its own devices hands back: the
// inventory (hosts, credentials, known_hosts) to run against, without --lab.
type fleetEnv struct {
	inventory string
}

type faultRow struct {
	name string
	// labFaults, when not nil, run the playbook with --lab and these
	// --lab-fault flags.
	labFaults []string
	// setup, instead, builds the devices and returns the inventory.
	setup func(t *testing.T, dir string) fleetEnv
	// prepare changes the row's directory before the run (dir holds
	// backups/ and logs/).
	prepare func(t *testing.T, dir string)
	// sessionLog adds --session-log dir/logs.
	sessionLog bool
	args       []string // more flags for apply

	wantStatus string // the faulty device's status in the JSON report
	wantMsg    string // a substring of its message (device or a step's)
	wantStep   string // the step that met the fault (error or failed); "" for none
	wantExit   int
	wantStderr string // a substring of stderr, when set
}

func TestFaultMatrix(t *testing.T) {
	rows := []faultRow{
		{
			name:       "auth",
			labFaults:  []string{"r1:auth_fail"},
			wantStatus: "auth_failed", wantMsg: "rejected the credentials", wantExit: exitFailed,
			wantStep: "backup.running",
		},
		{
			name:       "enable secret",
			setup:      labFleet(map[string]string{"r1": "not-the-enable-secret"}, nil),
			wantStatus: "auth_failed", wantMsg: "% Bad secrets", wantExit: exitFailed,
			wantStep: "backup.running",
		},
		{
			// Tried three times (--connect-retries 2), then given up.
			name:       "refused",
			labFaults:  []string{"r1:refuse"},
			wantStatus: "unreachable", wantMsg: "(after 3 connection attempts)", wantExit: exitFailed,
			wantStep: "backup.running",
		},
		{
			// A device out of vty lines for a while: the login is tried
			// again and the device passes.
			name:       "busy vty lines",
			labFaults:  []string{"r1:refuse_first=2"},
			wantStatus: "passed", wantExit: exitOK,
		},
		{
			name:       "busy vty lines, no retries",
			labFaults:  []string{"r1:refuse_first=1"},
			args:       []string{"--connect-retries", "0"},
			wantStatus: "unreachable", wantMsg: "connection failed: SSH handshake", wantExit: exitFailed,
			wantStep: "backup.running",
		},
		{
			name:       "silent listener",
			setup:      silentListenerFleet,
			wantStatus: "unreachable", wantMsg: "SSH handshake with 127.0.0.1", wantExit: exitFailed,
			wantStep: "backup.running",
		},
		{
			name:       "hang",
			labFaults:  []string{"r1:hang=^show version"},
			wantStatus: "error", wantMsg: "timed out (step timeout 2s)", wantExit: exitFailed,
			wantStep: "send_command.version",
		},
		{
			name:       "drop mid-command",
			labFaults:  []string{"r1:drop_after=DROP_SHOW,drop_mid_output"},
			wantStatus: "error", wantMsg: `send_command "show version": session closed`, wantExit: exitFailed,
			wantStep: "send_command.version",
		},
		{
			name:       "drop mid-config",
			labFaults:  []string{"r1:drop_after=DROP_CONFIG"},
			wantStatus: "error", wantMsg: `send_config_set "ntp server 10.0.1.100": session closed`, wantExit: exitFailed,
			wantStep: "send_config_set.push",
		},
		{
			name:       "rejected line",
			labFaults:  []string{"r1:reject_config=^ntp server 10.0.1.101"},
			wantStatus: "failed", wantMsg: `line "ntp server 10.0.1.101": % Invalid input`, wantExit: exitFailed,
			wantStep: "send_config_set.push",
		},
		{
			name:       "slow device",
			labFaults:  []string{"r1:latency=150ms,chunk_latency=5ms,chunk_size=256"},
			wantStatus: "passed", wantExit: exitOK,
		},
		{
			name:       "host key mismatch",
			setup:      labFleet(nil, map[string]bool{"r1": true}),
			wantStatus: "unreachable", wantMsg: "HOST KEY MISMATCH", wantExit: exitFailed,
			wantStep: "backup.running",
		},
		{
			name:       "full disk for backups",
			labFaults:  []string{},
			prepare:    blockBackupDir("r1"),
			wantStatus: "error", wantMsg: "not a directory", wantExit: exitFailed,
			wantStep: "backup.running",
		},
		{
			name:       "full disk for logs",
			labFaults:  []string{},
			sessionLog: true,
			prepare:    blockSessionLog("r1"),
			// The steps ran, but the transcript asked for is lost: the
			// device says so in its own status.
			wantStatus: "error", wantMsg: "session log", wantExit: exitFailed,
			wantStderr: "r1.log lost",
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			runFaultRow(t, row)
		})
	}
	// Signal handling lives in main, which the in-process run does not go
	// through: the signal rows run the binary, built once into this
	// test's directory.
	binDir := t.TempDir()
	bin := sync.OnceValues(func() (string, error) {
		p := filepath.Join(binDir, "runbook")
		if out, err := exec.Command("go", "build", "-o", p, ".").CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build: %v\n%s", err, out)
		}
		return p, nil
	})
	t.Run("SIGINT", func(t *testing.T) { runSignalRow(t, bin, os.Interrupt, false) })
	t.Run("SIGTERM", func(t *testing.T) { runSignalRow(t, bin, syscall.SIGTERM, false) })
	// A second Ctrl+C quits at once: no report is promised, but no
	// temporary file (transcripts being written, the lab's known_hosts)
	// may survive.
	t.Run("SIGINT twice", func(t *testing.T) { runSignalRow(t, bin, os.Interrupt, true) })
}

func runFaultRow(t *testing.T, row faultRow) {
	dir := t.TempDir()
	backups := filepath.Join(dir, "backups")
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(backups, 0o700); err != nil {
		t.Fatal(err)
	}
	inventory := matrixLabInventory()
	if row.setup != nil {
		inventory = row.setup(t, dir).inventory
	}
	playbook := filepath.Join(dir, "p.hcl")
	src := inventory + strings.ReplaceAll(matrixSteps, "BACKUP_DIR", filepath.ToSlash(backups))
	if err := os.WriteFile(playbook, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	if row.prepare != nil {
		row.prepare(t, dir)
	}
	jsonPath := filepath.Join(dir, "report.json")
	args := []string{"apply", "--json", jsonPath}
	if row.labFaults != nil {
		args = append(args, "--lab")
		for _, f := range row.labFaults {
			f = strings.ReplaceAll(f, "DROP_SHOW", fmt.Sprint(commandsBeforeShow))
			f = strings.ReplaceAll(f, "DROP_CONFIG", fmt.Sprint(commandsBeforeConfig))
			args = append(args, "--lab-fault", f)
		}
	}
	if row.sessionLog {
		args = append(args, "--session-log", filepath.Join(dir, "logs"))
	}
	args = append(args, row.args...)
	args = append(args, playbook)

	code, stdout, stderr := runBounded(t, args)
	dump := func() string {
		return fmt.Sprintf("args %q\nexit %d\nstdout:\n%s\nstderr:\n%s", args, code, stdout, stderr)
	}
	if code != row.wantExit {
		t.Errorf("exit %d, want %d", code, row.wantExit)
	}
	if row.wantStderr != "" && !strings.Contains(stderr, row.wantStderr) {
		t.Errorf("stderr lacks %q", row.wantStderr)
	}
	rep := readMatrixReport(t, jsonPath)
	if rep == nil {
		t.Fatalf("no whole JSON report\n%s", dump())
	}
	for _, d := range rep.Devices {
		if d.Name == "r1" {
			t.Logf("r1: %s: %s", d.Status, d.messages())
			if d.Status != row.wantStatus {
				t.Errorf("r1: status %s, want %s", d.Status, row.wantStatus)
			}
			if msg := d.messages(); !strings.Contains(msg, row.wantMsg) {
				t.Errorf("r1: messages lack %q: %s", row.wantMsg, msg)
			}
			for _, s := range d.Steps {
				bad := s.Status == "error" || s.Status == "failed"
				if bad != (s.Name == row.wantStep) {
					t.Errorf("r1: step %s is %s; want the fault met in step %q", s.Name, s.Status, row.wantStep)
				}
			}
			continue
		}
		if d.Status != "passed" {
			t.Errorf("healthy device %s: status %s (%s), want passed", d.Name, d.Status, d.messages())
		}
		// Nothing else was lost: the healthy device's backup is on disk.
		if files, _ := filepath.Glob(filepath.Join(backups, d.Name, d.Name+"-*.cfg")); len(files) != 1 {
			t.Errorf("healthy device %s: backups %q, want one", d.Name, files)
		}
		if row.sessionLog {
			if _, err := os.Stat(filepath.Join(dir, "logs", d.Name+".log")); err != nil {
				t.Errorf("healthy device %s: no session log: %v", d.Name, err)
			}
		}
	}
	assertNoTempFiles(t, dir)
	if t.Failed() {
		t.Log(dump())
	}
}

// runBounded runs the CLI in-process under a deadline; hitting it fails
// the test (the run did not come back by itself).
func runBounded(t *testing.T, args []string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), faultRunBound)
	defer cancel()
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		code := run(ctx, args, &out, &errb)
		done <- result{code, out.String(), errb.String()}
	}()
	select {
	case r := <-done:
		if ctx.Err() != nil {
			t.Errorf("the run took the whole %s bound: it returned only because its context ended", faultRunBound)
		}
		return r.code, r.stdout, r.stderr
	case <-time.After(faultRunBound + 15*time.Second):
		t.Fatalf("the run did not return within %s, not even after its context ended", faultRunBound)
		return 0, "", ""
	}
}

// Commands the driver and the playbook send before the show step and
// before the config push, as the lab counts them (drop_after=N drops the
// connection when command N+1 arrives): the session's setup, then the
// backup's show running-config.
const (
	// Three setup commands (enable among them), then the backup's show
	// running-config: the 5th command, show version, is cut mid-output.
	commandsBeforeShow = 4
	// ... show version, the push's show running-config (it compares the
	// lines with the configuration), configure terminal: the connection
	// drops when the first ntp line arrives, in the middle of the push.
	commandsBeforeConfig = 7
)

type matrixReport struct {
	Interrupted bool            `json:"interrupted"`
	Summary     json.RawMessage `json:"summary"`
	Devices     []matrixDevice  `json:"devices"`
}

type matrixDevice struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Message string `json:"message"`
	Steps   []struct {
		Name    string `json:"name"`
		Status  string `json:"status"`
		Message string `json:"message"`
	} `json:"steps"`
}

func (d matrixDevice) messages() string {
	parts := []string{d.Message}
	for _, s := range d.Steps {
		if s.Message != "" {
			parts = append(parts, s.Name+" "+s.Status+": "+s.Message)
		}
	}
	return strings.Join(parts, " | ")
}

// readMatrixReport reads the JSON report and checks it is whole: it
// parses, has a summary and one entry per host, in inventory order, each
// with a status and the playbook's four steps. It returns nil (and says
// why) otherwise.
func readMatrixReport(t *testing.T, path string) *matrixReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("JSON report: %v", err)
		return nil
	}
	var rep matrixReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Errorf("JSON report does not parse: %v", err)
		return nil
	}
	if len(rep.Summary) == 0 || string(rep.Summary) == "null" {
		t.Errorf("JSON report has no summary")
		return nil
	}
	if len(rep.Devices) != len(matrixHosts) {
		t.Errorf("JSON report has %d devices, want %d", len(rep.Devices), len(matrixHosts))
		return nil
	}
	for i, d := range rep.Devices {
		if d.Name != matrixHosts[i] || d.Status == "" || len(d.Steps) != 4 {
			t.Errorf("JSON report: device %d is %q, status %q, %d steps; want %s with a status and 4 steps", i, d.Name, d.Status, len(d.Steps), matrixHosts[i])
			return nil
		}
	}
	return &rep
}

// assertNoTempFiles fails when a temporary file (a report, transcript or
// backup written under a temporary name) survived under dir.
func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return nil
	})
}

// matrixLabInventory is the inventory --lab stands a fleet in for.
func matrixLabInventory() string {
	var b strings.Builder
	b.WriteString("inventory {\n  defaults {" + matrixInventoryDefaults + "  }\n")
	for _, h := range matrixHosts {
		fmt.Fprintf(&b, "  host %q {\n    address = \"127.0.0.1\"\n  }\n", h)
	}
	b.WriteString("}\n")
	return b.String()
}

// ownInventory is an inventory for devices the test started: lab
// credentials in plain text (allowed for a lab), strict host key checking
// against knownHosts.
func ownInventory(knownHosts string, hosts []invHost) string {
	var b strings.Builder
	b.WriteString("settings {\n  allow_plaintext_secrets = true\n}\n\n")
	b.WriteString("inventory {\n  defaults {" + matrixInventoryDefaults)
	fmt.Fprintf(&b, "    username = %q\n    password = %q\n    secret = %q\n", "admin", matrixPass, matrixSecret)
	fmt.Fprintf(&b, "    host_key_check = \"strict\"\n    known_hosts_file = %q\n  }\n", filepath.ToSlash(knownHosts))
	for _, h := range hosts {
		fmt.Fprintf(&b, "  host %q {\n    address = \"127.0.0.1\"\n    port = %d\n", h.name, h.port)
		if h.secret != "" {
			fmt.Fprintf(&b, "    secret = %q\n", h.secret)
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
	return b.String()
}

const (
	matrixPass   = "fault-matrix-password"
	matrixSecret = "fault-matrix-enable"
)

// labFleet starts r1..r3 as lab devices. secrets gives a host an enable
// secret in the inventory other than the device's; wrongKey gives a host
// a known_hosts entry with a key that is not the device's.
func labFleet(secrets map[string]string, wrongKey map[string]bool) func(*testing.T, string) fleetEnv {
	return func(t *testing.T, dir string) fleetEnv {
		return startMatrixFleet(t, dir, matrixHosts, secrets, wrongKey, nil)
	}
}

// startMatrixFleet starts lab devices for the names given, writes their
// known_hosts (with a wrong key for the hosts in wrongKey) and returns the
// inventory, with extra hosts (not lab devices) appended first.
func startMatrixFleet(t *testing.T, dir string, names []string, secrets map[string]string, wrongKey map[string]bool, extra []invHost) fleetEnv {
	t.Helper()
	spec := lab.FleetSpec{Seed: "fault matrix"}
	for _, n := range names {
		spec.Devices = append(spec.Devices, lab.DeviceSpec{
			Name: n, Platform: lab.CiscoIOS, Username: "admin", Password: matrixPass, Secret: matrixSecret,
		})
	}
	fleet, err := lab.StartFleet(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fleet.Close() })
	var kh strings.Builder
	hosts := append([]invHost(nil), extra...)
	for _, n := range names {
		d := fleet.Device(n)
		key := d.HostKey()
		if wrongKey[n] {
			_, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			signer, err := ssh.NewSignerFromKey(priv)
			if err != nil {
				t.Fatal(err)
			}
			key = signer.PublicKey()
		}
		kh.WriteString(knownhosts.Line([]string{knownhosts.Normalize(d.Addr())}, key) + "\n")
		hosts = append(hosts, invHost{name: n, port: d.Port(), secret: secrets[n]})
	}
	khPath := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(khPath, []byte(kh.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	// Inventory order r1, r2, r3 whatever came from where.
	ordered := make([]invHost, 0, len(hosts))
	for _, n := range matrixHosts {
		for _, h := range hosts {
			if h.name == n {
				ordered = append(ordered, h)
			}
		}
	}
	return fleetEnv{inventory: ownInventory(khPath, ordered)}
}

// silentListenerFleet points r1 at a TCP listener that accepts and never
// says a word (a hung SSH daemon, a tarpit); r2 and r3 are lab devices.
func silentListenerFleet(t *testing.T, dir string) fleetEnv {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	port := ln.Addr().(*net.TCPAddr).Port
	return startMatrixFleet(t, dir, []string{"r2", "r3"}, nil, nil, []invHost{{name: "r1", port: port}})
}

// blockBackupDir makes the host's backup directory impossible to create,
// even for root: a regular file sits where the directory should be
// (mkdir fails with ENOTDIR/EEXIST), as a full or read-only disk would
// fail the write.
func blockBackupDir(host string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		if err := os.WriteFile(filepath.Join(dir, "backups", host), []byte("not a directory\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// blockSessionLog makes the host's transcript impossible to put in place,
// even for root: a non-empty directory sits where the file should be, so
// the final rename fails after the device ran (as a disk that fills up
// mid-run loses the transcript).
func blockSessionLog(host string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		p := filepath.Join(dir, "logs", host+".log")
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "keep"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// runSignalRow starts a slow run of the binary, sends sig once the first
// step line is out, and checks the run ends with 130, the report written
// with no device passed, and no temporary file left.
func runSignalRow(t *testing.T, build func() (string, error), sig os.Signal, twice bool) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := build()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	backups := filepath.Join(dir, "backups")
	tmp := filepath.Join(dir, "tmp")
	for _, d := range []string{backups, tmp} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	playbook := filepath.Join(dir, "p.hcl")
	src := matrixLabInventory() + strings.ReplaceAll(matrixSteps, "BACKUP_DIR", filepath.ToSlash(backups))
	if err := os.WriteFile(playbook, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(dir, "report.json")
	ctx, cancel := context.WithTimeout(context.Background(), faultRunBound)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "apply", "--lab", "--lab-fault", "*:latency=300ms",
		"--json", jsonPath, "--session-log", filepath.Join(dir, "logs"), playbook)
	// The lab's own temporary directory (its known_hosts) goes here, so
	// that what it leaves behind is seen.
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	var stderr lockedBytes
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	signalled := false
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		f := strings.Fields(line)
		if !signalled && len(f) >= 3 && strings.Contains(f[1], ".") {
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if twice {
				// Wait until the first signal is seen, then quit at once.
				for !strings.Contains(stderrSoFar(&stderr), "interrupt:") && ctx.Err() == nil {
					time.Sleep(10 * time.Millisecond)
				}
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
			}
			signalled = true
		}
	}
	err = cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("the run did not end within %s of the signal (killed)\nstdout:\n%s\nstderr:\n%s", faultRunBound, out.String(), stderr.String())
	}
	if !signalled {
		t.Fatalf("no step line came before the run ended (%v)\nstdout:\n%s\nstderr:\n%s", err, out.String(), stderr.String())
	}
	var ee *exec.ExitError
	if code := 0; !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		if ee != nil {
			code = ee.ExitCode()
		}
		t.Errorf("exit %d (%v), want %d", code, err, exitInterrupted)
	}
	var rep *matrixReport
	if !twice {
		rep = readMatrixReport(t, jsonPath)
	}
	if rep != nil {
		if !rep.Interrupted {
			t.Errorf("JSON report not marked interrupted")
		}
		for _, d := range rep.Devices {
			if d.Status == "passed" {
				t.Errorf("device %s interrupted mid-run but reported passed", d.Name)
			}
			if d.Status != "error" && d.Status != "skipped" {
				t.Errorf("device %s: status %s, want error or skipped (interrupted)", d.Name, d.Status)
			}
			if !strings.Contains(d.messages(), "interrupted") {
				t.Errorf("device %s: messages do not say the run was interrupted: %s", d.Name, d.messages())
			}
		}
	}
	assertNoTempFiles(t, dir)
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		t.Errorf("temporary files left in TMPDIR: %v", entries)
	}
	if t.Failed() {
		b, _ := os.ReadFile(jsonPath)
		t.Logf("stdout:\n%s\nstderr:\n%s\nreport:\n%s", out.String(), stderr.String(), b)
	}
}

// lockedBytes is a buffer the child's stderr is copied into while the
// test reads it.
type lockedBytes struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBytes) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBytes) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func stderrSoFar(l *lockedBytes) string { return l.String() }
