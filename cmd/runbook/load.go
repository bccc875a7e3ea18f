package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/tasks"
)

// loadFlags are the flags of every command that reads a playbook.
type loadFlags struct {
	vars       []string
	varFiles   []string
	inventory  []string
	diagFormat string
}

func (f *loadFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.vars, "var", nil, "set a variable: name=value (repeatable)")
	cmd.Flags().StringArrayVar(&f.varFiles, "var-file", nil, "read variables from an HCL file (repeatable)")
	cmd.Flags().StringArrayVarP(&f.inventory, "inventory", "i", nil, "read the inventory from this HCL file instead of the playbook's")
	cmd.Flags().StringVar(&f.diagFormat, "diag", "plain", "diagnostics format: plain, snippet or json")
}

// stepKinds adapts the tasks kinds to what the loader validates with; the
// two packages never import each other.
func stepKinds() map[string]hcl.StepKind {
	out := map[string]hcl.StepKind{}
	for name, k := range tasks.Kinds() {
		out[name] = k
	}
	return out
}

// load reads, validates and compiles a playbook: every argument, files
// and directories of *.hcl files, makes one playbook. Diagnostics are
// printed to stderr (with --diag json, as one JSON document); any error
// returns an exit-2 error.
func (f *loadFlags) load(stderr io.Writer, paths []string) (*engine.Plan, error) {
	plan, diags, files, err := f.loadDiags(paths)
	if err != nil {
		return nil, err
	}
	f.writeDiags(stderr, diags, files)
	if diags.HasErrors() {
		return nil, exitWith(exitInvalid, nil)
	}
	return plan, nil
}

// writeDiags prints diagnostics in the --diag format; nothing when there
// are none.
func (f *loadFlags) writeDiags(w io.Writer, diags hclv2.Diagnostics, files map[string]*hclv2.File) {
	if len(diags) == 0 {
		return
	}
	if f.diagFormat == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(hcl.DiagnosticsJSON(diags))
		return
	}
	hcl.WriteDiagnostics(w, diags, files, f.diagFormat == "snippet")
}

// loadDiags is load without printing: the plan (nil on errors), every
// diagnostic and the parsed files. err is set only for usage errors.
func (f *loadFlags) loadDiags(paths []string) (*engine.Plan, hclv2.Diagnostics, map[string]*hclv2.File, error) {
	if f.diagFormat != "plain" && f.diagFormat != "snippet" && f.diagFormat != "json" {
		return nil, nil, nil, exitWith(exitInvalid, fmt.Errorf("--diag must be plain, snippet or json, not %q", f.diagFormat))
	}
	paths, err := hcl.ExpandPaths(paths)
	if err != nil {
		return nil, nil, nil, exitWith(exitInvalid, err)
	}
	vars := map[string]string{}
	for _, kv := range f.vars {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, nil, nil, exitWith(exitInvalid, fmt.Errorf("--var %q: want name=value", kv))
		}
		vars[name] = value
	}
	p, diags := hcl.Load(paths,
		hcl.WithStepKinds(stepKinds()),
		hcl.WithVars(vars),
		hcl.WithVarFiles(f.varFiles),
		hcl.WithInventoryFiles(f.inventory),
	)
	var files map[string]*hclv2.File
	if p != nil {
		files = p.Files
	}
	if diags.HasErrors() {
		return nil, diags, files, nil
	}
	plan, cdiags := engine.Compile(p, tasks.Kinds())
	diags = append(diags, cdiags...)
	if diags.HasErrors() {
		return nil, diags, files, nil
	}
	// The playbook's platform blocks, for the sessions the run opens.
	if err := engine.RegisterPlatforms(p); err != nil {
		return nil, append(diags, &hclv2.Diagnostic{Severity: hclv2.DiagError, Summary: "Invalid platform", Detail: err.Error()}), files, nil
	}
	return plan, diags, files, nil
}

func newValidateCmd() *cobra.Command {
	var lf loadFlags
	cmd := &cobra.Command{
		Use:   "validate PLAYBOOK...",
		Short: "Check a playbook without connecting to anything",
		Long: "Validate loads the playbook (all the files and directories given make one playbook;\n" +
			"a directory stands for its *.hcl files), checks every block, reference, expression\n" +
			"and template, and prints every problem as path:line:col: error: Summary: Detail.\n" +
			"With --diag json it prints one JSON document on stdout instead (valid, error_count,\n" +
			"warning_count, diagnostics with severity, summary, detail and range). Nothing connects.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, diags, files, err := lf.loadDiags(args)
			if err != nil {
				return err
			}
			if lf.diagFormat == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(hcl.DiagnosticsJSON(diags)); err != nil {
					return exitWith(exitFailed, err)
				}
			} else {
				lf.writeDiags(cmd.ErrOrStderr(), diags, files)
			}
			if diags.HasErrors() {
				return exitWith(exitInvalid, nil)
			}
			if lf.diagFormat != "json" {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: valid\n", strings.Join(args, " "))
			}
			return nil
		},
	}
	lf.register(cmd)
	return cmd
}
