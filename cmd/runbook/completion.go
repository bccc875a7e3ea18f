package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/lab"
)

// registerCompletions teaches shell completion (`runbook completion bash`
// and the other shells cobra supports) what the arguments are, beyond flag
// names: playbook files for PLAYBOOK arguments, the inventory's host,
// group and tag names for --limit and --lab-fault, and platform names for
// --platform.
func registerCompletions(root *cobra.Command) {
	for _, cmd := range root.Commands() {
		switch cmd.Name() {
		case "validate", "plan", "apply", "check", "audit", "fmt":
			if cmd.ValidArgsFunction == nil {
				cmd.ValidArgsFunction = completePlaybookFiles
			}
		}
		if cmd.Flags().Lookup("limit") != nil {
			_ = cmd.RegisterFlagCompletionFunc("limit", completeLimit)
		}
		if cmd.Flags().Lookup("lab-fault") != nil {
			_ = cmd.RegisterFlagCompletionFunc("lab-fault", completeLabFault)
		}
		if cmd.Flags().Lookup("inventory") != nil {
			_ = cmd.RegisterFlagCompletionFunc("inventory", completePlaybookFiles)
		}
		if cmd.Name() == "parse" && cmd.Flags().Lookup("platform") != nil {
			_ = cmd.RegisterFlagCompletionFunc("platform", fixedCompletion(hcl.Platforms...))
		}
	}
	if labCmd, _, err := root.Find([]string{"lab", "serve"}); err == nil && labCmd.Flags().Lookup("platform") != nil {
		_ = labCmd.RegisterFlagCompletionFunc("platform", fixedCompletion(
			lab.CiscoIOS, lab.CiscoNXOS, lab.AristaEOS, lab.JuniperJunos, lab.Linux, lab.CiscoXR, lab.CiscoASA, "mixed"))
	}
}

func completePlaybookFiles(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return []string{"hcl"}, cobra.ShellCompDirectiveFilterFileExt
}

func fixedCompletion(values ...string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, v := range values {
			if strings.HasPrefix(v, toComplete) {
				out = append(out, v)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeLimit offers the names --limit understands (all, hosts,
// group:NAME, tag:NAME) for the last comma-separated pattern being typed,
// keeping the patterns before it and a ! or & prefix.
func completeLimit(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	inv := completionInventory(cmd, args)
	if inv == nil || len(inv.Hosts) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	done, current := "", toComplete
	if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
		done, current = toComplete[:i+1], toComplete[i+1:]
	}
	op := ""
	if current != "" && (current[0] == '!' || current[0] == '&') {
		op, current = current[:1], current[1:]
	}
	var out []string
	for _, n := range engine.LimitNames(inv) {
		if strings.HasPrefix(n, current) {
			out = append(out, done+op+n)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// completeLabFault offers HOST: for each host, the first half of
// --lab-fault HOSTS:FAULTS.
func completeLabFault(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if strings.Contains(toComplete, ":") {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	inv := completionInventory(cmd, args)
	if inv == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, h := range inv.Hosts {
		if strings.HasPrefix(h.Name, toComplete) {
			out = append(out, h.Name+":")
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// completionInventory loads the inventory of the playbook named by the
// arguments typed so far (and --inventory, --var, --var-file), quietly and
// leniently: completion must never fail loudly, so a playbook with errors
// still offers the hosts the loader could read.
func completionInventory(cmd *cobra.Command, args []string) *hcl.Inventory {
	var paths []string
	for _, a := range args {
		if info, err := os.Stat(a); err == nil && info.IsDir() {
			m, _ := filepath.Glob(filepath.Join(a, "*.hcl"))
			paths = append(paths, m...)
			continue
		}
		paths = append(paths, a)
	}
	if len(paths) == 0 {
		return nil
	}
	opts := []hcl.Option{hcl.WithStepKinds(stepKinds())}
	fl := cmd.Flags()
	if inv, err := fl.GetStringArray("inventory"); err == nil && len(inv) > 0 {
		opts = append(opts, hcl.WithInventoryFiles(inv))
	}
	if vf, err := fl.GetStringArray("var-file"); err == nil && len(vf) > 0 {
		opts = append(opts, hcl.WithVarFiles(vf))
	}
	if kvs, err := fl.GetStringArray("var"); err == nil && len(kvs) > 0 {
		vars := map[string]string{}
		for _, kv := range kvs {
			if name, value, ok := strings.Cut(kv, "="); ok {
				vars[name] = value
			}
		}
		opts = append(opts, hcl.WithVars(vars))
	}
	p, _ := hcl.Load(paths, opts...)
	if p == nil {
		return nil
	}
	return p.Inventory
}
