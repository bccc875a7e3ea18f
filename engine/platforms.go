package engine

import (
	"fmt"
	"regexp"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/hcl"
)

// RegisterPlatforms registers the playbook's platform blocks with the
// driver, so that hosts naming them can be opened. Call it before Run.
func RegisterPlatforms(pb *hcl.Playbook) error {
	for _, d := range pb.Platforms {
		p, err := PlatformFromDef(d)
		if err != nil {
			return err
		}
		if err := driver.RegisterPlatform(p); err != nil {
			return err
		}
	}
	return nil
}

// PlatformFromDef builds the driver's platform from a platform block: a
// copy of the base with the block's settings applied. Prompts, when the
// block gives any, replace the base's modes, and the transitions between
// them use the block's commands (or the base's for the same edge).
func PlatformFromDef(d *hcl.PlatformDef) (*driver.Platform, error) {
	var p *driver.Platform
	if d.Base != "" {
		var err error
		if p, err = driver.DerivePlatform(d.Base, d.Name); err != nil {
			return nil, fmt.Errorf("platform %q: %w", d.Name, err)
		}
	} else {
		// Most CLIs take '?' as a request for help; without a base to say
		// how to type one, a line holding it is refused, not mangled.
		p = &driver.Platform{Name: d.Name, CommandMode: driver.ModePrivileged, Pager: regexp.MustCompile(`^\s*-+\s*[Mm]ore\s*-+\s*$`), PagerContinue: " ", QuestionHelp: true}
	}
	switch d.QuestionMark {
	case "ctrl_v":
		p.QuestionHelp, p.QuoteNext = true, "\x16"
	case "refuse":
		p.QuestionHelp, p.QuoteNext = true, ""
	case "literal":
		p.QuestionHelp, p.QuoteNext = false, ""
	}
	compile := func(what, expr string) (*regexp.Regexp, error) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("platform %q: %s: %w", d.Name, what, err)
		}
		return re, nil
	}
	// edge finds the base's command for a transition, and its questions.
	edge := func(from, to string) driver.Transition {
		for _, t := range p.Transitions {
			if t.From == from && t.To == to {
				return t
			}
		}
		return driver.Transition{From: from, To: to}
	}
	set := func(t *driver.Transition, cmd string) {
		if cmd != "" {
			t.Command = cmd
		}
	}
	enable := edge(driver.ModeExec, driver.ModePrivileged)
	set(&enable, d.EnableCommand)
	configure := edge(driver.ModePrivileged, driver.ModeConfiguration)
	set(&configure, d.ConfigCommand)
	exit := edge(driver.ModeConfiguration, driver.ModePrivileged)
	set(&exit, d.ConfigExit)

	if d.PromptExec != "" || d.PromptPrivileged != "" || d.PromptConfig != "" {
		p.Modes, p.Transitions = nil, nil
		add := func(mode, expr string) error {
			if expr == "" {
				return nil
			}
			re, err := compile("prompt", expr)
			if err == nil {
				p.Modes = append(p.Modes, driver.Mode{Name: mode, Prompt: re})
			}
			return err
		}
		// Matching order: the most specific first, as the built-ins do.
		for _, m := range [][2]string{{driver.ModeConfiguration, d.PromptConfig}, {driver.ModePrivileged, d.PromptPrivileged}, {driver.ModeExec, d.PromptExec}} {
			if err := add(m[0], m[1]); err != nil {
				return nil, err
			}
		}
		p.CommandMode = driver.ModePrivileged
		p.ConfigMode = ""
		if d.PromptExec != "" {
			if enable.Command == "" {
				return nil, fmt.Errorf("platform %q: prompt_exec needs enable_command", d.Name)
			}
			if enable.SecretPrompt == nil {
				enable.SecretPrompt = driver.FallbackSecretPrompt
			}
			p.Transitions = append(p.Transitions, enable)
		}
		if d.PromptConfig != "" {
			if configure.Command == "" || exit.Command == "" {
				return nil, fmt.Errorf("platform %q: prompt_config needs config_command and config_exit", d.Name)
			}
			p.ConfigMode = driver.ModeConfiguration
			p.Transitions = append(p.Transitions, configure, exit)
		}
	} else {
		for i, t := range p.Transitions {
			switch {
			case t.From == enable.From && t.To == enable.To:
				p.Transitions[i] = enable
			case t.From == configure.From && t.To == configure.To:
				p.Transitions[i] = configure
			case t.From == exit.From && t.To == exit.To:
				p.Transitions[i] = exit
			}
		}
	}
	if d.DisablePagingSet {
		p.OnOpen = d.DisablePaging
	}
	if d.Errors != nil {
		p.FailureIndicators = nil
		for _, e := range d.Errors {
			p.FailureIndicators = append(p.FailureIndicators, driver.Indicator{Text: e, LineStart: true})
		}
	}
	if d.SaveCommand != "" {
		p.SaveCommand, p.SaveNoop, p.SaveConfirm, p.SaveSuccess = d.SaveCommand, false, nil, nil
		for _, c := range d.SaveConfirm {
			q, err := compile("save_confirm", c.Question)
			if err != nil {
				return nil, err
			}
			p.SaveConfirm = append(p.SaveConfirm, driver.Confirm{Question: q, Answer: c.Answer})
		}
		if d.SaveSuccess != "" {
			re, err := compile("save_success", d.SaveSuccess)
			if err != nil {
				return nil, err
			}
			p.SaveSuccess = re
		}
	}
	if d.SaveNoop {
		p.SaveCommand, p.SaveNoop, p.SaveConfirm, p.SaveSuccess = "", true, nil, nil
	}
	if d.Commit != "" {
		p.Commit, p.Abort = d.Commit, d.Abort
		if d.SaveCommand == "" {
			p.SaveCommand, p.SaveNoop = "", true
		}
	}
	if d.ShowConfig != "" {
		p.ShowConfig = d.ShowConfig
	}
	if d.HostnameChange != "" {
		re, err := compile("hostname_change", d.HostnameChange)
		if err != nil {
			return nil, err
		}
		p.HostnameChange = re
	}
	return p, nil
}
