package tasks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/runbook-dev/runbook/config"
	"github.com/runbook-dev/runbook/driver"
)

// Checker is implemented by actions that change devices and can tell,
// reading only, what they would change. `runbook check` runs Check
// instead of Run; the Result's Pending lists what apply would send that
// the device lacks (empty: in sync).
type Checker interface {
	Check(ctx context.Context, conn Conn, env *Env) (*Result, error)
}

// Check implements Checker: it reads the configuration and compares it
// with the lines this step would send, exactly as Run does before it
// sends (the same plan).
func (a *SendConfigSet) Check(ctx context.Context, conn Conn, env *Env) (*Result, error) {
	lines, err := a.knownLines()
	if err != nil {
		return nil, err
	}
	p, failed, err := a.plan(ctx, conn, env, lines)
	if err != nil {
		return nil, fmt.Errorf("send_config_set: %w", err)
	}
	if failed != nil {
		return failed, nil
	}
	res := &Result{}
	for _, i := range p.pending {
		res.Pending = append(res.Pending, a.lines[i].show())
	}
	switch {
	case len(p.pending) == 0:
		res.Message = inSyncMessage(p.total)
	case p.all:
		res.Changed = true
		res.Message = fmt.Sprintf("would send all %s (%s)", countLines(p.total), p.why)
	default:
		res.Changed = true
		res.Message = fmt.Sprintf("would change: %d of %d lines are not in the configuration", len(p.pending), p.total)
	}
	res.Output = strings.Join(res.Pending, "\n")
	res.Diff = a.predictedDiff(p)
	return res, nil
}

// predictedDiff is check mode's diff: the pending lines as "+" lines under
// the section lines they apply under (as the comparison placed them), in
// the order apply would send them. A negation reads as the line sent
// ("+ no ntp server 10.0.1.1"): the configuration after it is not
// computed. Empty without a comparison (match = "none", no configuration
// to compare with) or when nothing is pending.
func (a *SendConfigSet) predictedDiff(p *configPlan) string {
	if p.cmp == nil {
		return ""
	}
	text := func(i int) string {
		if a.lines[i].sensitive {
			return a.lines[i].show()
		}
		return p.cmp.Lines[i].Text
	}
	var changes []config.Change
	for _, l := range p.cmp.Lines {
		if !l.Pending || (l.Kind != config.Set && l.Kind != config.Negation) {
			continue
		}
		var path []string
		for j := l.Parent; j >= 0; j = p.cmp.Lines[j].Parent {
			path = append([]string{text(j)}, path...)
		}
		changes = append(changes, config.Change{Op: config.Added, Path: path, Line: text(l.Index)})
	}
	return config.FormatDiff(changes)
}

// configPlan is what a send_config_set step does on one device; Check
// reports it and Run carries it out, so the two never disagree.
type configPlan struct {
	send    []int  // indexes of the lines to send, in order: pending lines and the section lines they need
	pending []int  // indexes of the lines not in effect
	total   int    // configuration lines given (blank, comment and exit lines aside)
	all     bool   // every line is sent without comparing
	why     string // why, when all
	// before is the configuration read before the push and cmp the
	// comparison of the lines with it; nil when all.
	before *config.Config
	cmp    *config.Comparison
}

// plan reads the device's configuration (show running-config; on Junos
// show configuration | display set, as the lines are set/delete commands)
// and compares the lines with it using the config package's model of the
// platform. With match = "none", or on a platform without a configuration
// to read (linux), every line is sent. A read the device rejects is a
// failed Result.
func (a *SendConfigSet) plan(ctx context.Context, conn Conn, env *Env, lines []string) (*configPlan, *Result, error) {
	sendAll := func(why string) *configPlan {
		p := &configPlan{all: true, why: why}
		for i, l := range lines {
			if strings.TrimSpace(l) != "" {
				p.send = append(p.send, i)
			}
		}
		p.pending, p.total = p.send, len(p.send)
		return p
	}
	if a.match == matchNone {
		return sendAll(`match = "none"`), nil, nil
	}
	if len(lines) == 0 {
		return &configPlan{}, nil, nil
	}
	_, resp, err := readConfig(ctx, conn, env, true)
	if errors.Is(err, driver.ErrUnsupported) {
		return sendAll("the platform has no configuration to compare with"), nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read the configuration: %w", err)
	}
	if resp.Failed {
		return nil, &Result{Output: resp.Output, Failed: true, Message: failMessage("command", resp)}, nil
	}
	platform := conn.Platform()
	if platform == "" && env != nil {
		platform = env.Platform
	}
	before := config.Parse(config.Lookup(platform), cleanConfig(resp.Output))
	cmp := before.Compare(lines)
	p := &configPlan{send: cmp.Send(), pending: cmp.Pending(), before: before, cmp: cmp}
	for _, l := range cmp.Lines {
		if l.Kind == config.Set || l.Kind == config.Negation {
			p.total++
		}
	}
	return p, nil, nil
}
