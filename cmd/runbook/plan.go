package main

import (
	"encoding/json"
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
		asJSON bool
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
			if asJSON {
				return writePlanJSON(cmd.OutOrStdout(), plan, hosts)
			}
			writePlan(cmd.OutOrStdout(), plan, hosts)
			return nil
		},
	}
	lf.register(cmd)
	cmd.Flags().StringArrayVar(&limits, "limit", nil, "only these hosts: names, globs, group:NAME, tag:NAME, all, @REPORT.json (the devices that did not pass in that report); !PATTERN excludes, &PATTERN intersects (comma-separated or repeated)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	return cmd
}

// jsonPlan is `plan --json`: per device, the steps in run order with their
// rendered lines. Secrets are "(sensitive)", as in the text plan;
// passwords are never included.
type jsonPlan struct {
	Devices []jsonPlanDevice `json:"devices"`
	Summary jsonPlanSummary  `json:"summary"`
}

type jsonPlanDevice struct {
	Name     string         `json:"name"`
	Platform string         `json:"platform"`
	Address  string         `json:"address"`
	Port     int            `json:"port"`
	Username string         `json:"username,omitempty"`
	Steps    []jsonPlanStep `json:"steps"`
}

type jsonPlanStep struct {
	Address   string   `json:"address"`
	Kind      string   `json:"kind"`
	DependsOn []string `json:"depends_on"`
	When      string   `json:"when,omitempty"`
	Changes   bool     `json:"changes"`
	Lines     []string `json:"lines"`
	Problem   string   `json:"problem,omitempty"`
}

type jsonPlanSummary struct {
	Devices       int `json:"devices"`
	Steps         int `json:"steps"`
	ChangingSteps int `json:"changing_steps"`
}

func writePlanJSON(w io.Writer, plan *engine.Plan, hosts []*hcl.Host) error {
	out := jsonPlan{Devices: []jsonPlanDevice{}}
	for _, h := range hosts {
		d := jsonPlanDevice{Name: h.Name, Platform: h.Platform, Address: h.Address, Port: portOr22(h.Port), Username: h.Username, Steps: []jsonPlanStep{}}
		for _, sp := range plan.Describe(h) {
			st := jsonPlanStep{Address: sp.Address, Kind: sp.Kind, DependsOn: sp.DependsOn, When: sp.When, Changes: sp.Changes, Lines: sp.Lines, Problem: sp.Problem}
			if st.DependsOn == nil {
				st.DependsOn = []string{}
			}
			if st.Lines == nil {
				st.Lines = []string{}
			}
			if st.Changes {
				out.Summary.ChangingSteps++
			}
			d.Steps = append(d.Steps, st)
		}
		out.Devices = append(out.Devices, d)
	}
	out.Summary.Devices = len(hosts)
	out.Summary.Steps = len(plan.Playbook.Steps)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return exitWith(exitFailed, err)
	}
	return nil
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
		if rb := plan.Playbook.Rollback; rb != nil {
			fmt.Fprintf(w, "  on a failure after %s: restore it, verify, report rolled_back", rb.To)
			if rb.ConfirmTimeout > 0 {
				fmt.Fprintf(w, " (changes commit with a %s confirm timer where the platform has one)", rb.ConfirmTimeout)
			}
			fmt.Fprintln(w)
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
