package tasks

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/config"
	"github.com/runbook-dev/runbook/driver"
)

// send_config_set { commands | template, continue_on_error, match } -> lines
type sendConfigSetKind struct{}

var sendConfigSetSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{
		{Name: "commands"},
		{Name: "template"},
		{Name: "continue_on_error"},
		{Name: "match"},
		{Name: "answers"},
	},
}

// The values of match: "line" sends only the lines not in effect on the
// device; "none" sends every line (lines that are not configuration
// state, such as "clear counters" in config mode or a "do" command).
const (
	matchLine = "line"
	matchNone = "none"
)

func (sendConfigSetKind) Changes() bool { return true }

func (sendConfigSetKind) Decode(body hclv2.Body, ctx *hclv2.EvalContext) (any, hclv2.Diagnostics) {
	content, diags := body.Content(sendConfigSetSchema)
	a := &SendConfigSet{}
	cmds, hasCmds := content.Attributes["commands"]
	tmpl, hasTmpl := content.Attributes["template"]
	switch {
	case hasCmds && hasTmpl:
		diags = append(diags, &hclv2.Diagnostic{
			Severity: hclv2.DiagError,
			Summary:  "Conflicting arguments",
			Detail:   `Only one of "commands" and "template" may be set: "commands" is a list of lines, "template" is text rendered per host and split into lines.`,
			Subject:  tmpl.NameRange.Ptr(),
		})
	case hasCmds:
		a.lines, a.linesKnown = decodeLines(cmds, ctx, &diags)
	case hasTmpl:
		t, d := requiredString(content.Attributes, "template", ctx)
		diags = append(diags, d...)
		if t.known {
			for _, l := range splitLines(t.s) {
				a.lines = append(a.lines, text{set: true, s: l, known: true, sensitive: t.sensitive})
			}
		}
		a.linesKnown = t.known
	default:
		diags = append(diags, &hclv2.Diagnostic{
			Severity: hclv2.DiagError,
			Summary:  "Missing required argument",
			Detail:   `A send_config_set step needs "commands" (a list of config lines) or "template" (text rendered per host).`,
			Subject:  body.MissingItemRange().Ptr(),
		})
	}
	var d hclv2.Diagnostics
	a.continueOnError, a.coeKnown, d = boolAttr(content.Attributes, "continue_on_error", ctx)
	diags = append(diags, d...)
	a.match, a.matchKnown = matchLine, true
	m, ok, d := stringAttr(content.Attributes, "match", ctx)
	diags = append(diags, d...)
	switch {
	case !ok:
	case !m.known:
		a.matchKnown = false
	case m.s == matchLine || m.s == matchNone:
		a.match = m.s
	default:
		diags = append(diags, attrDiag(content.Attributes["match"], "Invalid match",
			fmt.Sprintf(`match is "line" (send only the lines not already in the configuration, the default) or "none" (send every line), not %q.`, m.s)))
	}
	a.answers, d = decodeAnswers(content.Attributes["answers"], ctx)
	diags = append(diags, d...)
	return a, diags
}

// decodeAnswers reads answers = { "QUESTION REGEX" = "reply" }: what to
// answer when a configuration line asks (matched against the question's
// line, as typed into the device after it).
func decodeAnswers(attr *hclv2.Attribute, ctx *hclv2.EvalContext) ([]driver.Confirm, hclv2.Diagnostics) {
	if attr == nil {
		return nil, nil
	}
	v, diags := evalAttr(attr, ctx, cty.Map(cty.String))
	if diags.HasErrors() {
		return nil, diags
	}
	v, _ = v.UnmarkDeep()
	if !v.IsKnown() || v.IsNull() {
		return nil, diags
	}
	var out []driver.Confirm
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		q, err := regexp.Compile(k.AsString())
		if err != nil {
			diags = append(diags, attrDiag(attr, "Invalid answers",
				fmt.Sprintf("The question %q is not a valid regular expression: %v.", k.AsString(), err)))
			continue
		}
		if !e.IsKnown() || e.IsNull() {
			continue
		}
		out = append(out, driver.Confirm{Question: q, Answer: e.AsString()})
	}
	return out, diags
}

// decodeLines decodes a list of strings whose elements may be unknown.
func decodeLines(attr *hclv2.Attribute, ctx *hclv2.EvalContext, diags *hclv2.Diagnostics) ([]text, bool) {
	v, d := evalAttr(attr, ctx, cty.List(cty.String))
	*diags = append(*diags, d...)
	if d.HasErrors() {
		return nil, false
	}
	sensitiveList := v.IsMarked() // the list itself, not its elements
	v, _ = v.Unmark()
	if !v.IsKnown() {
		return nil, false
	}
	if v.IsNull() {
		*diags = append(*diags, missingDiag(attr))
		return nil, false
	}
	var out []text
	for _, e := range v.AsValueSlice() {
		t := text{set: true, sensitive: sensitiveList || isSensitive(e)}
		e, _ = e.UnmarkDeep()
		switch {
		case !e.IsKnown():
		case e.IsNull():
			*diags = append(*diags, attrDiag(attr, "Invalid config line", "A config line must not be null."))
		default:
			t.s, t.known = e.AsString(), true
		}
		out = append(out, t)
	}
	return out, true
}

// splitLines turns rendered template text into config lines: trailing
// white space is trimmed and blank lines dropped (they mean nothing to a
// device CLI and would only add round trips). Leading indentation is kept.
func splitLines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		l = strings.TrimRight(l, " \t\r")
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// SendConfigSet reads the device's configuration, enters config mode,
// sends the lines not already in effect (with the section lines they go
// under) and leaves. With match = "none" it sends every line.
type SendConfigSet struct {
	lines           []text
	linesKnown      bool // false: the whole list (or template) is unknown
	continueOnError bool
	coeKnown        bool
	match           string // matchLine or matchNone
	matchKnown      bool
	answers         []driver.Confirm
}

// Describe implements Action.
func (a *SendConfigSet) Describe() []string {
	if !a.linesKnown {
		return []string{KnownAfterRun}
	}
	out := make([]string, len(a.lines))
	for i, l := range a.lines {
		out[i] = l.show()
	}
	return out
}

// knownLines returns the lines to send; an error when a value is still
// unknown at run time.
func (a *SendConfigSet) knownLines() ([]string, error) {
	if !a.linesKnown || !a.coeKnown || !a.matchKnown {
		return nil, errUnknown("send_config_set", "the config")
	}
	lines := make([]string, len(a.lines))
	for i, l := range a.lines {
		if !l.known {
			return nil, errUnknown("send_config_set", fmt.Sprintf("line %d", i+1))
		}
		lines[i] = l.s
	}
	return lines, nil
}

// Run implements Action. It compares the lines with the running
// configuration as Check does (the same plan), sends only what is not in
// effect, and reports ok "in sync" when that is nothing. A push the
// device took in part (a line accepted, a later one rejected) is changed
// and failed; Lines says per line what was accepted (Failed false) and
// what was rejected; lines after a rejected one are not sent.
func (a *SendConfigSet) Run(ctx context.Context, conn Conn, env *Env) (*Result, error) {
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
	if len(p.send) == 0 {
		// Nothing to do (in sync, or a template that renders empty for
		// this host): do not even enter config mode.
		res := &Result{}
		if p.total > 0 {
			res.Message = inSyncMessage(p.total)
		}
		return res, nil
	}
	send := make([]string, len(p.send))
	for i, j := range p.send {
		send[i] = lines[j]
	}
	var opts []driver.ConfigOption
	if a.continueOnError {
		opts = append(opts, driver.ContinueOnError())
	}
	if d := callTimeout(ctx); d > 0 {
		opts = append(opts, driver.WithConfigTimeout(d))
	}
	if len(a.answers) > 0 {
		opts = append(opts, driver.WithConfigAnswers(a.answers...))
	}
	if env != nil && env.CommitConfirm > 0 {
		opts = append(opts, driver.WithCommitConfirmed(env.CommitConfirm))
	}
	mr, err := conn.SendConfigSet(ctx, send, opts...)
	if err != nil {
		return nil, err
	}
	pending := map[int]bool{}
	for _, j := range p.pending {
		pending[j] = true
	}
	res := &Result{Failed: mr.Failed}
	var outputs []string
	var rejected []*driver.Response
	took, sentLines := 0, 0    // pending lines the device accepted; config lines answered
	var final *driver.Response // a commit or its abort, after the lines
	for i, r := range mr.Responses {
		if i < len(p.send) {
			sentLines++
			if a.lines[p.send[i]].sensitive {
				r = redacted(r)
			}
			if !r.Failed && pending[p.send[i]] {
				took++
			}
		} else {
			final = r
		}
		res.Lines = append(res.Lines, r)
		if r.Output != "" {
			outputs = append(outputs, r.Output)
		}
		if r.Failed {
			rejected = append(rejected, r)
		}
	}
	res.Output = strings.Join(outputs, "\n")
	// On a platform that commits (Junos), the lines take effect only when
	// the commit does; a rejected line makes the driver discard them.
	discarded := false
	if pl, ok := driver.LookupPlatform(conn.Platform()); ok && pl.Commit != "" && final != nil {
		discarded = final.Failed || final.Command == pl.Abort
	}
	res.Changed = took > 0 && !discarded
	switch {
	case len(rejected) > 0:
		res.Failed = true
		res.Message = failMessage("line", rejected[0])
		if len(rejected) > 1 {
			res.Message = fmt.Sprintf("%d lines rejected, the first: %s", len(rejected), res.Message)
		}
		var notes []string
		if discarded {
			notes = append(notes, "nothing changed: the candidate configuration was discarded")
		} else if took > 0 {
			notes = append(notes, countLines(took)+" accepted and in effect")
		}
		if n := len(p.send) - sentLines; n > 0 {
			notes = append(notes, countLines(n)+" not sent")
		}
		if len(notes) > 0 {
			res.Message += " (" + strings.Join(notes, ", ") + ")"
		}
	case res.Failed:
		res.Message = "the device rejected the config set"
	case len(p.pending) < p.total:
		res.Message = fmt.Sprintf("sent %s: %d of %d already in the configuration", countLines(len(p.pending)), p.total-len(p.pending), p.total)
	}
	if p.before != nil && sentLines > 0 {
		diff, note, err := configDiff(ctx, conn, env, p.before)
		if err != nil {
			return nil, fmt.Errorf("send_config_set: read the configuration after the push: %w", err)
		}
		res.Diff = diff
		if note != "" {
			if res.Message != "" {
				res.Message += "; "
			}
			res.Message += note
		}
	}
	return res, nil
}

// configDiff reads the configuration after a push and returns its diff
// against before (config.Diff, section by section, as config.FormatDiff
// renders it). A read the device rejects leaves no diff and a note for
// the message instead: the push itself is not undone by it.
func configDiff(ctx context.Context, conn Conn, env *Env, before *config.Config) (diff, note string, err error) {
	_, resp, err := readConfig(ctx, conn, env, true)
	if err != nil {
		return "", "", err
	}
	if resp.Failed {
		return "", "no diff: " + failMessage("command", resp), nil
	}
	after := config.Parse(before.Platform(), cleanConfig(resp.Output))
	return config.FormatDiff(config.Diff(before, after)), "", nil
}

func countLines(n int) string {
	if n == 1 {
		return "1 line"
	}
	return fmt.Sprintf("%d lines", n)
}

func inSyncMessage(n int) string {
	return "in sync: all " + countLines(n) + " already in the configuration"
}
