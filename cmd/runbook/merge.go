package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/report"
	"github.com/runbook-dev/runbook/tasks"
)

// runExitCode is the exit code a run's report gives, the same for apply,
// check and a merge of a sharded run's reports: 130 interrupted, 1 a
// device did not pass, 2 changes pending (check --detailed-exitcode),
// else 0.
func runExitCode(rep *engine.Report, pending, detailedExitcode bool) int {
	switch {
	case rep.Interrupted:
		return exitInterrupted
	case !allPassed(rep):
		return exitFailed
	case pending && detailedExitcode:
		return exitChanges
	}
	return exitOK
}

type mergeFlags struct {
	jsonPath         string
	junitPath        string
	detailedExitcode bool
}

func newReportCmd() *cobra.Command {
	reportCmd := &cobra.Command{
		Use:   "report",
		Short: "Work with the JSON reports of runs",
	}
	var f mergeFlags
	merge := &cobra.Command{
		Use:   "merge REPORT.json|DIR...",
		Short: "Merge the JSON reports of the shards of one run (--shard K/N) into one report, one recap and one exit code",
		Long: "merge reads the --json reports of the N shards of one sharded run (a directory stands for\n" +
			"the *.json files in it), checks that they make exactly one whole run, and prints one recap\n" +
			"of every device in the order an unsharded run has. --json and --junit write the merged\n" +
			"reports. Reports that do not fit together are an error (exit 2): mixed shard counts, modes,\n" +
			"playbooks or host selections, a shard given twice or missing (\"shard 3/8 missing\"), a device\n" +
			"in two reports. Exit codes are those of the unsharded run: 0 every device passed, 1 a device\n" +
			"did not (failed, error, unreachable, auth_failed, rolled back, skipped), 130 a shard was\n" +
			"interrupted; with --detailed-exitcode (check reports), 2 when changes are pending.",
		Args: cobra.MinimumNArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"json"}, cobra.ShellCompDirectiveFilterFileExt
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd.OutOrStdout(), cmd.ErrOrStderr(), args, f)
		},
	}
	fl := merge.Flags()
	fl.StringVar(&f.jsonPath, "json", "", "write the merged JSON report to this file")
	fl.StringVar(&f.junitPath, "junit", "", "write the merged JUnit XML report to this file")
	fl.BoolVar(&f.detailedExitcode, "detailed-exitcode", false, "for check reports: exit 0 when every device is in sync, 2 when changes are pending, 1 on errors")
	reportCmd.AddCommand(merge)
	return reportCmd
}

func runMerge(stdout, stderr io.Writer, args []string, f mergeFlags) error {
	for _, r := range []struct{ flag, path string }{{"--json", f.jsonPath}, {"--junit", f.junitPath}} {
		if r.path == "" {
			continue
		}
		if err := report.CheckWritable(r.path); err != nil {
			return exitWith(exitInvalid, fmt.Errorf("%s: cannot write %s: %w", r.flag, r.path, err))
		}
	}
	paths, err := mergeInputs(args, f.jsonPath)
	if err != nil {
		return exitWith(exitInvalid, err)
	}
	var shards []*report.ShardReport
	var errs []error
	for _, p := range paths {
		r, err := report.ReadShardReport(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		shards = append(shards, r)
	}
	if len(errs) > 0 {
		return exitWith(exitInvalid, errors.Join(errs...))
	}
	m, err := report.Merge(shards)
	if err != nil {
		return exitWith(exitInvalid, err)
	}
	rep := m.Report
	if f.detailedExitcode && rep.Mode != "check" {
		return exitWith(exitInvalid, fmt.Errorf("--detailed-exitcode is for the reports of check runs; these are from %s", rep.Mode))
	}

	fmt.Fprintf(stdout, "%s of %s (%s) merged:\n", countNoun(len(shards), "shard", "shards"), rep.Playbook, rep.Mode)
	for _, l := range m.ShardLines() {
		fmt.Fprintln(stdout, "  "+l)
	}
	sinks := []engine.Sink{report.NewConsole(stdout, report.ConsoleOptions{TTY: isTTY(stdout), Quiet: true})}
	if f.junitPath != "" {
		sinks = append(sinks, report.NewJUnit(f.junitPath))
	}
	sink := report.Multi(sinks...)
	m.Replay(sink)
	lost := false
	if err := sink.Close(); err != nil {
		fmt.Fprintf(stderr, "runbook: writing reports: %v\n", err)
		lost = true
	}
	if f.jsonPath != "" {
		if err := m.WriteJSON(f.jsonPath); err != nil {
			fmt.Fprintf(stderr, "runbook: writing reports: %v\n", err)
			lost = true
		}
	}
	pending := false
	if rep.Mode == "check" {
		readOnly, backups := reportStepKinds(rep)
		pending = writeWouldChange(stdout, rep, readOnly, backups)
	}
	if lost && !rep.Interrupted {
		return exitWith(exitFailed, nil)
	}
	if code := runExitCode(rep, pending, f.detailedExitcode); code != exitOK {
		return exitWith(code, nil)
	}
	return nil
}

// mergeInputs expands the arguments of report merge: a file as it is, a
// directory as the *.json files in it (sorted), leaving out the merged
// report's own path so that merging again into the same directory works.
func mergeInputs(args []string, output string) ([]string, error) {
	skip := ""
	if output != "" {
		skip, _ = filepath.Abs(output)
	}
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(a, "*.json"))
		if err != nil {
			return nil, err
		}
		slices.Sort(matches)
		n := 0
		for _, m := range matches {
			if abs, _ := filepath.Abs(m); abs == skip {
				continue
			}
			out = append(out, m)
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("%s has no *.json report", a)
		}
	}
	return out, nil
}

// reportStepKinds says, from the steps a report shows, whether the
// playbook changes nothing and whether it backs up: what check's closing
// lines need, known here from the reports instead of the playbook.
func reportStepKinds(rep *engine.Report) (readOnly, backups bool) {
	readOnly = true
	for _, d := range rep.Devices {
		for _, s := range d.Steps {
			if tasks.StepChanges(s.Kind) {
				readOnly = false
			}
			if s.Kind == "backup" {
				backups = true
			}
		}
	}
	return readOnly, backups
}
