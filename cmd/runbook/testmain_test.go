package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
)

// The test binary doubles as a lab server process (RUNBOOK_TEST_LAB_ARGS),
// so that benchmarks measure runbook's own CPU and memory apart from the
// simulator's.
func TestMain(m *testing.M) {
	if args := os.Getenv("RUNBOOK_TEST_LAB_ARGS"); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, append([]string{"lab", "serve"}, strings.Fields(args)...), os.Stdout, os.Stderr)
		stop()
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
	os.Exit(m.Run())
}
