package tasks

import (
	"context"
	"fmt"
	"strings"
)

// Checker is implemented by actions that change devices and can tell,
// reading only, what they would change. `runbook check` runs Check
// instead of Run; the Result's Pending lists what apply would send that
// the device lacks (empty: in sync).
type Checker interface {
	Check(ctx context.Context, conn Conn, env *Env) (*Result, error)
}

// Check implements Checker: it reads the configuration and compares it
// with the lines this step would send.
func (a *SendConfigSet) Check(ctx context.Context, conn Conn, env *Env) (*Result, error) {
	lines, err := a.knownLines()
	if err != nil {
		return nil, err
	}
	// set/delete lines compare with the Junos configuration in set form.
	_, resp, err := readConfig(ctx, conn, env, true)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	if resp.Failed {
		return &Result{Output: resp.Output, Failed: true, Message: failMessage("command", resp)}, nil
	}
	pending := pendingLines(parseRunning(cleanConfig(resp.Output)), lines)
	res := &Result{}
	for _, i := range pending {
		res.Pending = append(res.Pending, a.lines[i].show())
	}
	if len(pending) == 0 {
		res.Message = fmt.Sprintf("in sync: all %d lines are already in the configuration", len(lines))
	} else {
		res.Changed = true
		res.Message = fmt.Sprintf("would change: %d of %d lines are not in the configuration", len(pending), len(lines))
	}
	res.Output = strings.Join(res.Pending, "\n")
	return res, nil
}

// runningConfig is a configuration as sections: top-level lines, and the
// child lines under each top-level line that has any.
type runningConfig struct {
	top      map[string]bool
	children map[string]map[string]bool
}

func parseRunning(cfg string) runningConfig {
	rc := runningConfig{top: map[string]bool{}, children: map[string]map[string]bool{}}
	section := ""
	for _, raw := range strings.Split(cfg, "\n") {
		line := strings.TrimRight(raw, " \t\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || trimmed == "!" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if section != "" {
				if rc.children[section] == nil {
					rc.children[section] = map[string]bool{}
				}
				rc.children[section][trimmed] = true
			}
			continue
		}
		section = trimmed
		rc.top[trimmed] = true
	}
	return rc
}

// pendingLines returns the indexes of the lines that would change the
// configuration. A line is in sync when it is present (or, for
// "no X" / "delete X", when X is absent). As on the device, a line after a
// section header (interface, router ...) belongs to that section unless
// it is a top-level line of its own. This errs towards "would change": a
// line it cannot place is reported, never hidden.
func pendingLines(rc runningConfig, lines []string) []int {
	var pending []int
	section := ""
	for i, raw := range lines {
		line := strings.TrimSpace(raw)
		switch line {
		case "", "end", "exit", "!", "commit":
			continue
		}
		indented := raw[0] == ' ' || raw[0] == '\t'
		inSection := section != ""
		if inSection && !indented {
			// A flat line stays in the section unless it is a top-level
			// line of the configuration (or undoes one).
			inSection = !hasPrefixLine(rc.top, strings.TrimPrefix(line, "no "))
		}
		set := rc.top
		if inSection {
			set = rc.children[section]
		} else {
			section = ""
			if !strings.HasPrefix(line, "no ") && (rc.children[line] != nil || looksLikeSection(line)) {
				section = line
			}
		}
		if !lineInSync(set, line) {
			pending = append(pending, i)
		}
	}
	return pending
}

// looksLikeSection says whether a line opens a configuration submode even
// when the device does not have that section yet.
func looksLikeSection(line string) bool {
	for _, p := range []string{"interface ", "router ", "line ", "vlan ", "ip access-list ", "route-map ", "policy-map ", "class-map ", "vrf ", "ip vrf "} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

func lineInSync(set map[string]bool, line string) bool {
	switch {
	case strings.HasPrefix(line, "no "):
		return !hasPrefixLine(set, strings.TrimSpace(line[3:]))
	case strings.HasPrefix(line, "delete "):
		return !hasPrefixLine(set, "set "+strings.TrimSpace(line[7:]))
	}
	return set[line]
}

// hasPrefixLine: "no ntp server X" undoes "ntp server X prefer" too.
func hasPrefixLine(set map[string]bool, prefix string) bool {
	for l := range set {
		if l == prefix || strings.HasPrefix(l, prefix+" ") {
			return true
		}
	}
	return false
}
