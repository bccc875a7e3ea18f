package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/lab"
)

// shardChildEnv makes the test binary a runbook process: its value is the
// JSON list of arguments. The end-to-end test runs its shards this way,
// as separate processes with an environment each (JOB_COMPLETION_INDEX).
const shardChildEnv = "RUNBOOK_TEST_RUNBOOK_ARGS"

func init() {
	spec := os.Getenv(shardChildEnv)
	if spec == "" {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(spec), &args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(99)
	}
	// The same guard as the tests': 127.0.0.1 only.
	newOpener = func(logger *slog.Logger) engine.Opener {
		open := engine.DriverOpener(logger)
		return func(ctx context.Context, h *hcl.Host, w io.Writer) (engine.Session, error) {
			if h.Address != "127.0.0.1" {
				return nil, fmt.Errorf("test guard: refusing to connect to %s: tests talk only to 127.0.0.1", h.Address)
			}
			return open(ctx, h, w)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// startShardFleet starts a lab fleet of n devices (IOS, EOS and NX-OS in
// turn, named r1..rN) with faults on three of them, and writes its
// inventory and known_hosts into dir. Credentials come from the
// environment, as on a real fleet.
func startShardFleet(t *testing.T, dir string, n int) string {
	t.Helper()
	plats := []string{lab.CiscoIOS, lab.AristaEOS, lab.CiscoNXOS}
	spec := lab.FleetSpec{Seed: "shard e2e"}
	for i := 1; i <= n; i++ {
		ds := lab.DeviceSpec{Name: fmt.Sprintf("r%d", i), Platform: plats[i%len(plats)]}
		switch i {
		case 3:
			ds.Faults = &lab.Faults{RejectConfig: "^ntp"} // failed
		case 7:
			ds.Faults = &lab.Faults{AuthFail: true} // auth_failed
		case 11:
			ds.Faults = &lab.Faults{Refuse: true} // unreachable
		}
		spec.Devices = append(spec.Devices, ds)
	}
	fleet, err := lab.StartFleet(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fleet.Close() })
	var inv, kh bytes.Buffer
	if err := lab.WriteKnownHosts(&kh, fleet); err != nil {
		t.Fatal(err)
	}
	if err := lab.WriteInventory(&inv, fleet, lab.InventoryOptions{KnownHostsFile: "known_hosts"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "known_hosts"), kh.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "inventory.hcl")
	if err := os.WriteFile(path, inv.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The "done when": N shard processes at once against one lab
// fleet, their reports merged, give the devices, statuses (of devices
// and of steps) and exit code of one unsharded run.
func TestShardProcessesMergeToTheUnshardedRun(t *testing.T) {
	const devices, shards = 24, 3
	t.Setenv("RUNBOOK_PASSWORD", "admin")
	t.Setenv("RUNBOOK_SECRET", "admin")

	// The shards, each a process of its own with its completion index,
	// as the pods of an Indexed Job, against one fleet.
	shardFleet := startShardFleet(t, t.TempDir(), devices)
	shardPlay := playbook(t, "ntp.hcl")
	reports := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	codes := make([]int, shards)
	outs := make([]string, shards)
	var wg sync.WaitGroup
	for i := range shards {
		args, _ := json.Marshal([]string{"apply", "--quiet", "--forks", "4", "--shard", fmt.Sprintf("auto/%d", shards),
			"--json", filepath.Join(reports, fmt.Sprintf("index-%d.json", i)), "-i", shardFleet, shardPlay})
		// Bounded: a shard that hangs fails the test instead of hanging it.
		cmd := exec.CommandContext(ctx, os.Args[0])
		cmd.Env = append(os.Environ(), shardChildEnv+"="+string(args), fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i))
		wg.Go(func() {
			out, err := cmd.CombinedOutput()
			outs[i] = string(out)
			var ee *exec.ExitError
			switch {
			case err == nil:
			case errors.As(err, &ee):
				codes[i] = ee.ExitCode()
			default:
				codes[i] = -1
				outs[i] += err.Error()
			}
		})
	}
	wg.Wait()
	for i, code := range codes {
		if code != exitOK && code != exitFailed {
			t.Fatalf("shard %d/%d: exit %d\n%s", i+1, shards, code, outs[i])
		}
		if !strings.Contains(outs[i], fmt.Sprintf("shard %d/%d: ", i+1, shards)) {
			t.Errorf("shard %d/%d does not say which shard it is:\n%s", i+1, shards, outs[i])
		}
	}

	// The unsharded run, on a fleet of its own in the same state.
	wholeFleet := startShardFleet(t, t.TempDir(), devices)
	whole := filepath.Join(t.TempDir(), "whole.json")
	wantCode, out, errOut := runCLI(t, "apply", "--quiet", "--forks", "4", "--json", whole, "-i", wholeFleet, playbook(t, "ntp.hcl"))
	if wantCode != exitFailed {
		t.Fatalf("unsharded: exit %d, want %d (three devices fail)\n%s%s", wantCode, exitFailed, out, errOut)
	}

	merged := filepath.Join(t.TempDir(), "merged.json")
	junit := filepath.Join(t.TempDir(), "merged.xml")
	code, out, errOut := runCLI(t, "report", "merge", "--json", merged, "--junit", junit, reports)
	if code != wantCode {
		t.Errorf("merge: exit %d, the unsharded run %d\n%s%s", code, wantCode, out, errOut)
	}
	got, want := readShardReport(t, merged), readShardReport(t, whole)
	if diff := cmp.Diff(want.outcome(), got.outcome()); diff != "" {
		t.Errorf("merged devices (-unsharded +merged):\n%s", diff)
	}
	statuses := map[string]string{}
	for _, d := range got.Devices {
		statuses[d.Name] = d.Status
	}
	if statuses["r3"] != "failed" || statuses["r7"] != "auth_failed" || statuses["r11"] != "unreachable" || statuses["r1"] != "passed" || len(statuses) != devices {
		t.Errorf("merged statuses: %v", statuses)
	}
	if len(got.Shards) != shards {
		t.Errorf("merged from %d shards, want %d", len(got.Shards), shards)
	}
	for _, want := range []string{"3 shards of ", shardPlay, " (apply) merged:\n  shard 1/3  ", "\nRECAP\n", "\nFAILURES\n", "24 devices: 21 passed, 1 failed, 1 unreachable, 1 auth_failed in "} {
		if !strings.Contains(out, want) {
			t.Errorf("merge output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(junit); err != nil {
		t.Errorf("merged JUnit: %v", err)
	}
}
