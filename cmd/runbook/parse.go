package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/runbook-dev/runbook/tasks"
)

func newParseCmd() *cobra.Command {
	var (
		platform, command, templatesDir, template string
		asJSON                                    bool
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
			if err != nil {
				return exitWith(exitFailed, err)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if records == nil {
					records = []map[string]any{}
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(records); err != nil {
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
	return cmd
}
