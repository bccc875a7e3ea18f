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
	"github.com/runbook-dev/runbook/tasks"
)

// newOpener makes the sessions of a run; tests replace it with one that
// refuses anything but loopback.
var newOpener = engine.DriverOpener

type applyFlags struct {
	load           loadFlags
	limits         []string
	shard          shardFlags
	forks          int
	connectLimit   int
	connectRetries int
	failFast       bool
	jsonPath       string
	junitPath      string
	noOutput       bool
	reportOutput   string
	sessionLog     string
	useLab         bool
	labFaults      []string
	quiet          bool
	verbose        int
	logLevel       string
	diff           bool // print each config step's diff (Ansible's --diff)
	// check only: exit 2 when changes are pending (Terraform's plan
	// -detailed-exitcode).
	detailedExitcode bool
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
		cmd.Long = "check changes nothing: it runs send_command, parse and assert steps, reads the\n" +
			"configuration for backup steps without writing (or rotating) any backup, compares\n" +
			"config steps with each device's configuration, and lists what apply would change.\n" +
			"The only files it writes are the reports asked for (--json, --junit, --session-log).\n" +
			"Exit codes: 0 no device failed, 1 a step failed or a device was unreachable, 2 invalid\n" +
			"playbook or usage, 130 interrupted. With --detailed-exitcode: 0 every device in sync,\n" +
			"2 changes pending, 1 errors."
		cmd.Flags().BoolVar(&f.detailedExitcode, "detailed-exitcode", false, "exit 0 when every device is in sync, 2 when changes are pending, 1 on errors")
	}
	f.load.register(cmd)
	f.shard.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&f.limits, "limit", nil, "only these hosts: names, globs, group:NAME, tag:NAME, all, @REPORT.json (the devices that did not pass in that report); !PATTERN excludes, &PATTERN intersects (comma-separated or repeated)")
	fl.IntVar(&f.forks, "forks", 10, "devices to run at once (0 or 1: one at a time)")
	fl.IntVar(&f.connectLimit, "connect-limit", 20, "simultaneous logins, each until the device has authenticated runbook (protects AAA servers from bursts)")
	fl.IntVar(&f.connectRetries, "connect-retries", 2, "log in again, after 1s then 2s (and so on, plus up to half again at random), when a device refused or dropped the connection before its session was ready; never after rejected credentials, a host key problem or a timeout (0: never)")
	fl.BoolVar(&f.failFast, "fail-fast", false, "start no new device after the first one fails")
	fl.StringVar(&f.jsonPath, "json", "", "write a JSON report to this file")
	fl.StringVar(&f.junitPath, "junit", "", "write a JUnit XML report to this file")
	fl.BoolVar(&f.noOutput, "no-output", false, "leave device output out of the JSON report")
	fl.StringVar(&f.reportOutput, "report-output", "commands", "device output in the JSON report: commands (all but configuration bodies, which hold password hashes), all (also the backups' running-configs), none")
	fl.StringVar(&f.sessionLog, "session-log", "", "write a redacted transcript per device into this directory")
	fl.BoolVar(&f.useLab, "lab", false, "run against a simulated copy of the inventory on 127.0.0.1 (lab credentials replace the inventory's)")
	fl.StringArrayVar(&f.labFaults, "lab-fault", nil, "with --lab: inject faults, HOSTS:FAULTS, e.g. 'sw2:hang=^show clock' or 'core*:latency=50ms,drop_after=5' (see docs/lab.md)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only the recap: failures and the summary")
	fl.CountVarP(&f.verbose, "verbose", "v", "-v prints each step's output under its line; -vv also the commands sent and the prompts matched (secrets redacted)")
	fl.BoolVar(&f.diff, "diff", false, "print under each config step its diff of the running configuration (check: the predicted one), secrets redacted")
	fl.StringVar(&f.logLevel, "log-level", "", "log to stderr at this level: debug, info, warn or error, as text or json:LEVEL for JSON lines (default $RUNBOOK_LOG, else warn)")
	return cmd
}

// newLogger builds the run's logger from --log-level, else RUNBOOK_LOG:
// "LEVEL", "FORMAT:LEVEL" or "FORMAT" with FORMAT text or json, e.g.
// debug, json:debug. The default is warnings as text on stderr.
func newLogger(w io.Writer, flagValue string) (*slog.Logger, error) {
	spec, from := flagValue, "--log-level"
	if spec == "" {
		spec, from = os.Getenv("RUNBOOK_LOG"), "RUNBOOK_LOG"
	}
	format, level := "text", slog.LevelWarn
	for _, part := range strings.Split(strings.ToLower(strings.TrimSpace(spec)), ":") {
		switch part {
		case "":
		case "text", "json":
			format = part
		case "debug":
			level = slog.LevelDebug
		case "info":
			level = slog.LevelInfo
		case "warn", "warning":
			level = slog.LevelWarn
		case "error":
			level = slog.LevelError
		default:
			return nil, fmt.Errorf("%s %q: want a level (debug, info, warn, error), optionally after text: or json:, e.g. json:debug", from, spec)
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

func runApply(ctx context.Context, stdout, stderr io.Writer, args []string, f applyFlags, check bool) error {
	if err := f.shard.parse(); err != nil {
		return exitWith(exitInvalid, err)
	}
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
	selected := hosts
	hosts, shardInfo, err := f.shard.selectShard(stderr, plan.Playbook, selected)
	if err != nil {
		return exitWith(exitInvalid, err)
	}
	if f.forks < 0 {
		return exitWith(exitInvalid, fmt.Errorf("--forks must be 0 or more"))
	}
	if f.connectRetries < 0 {
		return exitWith(exitInvalid, fmt.Errorf("--connect-retries must be 0 or more"))
	}
	if f.quiet && f.verbose > 0 {
		return exitWith(exitInvalid, fmt.Errorf("--quiet and -v contradict each other"))
	}
	logger, err := newLogger(stderr, f.logLevel)
	if err != nil {
		return exitWith(exitInvalid, err)
	}
	jsonOpts := report.JSONOptions{NoOutput: f.noOutput, Shard: shardInfo}
	switch f.reportOutput {
	case "commands":
	case "all":
		jsonOpts.ConfigBodies = true
	case "none":
		jsonOpts.NoOutput = true
	default:
		return exitWith(exitInvalid, fmt.Errorf("--report-output %q: want commands, all or none", f.reportOutput))
	}
	// A report that cannot be written is found before anything connects,
	// not after the change is made.
	for _, r := range []struct{ flag, path string }{{"--json", f.jsonPath}, {"--junit", f.junitPath}} {
		if r.path == "" {
			continue
		}
		if err := report.CheckWritable(r.path); err != nil {
			return exitWith(exitInvalid, fmt.Errorf("%s: cannot write %s: %w", r.flag, r.path, err))
		}
	}

	if f.useLab {
		faults, err := shardLabFaults(selected, hosts, f.labFaults)
		if err != nil {
			return exitWith(exitInvalid, fmt.Errorf("--lab: %w", err))
		}
		lr, err := startLab(ctx, hosts, faults)
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

	console := report.NewConsole(stdout, report.ConsoleOptions{TTY: isTTY(stdout), Quiet: f.quiet, Verbose: f.verbose, Diff: f.diff})
	sinks := []engine.Sink{console}
	if f.jsonPath != "" {
		sinks = append(sinks, report.NewJSON(f.jsonPath, jsonOpts))
	}
	if f.junitPath != "" {
		sinks = append(sinks, report.NewJUnit(f.junitPath))
	}
	sink := report.Multi(sinks...)
	opts := engine.Options{
		Forks:          f.forks,
		ConnectLimit:   f.connectLimit,
		ConnectRetries: connectRetries(f.connectRetries),
		FailFast:       f.failFast,
		Check:          check,
		Open:           newOpener(logger),
		Sink:           sink,
		Logger:         logger,
		// The report holds the configurations only when asked to write them.
		KeepConfigBodies: jsonOpts.ConfigBodies,
	}
	if tr, ok := console.(engine.StepTracer); ok && f.verbose >= 2 {
		opts.Tracer = tr
	}
	var logs *report.SessionLogs
	if f.sessionLog != "" {
		if err := os.MkdirAll(f.sessionLog, 0o700); err != nil {
			return exitWith(exitInvalid, fmt.Errorf("--session-log: %w", err))
		}
		byName := make(map[string]*hcl.Host, len(hosts))
		for _, h := range hosts {
			byName[h.Name] = h
		}
		// The driver masks the credentials it sends; sensitive variables
		// are the playbook's to redact.
		logs = report.NewSessionLogs(f.sessionLog, report.WithRedactor(func(device string) *hcl.Redactor {
			return plan.Playbook.HostRedactor(byName[device])
		}))
		opts.SessionLog = logs.Open
	}
	// Until the reports are written, also after an interrupt.
	stopGoverning, _ := governMemory(os.Getenv)
	defer stopGoverning()
	rep := plan.Run(ctx, hosts, opts)
	waitSessionsClosed()
	lost := false
	if err := sink.Close(); err != nil {
		fmt.Fprintf(stderr, "runbook: writing reports: %v\n", err)
		lost = true
	}
	if logs != nil {
		for _, err := range logs.Failures() {
			fmt.Fprintf(stderr, "runbook: %v\n", err)
			lost = true
		}
	}
	if lost && !rep.Interrupted {
		return exitWith(exitFailed, nil)
	}
	pending := false
	if check {
		pending = writeWouldChange(stdout, rep, readOnly(plan.Playbook), hasBackup(plan.Playbook))
	}
	if code := runExitCode(rep, pending, f.detailedExitcode); code != exitOK {
		return exitWith(code, nil)
	}
	return nil
}

// exitChanges is check --detailed-exitcode's "changes pending".
const exitChanges = 2

// readOnly says whether no step of the playbook changes a device.
func readOnly(p *hcl.Playbook) bool {
	for _, s := range p.Steps {
		if tasks.StepChanges(s.Kind) {
			return false
		}
	}
	return true
}

func hasBackup(p *hcl.Playbook) bool {
	for _, s := range p.Steps {
		if s.Kind == "backup" {
			return true
		}
	}
	return false
}

func allPassed(rep *engine.Report) bool {
	for _, d := range rep.Devices {
		if d.Status != engine.DevicePassed {
			return false
		}
	}
	return true
}

// writeWouldChange ends a check run with what apply would do: for a
// read-only playbook, that it changes nothing; otherwise, per device, the
// lines a config step would send that the device lacks (it compared them
// with the configuration) and the other changing steps that would run,
// then how many devices are in sync. It reports whether any change is
// pending.
func writeWouldChange(w io.Writer, rep *engine.Report, readOnly, backups bool) bool {
	inSync, changing, unchecked := 0, 0, 0
	var b strings.Builder
	for _, d := range rep.Devices {
		var steps []*engine.StepResult
		for _, s := range d.Steps {
			if len(s.WouldChange) > 0 {
				steps = append(steps, s)
			}
		}
		switch {
		case len(steps) > 0:
			changing++
		case d.Status == engine.DevicePassed:
			inSync++
			continue
		default:
			unchecked++
			continue
		}
		fmt.Fprintf(&b, "  %s\n", d.Name)
		for _, s := range steps {
			fmt.Fprintf(&b, "    %s\n", s.Address)
			for _, l := range s.WouldChange {
				fmt.Fprintf(&b, "      + %s\n", l)
			}
		}
	}
	fmt.Fprintln(w)
	if readOnly {
		line := "Read-only playbook: it changes no device, so apply would change nothing"
		if backups {
			line += " (apply writes the backups; check wrote none)"
		}
		fmt.Fprintln(w, line+".")
		return false
	}
	if changing == 0 {
		if unchecked == 0 {
			fmt.Fprintf(w, "No changes: %s in sync with the playbook.\n", countNoun(inSync, "device is", "devices are"))
		} else {
			fmt.Fprintf(w, "No changes found on the %s checked; %s could not be checked.\n",
				countNoun(inSync, "device", "devices"), countNoun(unchecked, "device", "devices"))
		}
		return false
	}
	fmt.Fprintln(w, "Apply would change:")
	fmt.Fprint(w, b.String())
	summary := countNoun(changing, "device", "devices") + " to change, " + fmt.Sprintf("%d in sync", inSync)
	if unchecked > 0 {
		summary += fmt.Sprintf(", %d could not be checked", unchecked)
	}
	fmt.Fprintln(w, summary+".")
	return true
}

// countNoun is "1 device" or "3 devices".
func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
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

// connectRetries maps --connect-retries to engine.Options, where 0 means
// the default: the flag's 0 means none.
func connectRetries(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
