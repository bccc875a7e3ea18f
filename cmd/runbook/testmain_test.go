package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
)

// The test binary doubles as a lab server process (RUNBOOK_TEST_LAB_ARGS),
// so that benchmarks measure runbook's own CPU and memory apart from the
// simulator's.
func TestMain(m *testing.M) {
	if args := os.Getenv("RUNBOOK_TEST_LAB_ARGS"); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		// RUNBOOK_TEST_LAB_CPUPROFILE=FILE profiles the simulator's CPU.
		if p := os.Getenv("RUNBOOK_TEST_LAB_CPUPROFILE"); p != "" {
			if f, err := os.Create(p); err == nil {
				_ = pprof.StartCPUProfile(f)
				defer f.Close()
			}
		}
		code := run(ctx, append([]string{"lab", "serve"}, strings.Fields(args)...), os.Stdout, os.Stderr)
		stop()
		pprof.StopCPUProfile()
		os.Exit(code)
	}
	// Tests talk only to 127.0.0.1: a bug that let a run reach the
	// playbooks' example addresses fails the test instead.
	newOpener = func(logger *slog.Logger) engine.Opener {
		open := engine.DriverOpener(logger)
		return func(ctx context.Context, h *hcl.Host, w io.Writer) (engine.Session, error) {
			if h.Address != "127.0.0.1" {
				return nil, fmt.Errorf("test guard: refusing to connect to %s: tests talk only to 127.0.0.1", h.Address)
			}
			return open(ctx, h, w)
		}
	}
	// Tests never write into the source tree: runs that write next to the
	// playbook (backups) use a copy of playbooks/ (copyPlaybooks).
	before, err := treeListing("../../playbooks")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if after, err := treeListing("../../playbooks"); err != nil || after != before {
		fmt.Fprintf(os.Stderr, "the tests wrote into the source tree's playbooks/ (%v):\nbefore:\n%s\nafter:\n%s", err, before, after)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// treeListing lists every path under dir with its size and modification
// time, one a line.
func treeListing(dir string) (string, error) {
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %s\n", p, info.Size(), info.ModTime().Format(time.RFC3339Nano))
		return nil
	})
	return b.String(), err
}
