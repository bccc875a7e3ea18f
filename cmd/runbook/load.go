package main

import (
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
	cmd.Flags().StringVar(&f.diagFormat, "diag", "plain", "diagnostics format: plain or snippet")
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

// load reads, validates and compiles a playbook. Diagnostics are printed
// to stderr; any error returns an exit-2 error.
func (f *loadFlags) load(stderr io.Writer, paths []string) (*engine.Plan, error) {
	if f.diagFormat != "plain" && f.diagFormat != "snippet" {
		return nil, exitWith(exitInvalid, fmt.Errorf("--diag must be plain or snippet, not %q", f.diagFormat))
	}
	vars := map[string]string{}
	for _, kv := range f.vars {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, exitWith(exitInvalid, fmt.Errorf("--var %q: want name=value", kv))
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
		hcl.WriteDiagnostics(stderr, diags, files, f.diagFormat == "snippet")
		return nil, exitWith(exitInvalid, nil)
	}
	plan, cdiags := engine.Compile(p, tasks.Kinds())
	diags = append(diags, cdiags...)
	if len(diags) > 0 {
		hcl.WriteDiagnostics(stderr, diags, files, f.diagFormat == "snippet")
	}
	if diags.HasErrors() {
		return nil, exitWith(exitInvalid, nil)
	}
	return plan, nil
}

func newValidateCmd() *cobra.Command {
	var lf loadFlags
	cmd := &cobra.Command{
		Use:   "validate PLAYBOOK...",
		Short: "Check playbooks without connecting to anything",
		Long: "Validate loads each playbook, checks every block, reference, expression and template,\n" +
			"and prints every problem as path:line:col: error: Summary: Detail. Nothing connects.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed := false
			for _, path := range args {
				if _, err := lf.load(cmd.ErrOrStderr(), []string{path}); err != nil {
					failed = true
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: valid\n", path)
			}
			if failed {
				return exitWith(exitInvalid, nil)
			}
			return nil
		},
	}
	lf.register(cmd)
	return cmd
}
