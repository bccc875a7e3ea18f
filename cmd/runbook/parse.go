package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/runbook-dev/runbook/parse"
	"github.com/runbook-dev/runbook/tasks"
)

func newParseCmd() *cobra.Command {
	var (
		platform, command, templatesDir, template, testDir string
		asJSON, verbose                                    bool
	)
	cmd := &cobra.Command{
		Use:   "parse [FILE]",
		Short: "Parse saved device output with TextFSM, without a device",
		Long: "parse runs a TextFSM template over FILE (or standard input) and prints the records\n" +
			"as a table or, with --json, as JSON. The template is --template, or the one the\n" +
			"ntc-templates index names for --platform and --command, looked up as\n" +
			"parse { textfsm = \"auto\" } does: --templates-dir, then NTC_TEMPLATES_DIR, then the\n" +
			"templates built into runbook.",
		Example: "  runbook parse --platform cisco_ios --command \"show ip int brief\" output.txt\n" +
			"  ssh r1 'show version' | runbook parse --platform cisco_ios --command \"show version\" --json",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if testDir != "" {
				if len(args) > 0 || template != "" || platform != "" || command != "" {
					return exitWith(exitInvalid, fmt.Errorf("--test takes no FILE, --template, --platform or --command: each fixture's directory names its platform and command"))
				}
				return runParseTests(cmd, testDir, templatesDir, verbose)
			}
			if template == "" && (platform == "" || command == "") {
				return exitWith(exitInvalid, fmt.Errorf("parse needs --platform and --command (to look the template up in the index), or --template"))
			}
			var in io.Reader = cmd.InOrStdin()
			if len(args) == 1 && args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return exitWith(exitInvalid, err)
				}
				defer f.Close()
				in = f
			}
			raw, err := io.ReadAll(in)
			if err != nil {
				return exitWith(exitFailed, err)
			}
			records, fields, err := tasks.ParseText(platform, command, templatesDir, template, string(raw))
			for _, w := range tasks.IndexWarnings(templatesDir, false) {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
			}
			if err != nil {
				return exitWith(exitFailed, err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if err := writeRecordsJSON(out, fields, records); err != nil {
					return exitWith(exitFailed, err)
				}
				return nil
			}
			if err := tasks.WriteTable(out, fields, records); err != nil {
				return exitWith(exitFailed, err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d records\n", len(records))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&platform, "platform", "", "device platform, e.g. cisco_ios")
	fl.StringVar(&command, "command", "", "the command that produced the output, e.g. \"show ip int brief\"")
	fl.StringVar(&templatesDir, "templates-dir", "", "an ntc-templates style directory with an index (before NTC_TEMPLATES_DIR)")
	fl.StringVar(&template, "template", "", "a TextFSM template file to use instead of the index")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	fl.StringVar(&testDir, "test", "", "run a tests tree in ntc-templates' layout (<platform>/<command>/<name>.raw and <name>.yml)")
	fl.BoolVarP(&verbose, "verbose", "v", false, "with --test, also list the fixtures that pass")
	return cmd
}

// runParseTests is `runbook parse --test DIR`: every fixture is parsed
// with the template the index gives for its platform and command and
// compared with its parsed_sample, as ntc-templates' CI does.
func runParseTests(cmd *cobra.Command, dir, templatesDir string, verbose bool) error {
	cases, err := parse.FindTests(dir)
	if err != nil {
		return exitWith(exitInvalid, err)
	}
	resolve, err := tasks.TestResolver(templatesDir)
	if err != nil {
		return exitWith(exitInvalid, err)
	}
	for _, w := range tasks.IndexWarnings(templatesDir, true) {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w)
	}
	out := cmd.OutOrStdout()
	failed, skipped := 0, 0
	for _, r := range parse.RunTests(cases, resolve) {
		rel, err := filepath.Rel(dir, r.Raw)
		if err != nil {
			rel = r.Raw
		}
		switch {
		case r.Skipped:
			skipped++
			if verbose {
				fmt.Fprintf(out, "skip %s: no .yml beside it\n", rel)
			}
		case r.Err != nil:
			failed++
			fmt.Fprintf(out, "FAIL %s: %v\n", rel, r.Err)
		case r.Diff != "":
			failed++
			fmt.Fprintf(out, "FAIL %s (%s): %s\n", rel, r.Template, r.Diff)
		case verbose:
			fmt.Fprintf(out, "ok   %s (%s)\n", rel, r.Template)
		}
	}
	summary := fmt.Sprintf("%d passed, %d failed", len(cases)-failed-skipped, failed)
	if skipped > 0 {
		summary += fmt.Sprintf(", %d skipped (.raw with no .yml)", skipped)
	}
	fmt.Fprintln(out, summary)
	if failed > 0 {
		return exitWith(exitFailed, fmt.Errorf("%d of %d fixtures failed", failed, len(cases)-skipped))
	}
	return nil
}

// writeRecordsJSON prints records as a JSON list, each object's keys in
// the template's Value order (as Python's textfsm gives them), with no
// HTML escaping (">" is a BGP best-path mark, not markup).
func writeRecordsJSON(w io.Writer, fields []string, records []map[string]any) error {
	var b bytes.Buffer
	b.WriteString("[")
	for i, r := range records {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for j, f := range fields {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n    ")
			if err := encodeCompact(&b, f); err != nil {
				return err
			}
			b.WriteString(": ")
			if err := encodeCompact(&b, r[f]); err != nil {
				return err
			}
		}
		b.WriteString("\n  }")
	}
	if len(records) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := w.Write(b.Bytes())
	return err
}

func encodeCompact(b *bytes.Buffer, v any) error {
	var one bytes.Buffer
	enc := json.NewEncoder(&one)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Write(bytes.TrimRight(one.Bytes(), "\n"))
	return nil
}
