package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/report"
	"github.com/runbook-dev/runbook/hcl"
)

// newOpener makes the sessions of a run; tests replace it with one that
// refuses anything but loopback.
var newOpener = engine.DriverOpener

type applyFlags struct {
	load         loadFlags
	limits       []string
	forks        int
	connectLimit int
	failFast     bool
	jsonPath     string
	junitPath    string
	noOutput     bool
	sessionLog   string
	useLab       bool
	labFaults    []string
	quiet        bool
}

// newApplyCmd builds `apply`, or `check` when check is set: the same run
// limited to steps that do not change devices.
func newApplyCmd(check bool) *cobra.Command {
	var f applyFlags
	cmd := &cobra.Command{
		Use:   "apply PLAYBOOK...",
		Short: "Run a playbook against its inventory",
		Long: "apply connects to every selected device (--forks at a time), runs the steps in\n" +
			"dependency order on one session per device, and reports pass/fail per device and step.\n" +
			"Exit codes: 0 every device passed, 1 a step failed or a device was unreachable,\n" +
			"2 invalid playbook or usage, 130 interrupted.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runApply(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args, f, check)
		},
	}
	if check {
		cmd.Use = "check PLAYBOOK..."
		cmd.Short = "Run only the steps that do not change devices, and list what apply would change"
		cmd.Long = "check runs send_command, parse, assert and backup steps, skips every step that\n" +
			"would change a device and lists those. Exit codes as for apply."
	}
	f.load.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&f.limits, "limit", nil, "only these hosts: names, globs, group:NAME, tag:NAME (comma-separated or repeated)")
	fl.IntVar(&f.forks, "forks", 10, "devices to run at once (0 or 1: one at a time)")
	fl.IntVar(&f.connectLimit, "connect-limit", 20, "simultaneous connection attempts (protects AAA servers from bursts)")
	fl.BoolVar(&f.failFast, "fail-fast", false, "start no new device after the first one fails")
	fl.StringVar(&f.jsonPath, "json", "", "write a JSON report to this file")
	fl.StringVar(&f.junitPath, "junit", "", "write a JUnit XML report to this file")
	fl.BoolVar(&f.noOutput, "no-output", false, "leave device output out of the JSON report")
	fl.StringVar(&f.sessionLog, "session-log", "", "write a redacted transcript per device into this directory")
	fl.BoolVar(&f.useLab, "lab", false, "run against a simulated copy of the inventory on 127.0.0.1 (lab credentials replace the inventory's)")
	fl.StringArrayVar(&f.labFaults, "lab-fault", nil, "with --lab: inject faults, HOSTS:FAULTS, e.g. 'sw2:hang=^show clock' or 'core*:latency=50ms,drop_after=5' (see docs/lab.md)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only the recap")
	return cmd
}

func runApply(ctx context.Context, stdout, stderr io.Writer, args []string, f applyFlags, check bool) error {
	plan, err := f.load.load(stderr, args)
	if err != nil {
		return err
	}
	hosts, err := engine.SelectHosts(plan.Playbook.Inventory, f.limits)
	if err != nil {
		return exitWith(exitInvalid, err)
	}
	if len(hosts) == 0 {
		return exitWith(exitInvalid, fmt.Errorf("the inventory has no hosts"))
	}
	if f.forks < 0 {
		return exitWith(exitInvalid, fmt.Errorf("--forks must be 0 or more"))
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	if f.useLab {
		lr, err := startLab(ctx, hosts, f.labFaults)
		if err != nil {
			return exitWith(exitInvalid, fmt.Errorf("--lab: %w", err))
		}
		defer lr.Close()
		hosts = lr.hosts
		fmt.Fprintf(stderr, "lab: %d simulated devices on 127.0.0.1 stand in for the inventory\n", len(hosts))
	} else {
		if len(f.labFaults) > 0 {
			return exitWith(exitInvalid, fmt.Errorf("--lab-fault needs --lab"))
		}
		if err := checkCredentials(hosts); err != nil {
			return exitWith(exitInvalid, err)
		}
	}

	sinks := []engine.Sink{report.NewConsole(stdout, report.ConsoleOptions{TTY: isTTY(stdout), Quiet: f.quiet})}
	if f.jsonPath != "" {
		sinks = append(sinks, report.NewJSON(f.jsonPath, report.JSONOptions{NoOutput: f.noOutput}))
	}
	if f.junitPath != "" {
		sinks = append(sinks, report.NewJUnit(f.junitPath))
	}
	sink := report.Multi(sinks...)
	opts := engine.Options{
		Forks:        f.forks,
		ConnectLimit: f.connectLimit,
		FailFast:     f.failFast,
		Check:        check,
		Open:         newOpener(logger),
		Sink:         sink,
	}
	if f.sessionLog != "" {
		if err := os.MkdirAll(f.sessionLog, 0o755); err != nil {
			return exitWith(exitInvalid, fmt.Errorf("--session-log: %w", err))
		}
		logs := report.NewSessionLogs(f.sessionLog)
		opts.SessionLog = logs.Open
	}
	rep := plan.Run(ctx, hosts, opts)
	if err := sink.Close(); err != nil {
		fmt.Fprintf(stderr, "runbook: writing reports: %v\n", err)
		return exitWith(exitFailed, nil)
	}
	if check {
		writeWouldChange(stdout, rep)
	}
	switch {
	case rep.Interrupted:
		return exitWith(exitInterrupted, nil)
	case !allPassed(rep):
		return exitWith(exitFailed, nil)
	}
	return nil
}

func allPassed(rep *engine.Report) bool {
	for _, d := range rep.Devices {
		if d.Status != engine.DevicePassed {
			return false
		}
	}
	return true
}

// writeWouldChange lists, after a check run, per device, what apply
// would change: the lines a config step would send that the device lacks
// (it compared them with the configuration), and the other changing steps
// that would run.
func writeWouldChange(w io.Writer, rep *engine.Report) {
	fmt.Fprintln(w, "\nApply would change:")
	inSync := 0
	for _, d := range rep.Devices {
		var steps []*engine.StepResult
		for _, s := range d.Steps {
			if len(s.WouldChange) > 0 {
				steps = append(steps, s)
			}
		}
		if len(steps) == 0 {
			if d.Status == engine.DevicePassed {
				inSync++
			}
			continue
		}
		fmt.Fprintf(w, "  %s\n", d.Name)
		for _, s := range steps {
			fmt.Fprintf(w, "    %s\n", s.Address)
			for _, l := range s.WouldChange {
				fmt.Fprintf(w, "      + %s\n", l)
			}
		}
	}
	fmt.Fprintf(w, "  %d devices need no change\n", inSync)
}

func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// checkCredentials refuses a run whose credentials read environment
// variables that are not set: better one clear error before connecting
// than a fleet of authentication failures (and locked accounts).
func checkCredentials(hosts []*hcl.Host) error {
	missing := map[string][]string{}
	var order []string
	for _, h := range hosts {
		for _, v := range h.MissingEnv {
			if _, ok := missing[v]; !ok {
				order = append(order, v)
			}
			missing[v] = append(missing[v], h.Name)
		}
	}
	if len(order) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("credentials come from environment variables that are not set:")
	for _, v := range order {
		fmt.Fprintf(&b, "\n  %s (used by %s)", v, summariseNames(missing[v]))
	}
	b.WriteString("\nset them (export RUNBOOK_PASSWORD=...), or rehearse with --lab, which needs none")
	return errors.New(b.String())
}

func summariseNames(names []string) string {
	if len(names) <= 3 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:3], ", "), len(names)-3)
}
