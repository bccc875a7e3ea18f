// Command runbook runs HCL playbooks against fleets of network devices.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/runbook-dev/runbook/internal/atomicfile"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1 // a step failed or a device was unreachable
	exitInvalid     = 2 // invalid playbook or usage
	exitInterrupted = 130
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "\ninterrupt: closing sessions and writing reports (Ctrl+C again to quit at once)")
		cancel()
		<-sigs
		// Quitting at once: remove the temporary files of reports,
		// transcripts and backups being written, so none survives half
		// written.
		atomicfile.RemoveAll()
		os.Exit(exitInterrupted)
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}

// exitError carries the process exit code; only main exits.
type exitError struct {
	code int
	err  error // nil when the message was already printed
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func exitWith(code int, err error) error { return &exitError{code: code, err: err} }

// run is the whole CLI; tests drive it in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "runbook: %v\n", ee.err)
		}
		return ee.code
	}
	// Anything cobra itself rejects (unknown flag, wrong arg count) is usage.
	fmt.Fprintf(stderr, "runbook: %v\n", err)
	return exitInvalid
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "runbook",
		Short:         "Run HCL playbooks against fleets of network devices over SSH",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		newValidateCmd(),
		newPlanCmd(),
		newApplyCmd(false),
		newApplyCmd(true),
		newAuditCmd(),
		newFmtCmd(),
		newParseCmd(),
		newLabCmd(),
		newReportCmd(),
		newVersionCmd(),
	)
	registerCompletions(root)
	rejectUnknownSubcommands(root)
	return root
}

// rejectUnknownSubcommands makes `runbook lab nope` (and `runbook
// completion nope`) a usage error, exit 2. Cobra only checks the root's
// subcommand names; a command that merely groups others would print its
// help and exit 0.
func rejectUnknownSubcommands(root *cobra.Command) {
	root.InitDefaultCompletionCmd() // so that `completion` is checked too
	for _, cmd := range root.Commands() {
		if cmd.Runnable() || !cmd.HasSubCommands() {
			continue
		}
		cmd.Args = cobra.ArbitraryArgs
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return exitWith(exitInvalid, fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath()))
			}
			return cmd.Help()
		}
	}
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit and the Go version runbook was built with",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			bi, _ := debug.ReadBuildInfo()
			fmt.Fprint(cmd.OutOrStdout(), versionText(bi))
		},
	}
}

// versionText is what `runbook version` prints, from the build info
// (nil when the binary has none):
//
//	runbook v1.2.0
//	commit 0123456789ab (2026-11-27T00:27:46Z, modified)
//	go1.26.8 linux/amd64
//
// The version is -ldflags "-X main.version=..." when set, else the module
// version (`go install ...@v1.2.0`), else "dev" for a build from a checkout.
func versionText(bi *debug.BuildInfo) string {
	v := version
	commit, when, modified := "", "", false
	goVersion := runtime.Version()
	if bi != nil {
		if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "runbook %s\n", v)
	switch {
	case commit == "":
		b.WriteString("commit unknown (not built from a git checkout)\n")
	default:
		if len(commit) > 12 {
			commit = commit[:12]
		}
		var notes []string
		if when != "" {
			notes = append(notes, when)
		}
		if modified {
			notes = append(notes, "modified")
		}
		fmt.Fprintf(&b, "commit %s", commit)
		if len(notes) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(notes, ", "))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
	return b.String()
}
