package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/hcl"
)

func newPlanCmd() *cobra.Command {
	var (
		lf     loadFlags
		limits []string
	)
	cmd := &cobra.Command{
		Use:   "plan PLAYBOOK...",
		Short: "Show, per device, the ordered steps and the commands they would send",
		Long: "Plan prints for each device the steps in the order they run, with their rendered\n" +
			"commands. Values only a run can know show as (known after run); secrets as (sensitive).\n" +
			"Nothing connects.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			plan, err := lf.load(cmd.ErrOrStderr(), args)
			if err != nil {
				return err
			}
			hosts, err := engine.SelectHosts(plan.Playbook.Inventory, limits)
			if err != nil {
				return exitWith(exitInvalid, err)
			}
			writePlan(cmd.OutOrStdout(), plan, hosts)
			return nil
		},
	}
	lf.register(cmd)
	cmd.Flags().StringArrayVar(&limits, "limit", nil, "only these hosts: names, globs, group:NAME, tag:NAME (comma-separated or repeated)")
	return cmd
}

func writePlan(w io.Writer, plan *engine.Plan, hosts []*hcl.Host) {
	changing := 0
	for _, h := range hosts {
		fmt.Fprintf(w, "%s  (%s, %s:%d", h.Name, h.Platform, h.Address, portOr22(h.Port))
		if h.Username != "" {
			fmt.Fprintf(w, ", user %s", h.Username)
		}
		if h.Password.IsSet() {
			fmt.Fprintf(w, ", password %s", h.Password)
		}
		if h.Secret.IsSet() {
			fmt.Fprintf(w, ", enable secret %s", h.Secret)
		}
		fmt.Fprintln(w, ")")
		for i, sp := range plan.Describe(h) {
			mark := ""
			if sp.Changes {
				mark = "  [changes device]"
				changing++
			}
			fmt.Fprintf(w, "  %d. %s%s\n", i+1, sp.Address, mark)
			if len(sp.DependsOn) > 0 {
				fmt.Fprintf(w, "       after: %s\n", strings.Join(sp.DependsOn, ", "))
			}
			if sp.When != "" {
				fmt.Fprintf(w, "       when:  %s\n", sp.When)
			}
			if sp.Problem != "" {
				fmt.Fprintf(w, "       problem: %s\n", sp.Problem)
			}
			for _, l := range sp.Lines {
				fmt.Fprintf(w, "       | %s\n", l)
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Plan: %s, %s each, %s in all.\n",
		count(len(hosts), "device"), count(len(plan.Playbook.Steps), "step"), count(changing, "changing step"))
}

func portOr22(p int) int {
	if p == 0 {
		return 22
	}
	return p
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
