package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/runbook-dev/runbook/config"
	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/report"
	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/internal/atomicfile"
	"github.com/runbook-dev/runbook/tasks"
)

type auditFlags struct {
	load           loadFlags
	limits         []string
	from           string
	forks          int
	connectLimit   int
	connectRetries int
	jsonPath       string
	junitPath      string
	mdPath         string
	htmlPath       string
	remediation    string
	useLab         bool
	labFaults      []string
	quiet          bool
	verbose        int
	logLevel       string
}

func newAuditCmd() *cobra.Command {
	var f auditFlags
	cmd := &cobra.Command{
		Use:   "audit PLAYBOOK...",
		Short: "Check every device's configuration against the playbook's compliance rules",
		Long: "audit reads each selected device's running configuration (or, with --from DIR, the\n" +
			"newest backup of it under DIR) and checks it against the playbook's compliance blocks:\n" +
			"required and forbidden lines, in sections at any depth, and the intended configuration's\n" +
			"drift. Against devices it also runs the playbook's read-only steps (their assertions are\n" +
			"rules too); steps that change devices, and those that depend on them, do not run.\n" +
			"Exit codes: 0 every device compliant, 1 a device not compliant or not audited (a step\n" +
			"failed, unreachable, no backup), 2 invalid playbook or usage, 130 interrupted.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAudit(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args, f)
		},
	}
	f.load.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&f.limits, "limit", nil, "only these hosts: names, globs, group:NAME, tag:NAME, all; !PATTERN excludes, &PATTERN intersects (comma-separated or repeated)")
	fl.StringVar(&f.from, "from", "", "audit the newest backup of each host under this directory (DIR/<host>/<host>-<time>.cfg, as backup steps write them) instead of connecting")
	fl.IntVar(&f.forks, "forks", 10, "devices to run at once (0 or 1: one at a time)")
	fl.IntVar(&f.connectLimit, "connect-limit", 20, "simultaneous logins, each until the device has authenticated runbook (protects AAA servers from bursts)")
	fl.IntVar(&f.connectRetries, "connect-retries", 2, "log in again, after 1s then 2s (and so on, plus up to half again at random), when a device refused or dropped the connection before its session was ready; never after rejected credentials, a host key problem or a timeout (0: never)")
	fl.StringVar(&f.jsonPath, "json", "", "write the audit as JSON to this file")
	fl.StringVar(&f.junitPath, "junit", "", "write the audit as JUnit XML to this file (one testcase per rule per device)")
	fl.StringVar(&f.mdPath, "markdown", "", "write the audit as Markdown to this file (for tickets)")
	fl.StringVar(&f.htmlPath, "html", "", "write the audit as one self-contained HTML file")
	fl.StringVar(&f.remediation, "remediation", "", "write into this directory, per device not compliant, <host>.cfg: the configuration lines that fix it")
	fl.BoolVar(&f.useLab, "lab", false, "audit a simulated copy of the inventory on 127.0.0.1")
	fl.StringArrayVar(&f.labFaults, "lab-fault", nil, "with --lab: inject faults, HOSTS:FAULTS (see docs/lab.md)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only the devices not compliant and the summary")
	fl.CountVarP(&f.verbose, "verbose", "v", "-v prints each failed rule's lines in context; -vv also each step of the run, as apply does")
	fl.StringVar(&f.logLevel, "log-level", "", "log to stderr at this level: debug, info, warn or error (default $RUNBOOK_LOG, else warn)")
	return cmd
}

// auditRuleSet is one compliance block compiled for the config package.
type auditRuleSet struct {
	block *hcl.Compliance
	rules []*config.CompiledRule
	keep  func(line string) bool // intended_match; nil: everything
}

func runAudit(ctx context.Context, stdout, stderr io.Writer, args []string, f auditFlags) error {
	plan, err := f.load.load(stderr, args)
	if err != nil {
		return err
	}
	pb := plan.Playbook
	if len(pb.Compliance) == 0 {
		return exitWith(exitInvalid, fmt.Errorf("%s has no compliance block: nothing to audit (see docs/audits.md)", strings.Join(args, " ")))
	}
	sets, err := compileCompliance(pb)
	if err != nil {
		return exitWith(exitInvalid, err)
	}
	hosts, err := engine.SelectHosts(pb.Inventory, f.limits)
	if err != nil {
		return exitWith(exitInvalid, err)
	}
	if len(hosts) == 0 {
		return exitWith(exitInvalid, fmt.Errorf("the inventory has no hosts"))
	}
	if f.forks < 0 {
		return exitWith(exitInvalid, fmt.Errorf("--forks must be 0 or more"))
	}
	if f.connectRetries < 0 {
		return exitWith(exitInvalid, fmt.Errorf("--connect-retries must be 0 or more"))
	}
	if f.quiet && f.verbose > 0 {
		return exitWith(exitInvalid, fmt.Errorf("--quiet and -v contradict each other"))
	}
	if f.from != "" && (f.useLab || len(f.labFaults) > 0) {
		return exitWith(exitInvalid, fmt.Errorf("--from audits saved configurations; it cannot be combined with --lab"))
	}
	if len(f.labFaults) > 0 && !f.useLab {
		return exitWith(exitInvalid, fmt.Errorf("--lab-fault needs --lab"))
	}
	if f.from != "" {
		if st, err := os.Stat(f.from); err != nil || !st.IsDir() {
			return exitWith(exitInvalid, fmt.Errorf("--from %s: not a directory", f.from))
		}
	}
	for _, r := range []struct{ flag, path string }{{"--json", f.jsonPath}, {"--junit", f.junitPath}, {"--markdown", f.mdPath}, {"--html", f.htmlPath}} {
		if r.path == "" {
			continue
		}
		if err := report.CheckWritable(r.path); err != nil {
			return exitWith(exitInvalid, fmt.Errorf("%s: cannot write %s: %w", r.flag, r.path, err))
		}
	}
	logger, err := newLogger(stderr, f.logLevel)
	if err != nil {
		return exitWith(exitInvalid, err)
	}

	au := &auditor{pb: pb, sets: sets, intended: map[[2]string]*config.Config{}}
	var audit *report.Audit
	if f.from != "" {
		audit = au.fromBackups(f.from, hosts)
	} else {
		// The lab's stand-ins carry the lab's credentials: redact those.
		audit, hosts, err = au.live(ctx, stdout, stderr, plan, hosts, f, logger)
		if err != nil {
			return err
		}
	}
	audit.Playbook = strings.Join(args, " ")
	byName := make(map[string]*hcl.Host, len(hosts))
	for _, h := range hosts {
		byName[h.Name] = h
	}
	lost := false
	// Remediation files are for applying: they keep configuration values
	// (an SNMP community to remove) but never the playbook's secrets. They
	// are written 0600, as backups are.
	if f.remediation != "" {
		if err := writeRemediation(f.remediation, audit, func(device string) func(string) string { return pb.Redactor(byName[device]) }); err != nil {
			fmt.Fprintf(stderr, "runbook: --remediation: %v\n", err)
			lost = true
		}
	}
	// Reports are read by people and mailed around: credentials in
	// configuration lines (hashes, communities, keys) are masked too.
	audit.Redact(func(device string) func(string) string {
		r := pb.Redactor(byName[device])
		return func(s string) string { return r(config.MaskSecrets(s)) }
	})

	report.WriteAuditConsole(stdout, audit, f.quiet, f.verbose > 0)
	for _, w := range []struct {
		path  string
		write func(string, *report.Audit) error
	}{
		{f.jsonPath, report.WriteAuditJSON},
		{f.junitPath, report.WriteAuditJUnit},
		{f.mdPath, report.WriteAuditMarkdown},
		{f.htmlPath, report.WriteAuditHTML},
	} {
		if w.path == "" {
			continue
		}
		if err := w.write(w.path, audit); err != nil {
			fmt.Fprintf(stderr, "runbook: writing reports: %v\n", err)
			lost = true
		}
	}
	switch {
	case audit.Interrupted:
		return exitWith(exitInterrupted, nil)
	case lost || !audit.Compliant() || au.stepsFailed:
		return exitWith(exitFailed, nil)
	}
	return nil
}

// compileCompliance turns the playbook's compliance blocks into the
// config package's rules.
func compileCompliance(pb *hcl.Playbook) ([]*auditRuleSet, error) {
	var sets []*auditRuleSet
	for _, c := range pb.Compliance {
		s := &auditRuleSet{block: c}
		for _, r := range c.Rules {
			cr, err := config.CompileRule(config.Rule{ID: r.ID, Severity: r.Severity, Message: r.Message, Regex: r.Regex, Block: configBlock(r.ComplianceLines)})
			if err != nil {
				return nil, fmt.Errorf("compliance %q: %w", c.Name, err)
			}
			s.rules = append(s.rules, cr)
		}
		if len(c.IntendedMatch) > 0 {
			var pats = make([]func(string) bool, 0, len(c.IntendedMatch))
			for _, m := range c.IntendedMatch {
				re, err := config.CompilePattern(m)
				if err != nil {
					return nil, fmt.Errorf("compliance %q: intended_match %q: %w", c.Name, m, err)
				}
				pats = append(pats, re.MatchString)
			}
			s.keep = func(line string) bool {
				for _, p := range pats {
					if p(line) {
						return true
					}
				}
				return false
			}
		}
		sets = append(sets, s)
	}
	return sets, nil
}

func configBlock(l hcl.ComplianceLines) config.Block {
	b := config.Block{Required: l.Required, Forbidden: l.Forbidden}
	for _, s := range l.Sections {
		b.Sections = append(b.Sections, config.Section{Pattern: s.Pattern, MustExist: s.MustExist, Block: configBlock(s.ComplianceLines)})
	}
	return b
}

// intendedID is the rule id of a compliance block's intended
// configuration; rule ids cannot hold a colon, so it is never a rule's.
func intendedID(c *hcl.Compliance) string { return "intended:" + c.Name }

// auditor evaluates the compliance blocks against configurations.
type auditor struct {
	pb   *hcl.Playbook
	sets []*auditRuleSet

	mu       sync.Mutex
	intended map[[2]string]*config.Config // platform, text -> parsed

	// stepsFailed: a read-only step failed on a device (live audits).
	stepsFailed bool
}

// rules lists the audit's columns: the compliance rules (one column per
// id), then each intended configuration.
func (au *auditor) rules() []report.AuditRule {
	var out []report.AuditRule
	seen := map[string]bool{}
	for _, s := range au.sets {
		for _, r := range s.block.Rules {
			if seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			out = append(out, report.AuditRule{ID: r.ID, Severity: r.Severity, Message: r.Message, Origin: fmt.Sprintf("compliance %q", s.block.Name)})
		}
	}
	for _, s := range au.sets {
		if s.block.Intended != nil {
			out = append(out, report.AuditRule{ID: intendedID(s.block), Severity: hcl.SeverityMedium,
				Message: "the configuration differs from the intended configuration", Origin: fmt.Sprintf("intended of compliance %q", s.block.Name)})
		}
	}
	return out
}

// inScope says whether any compliance block audits h.
func (au *auditor) inScope(h *hcl.Host) bool {
	for _, s := range au.sets {
		if s.block.Applies(h) {
			return true
		}
	}
	return false
}

// evaluate checks one device's configuration text against the blocks in
// its scope.
func (au *auditor) evaluate(h *hcl.Host, text string) []report.AuditResult {
	p := config.Lookup(h.Platform)
	cfg := config.Parse(p, text)
	var out []report.AuditResult
	for _, s := range au.sets {
		if !s.block.Applies(h) {
			continue
		}
		for _, cr := range s.rules {
			res := cr.Check(cfg)
			ar := report.AuditResult{Rule: cr.ID, Status: report.AuditPass}
			if !res.Passed {
				ar.Status = report.AuditFail
				for _, f := range res.Findings {
					ar.Findings = append(ar.Findings, report.AuditFinding{Kind: string(f.Kind), Path: f.Path, Line: f.Line})
				}
				ar.Remediation = cr.Fix(cfg, res)
			}
			out = append(out, ar)
		}
		if s.block.Intended != nil {
			out = append(out, au.drift(h, s, p, cfg))
		}
	}
	return out
}

// drift compares the configuration with the block's intended one.
func (au *auditor) drift(h *hcl.Host, s *auditRuleSet, p *config.Platform, cfg *config.Config) report.AuditResult {
	ar := report.AuditResult{Rule: intendedID(s.block), Status: report.AuditPass}
	text, _, err := au.pb.IntendedConfig(s.block, h)
	if err != nil {
		ar.Status, ar.Message = report.AuditErrored, err.Error()
		return ar
	}
	key := [2]string{p.Name, text}
	au.mu.Lock()
	want := au.intended[key]
	if want == nil {
		want = config.Parse(p, text).Select(s.keep)
		au.intended[key] = want
	}
	au.mu.Unlock()
	run := cfg.Select(s.keep)
	changes := config.Drift(run, want)
	if len(changes) == 0 {
		return ar
	}
	ar.Status = report.AuditFail
	for _, c := range changes {
		kind := "missing"
		if c.Op == config.Removed {
			kind = "extra"
		}
		ar.Findings = append(ar.Findings, report.AuditFinding{Kind: kind, Path: c.Path, Line: c.Line})
	}
	ar.Remediation = config.Remediation(run, want)
	return ar
}

// fromBackups audits the newest backup of each host under dir, on every
// core, without connecting.
func (au *auditor) fromBackups(dir string, hosts []*hcl.Host) *report.Audit {
	start := time.Now()
	a := &report.Audit{Source: "backups in " + dir, Started: start, Rules: au.rules(), Devices: make([]*report.AuditDevice, len(hosts))}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				a.Devices[i] = au.fromBackup(dir, hosts[i])
			}
		}()
	}
	for i := range hosts {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	a.Duration = time.Since(start)
	return a
}

func (au *auditor) fromBackup(dir string, h *hcl.Host) *report.AuditDevice {
	d := &report.AuditDevice{Name: h.Name, Platform: h.Platform, Groups: h.Groups, Status: report.AuditCompliant}
	if !au.inScope(h) {
		return d
	}
	path, err := tasks.LatestBackup(dir, h.Name)
	if err != nil {
		d.Status, d.Message = report.AuditError, err.Error()
		if errors.Is(err, tasks.ErrNoBackup) {
			d.Message = fmt.Sprintf("no backup of %s under %s", h.Name, filepath.Join(dir, h.Name))
		}
		return d
	}
	b, err := os.ReadFile(path)
	if err != nil {
		d.Status, d.Message = report.AuditError, err.Error()
		return d
	}
	d.Source = path
	d.Results = au.evaluate(h, string(b))
	d.Status = deviceStatus(d.Results)
	return d
}

func deviceStatus(results []report.AuditResult) string {
	st := report.AuditCompliant
	for _, r := range results {
		switch r.Status {
		case report.AuditFail:
			st = report.AuditNotCompliant
		case report.AuditErrored:
			if st == report.AuditCompliant {
				st = report.AuditError
			}
		}
	}
	return st
}

// auditStepName is the step that reads the configuration; another name
// when the playbook has a step of that name.
func auditStepName(pb *hcl.Playbook) string {
	name := "running_config"
	for taken := true; taken; {
		taken = false
		for _, s := range pb.Steps {
			if s.Name == name {
				name += "_audit"
				taken = true
				break
			}
		}
	}
	return name
}

// live runs the playbook's read-only steps and a read of the running
// configuration on every device (or the lab's), then checks the rules.
func (au *auditor) live(ctx context.Context, stdout, stderr io.Writer, plan *engine.Plan, hosts []*hcl.Host, f auditFlags, logger *slog.Logger) (*report.Audit, []*hcl.Host, error) {
	pb := plan.Playbook
	// Read-only steps, without those that depend on a step that changes
	// devices (it will not run).
	kept := map[string]bool{}
	var steps []*hcl.Step
	var dropped []string
	for _, s := range pb.Steps {
		ok := !tasks.StepChanges(s.Kind)
		for _, d := range s.DependsOn {
			if !kept[d] {
				ok = false
			}
		}
		if !ok {
			dropped = append(dropped, s.Address())
			continue
		}
		kept[s.Address()] = true
		steps = append(steps, s)
	}
	if len(dropped) > 0 {
		fmt.Fprintf(stderr, "audit: not running %s that change devices or depend on one: %s\n", auditCount(len(dropped), "step", "steps"), strings.Join(dropped, ", "))
	}
	var mu sync.Mutex
	configs := map[string]string{}
	reader := tasks.ConfigReaderKind{Deliver: func(host, _ string, cfg string) {
		mu.Lock()
		configs[host] = cfg
		mu.Unlock()
	}}
	readStep := &hcl.Step{Kind: "audit", Name: auditStepName(pb), OnFailure: hcl.OnFailureContinue, Body: hclv2.EmptyBody(), DeclRange: pb.Compliance[0].DeclRange}
	ap := *pb
	ap.Steps = append([]*hcl.Step{readStep}, steps...)
	ap.Rollback, ap.Rollout = nil, nil
	kinds := tasks.Kinds()
	kinds["audit"] = reader
	auditPlan, diags := engine.Compile(&ap, kinds)
	if diags.HasErrors() {
		f.load.writeDiags(stderr, diags, pb.Files)
		return nil, nil, exitWith(exitInvalid, nil)
	}

	source := "devices"
	if f.useLab {
		lr, err := startLab(ctx, hosts, f.labFaults)
		if err != nil {
			return nil, nil, exitWith(exitInvalid, fmt.Errorf("--lab: %w", err))
		}
		defer lr.Close()
		hosts = lr.hosts
		source = "lab"
		fmt.Fprintf(stderr, "lab: %d simulated devices on 127.0.0.1 stand in for the inventory\n", len(hosts))
	} else if err := checkCredentials(hosts); err != nil {
		return nil, nil, exitWith(exitInvalid, err)
	}
	opts := engine.Options{
		Forks:          f.forks,
		ConnectLimit:   f.connectLimit,
		ConnectRetries: connectRetries(f.connectRetries),
		Open:           newOpener(logger),
		Logger:         logger,
		Mode:           "audit",
	}
	// The audit's own summary says what people need; -vv also shows the
	// run, step by step, as apply does.
	if f.verbose >= 2 {
		opts.Sink = report.NewConsole(stdout, report.ConsoleOptions{TTY: isTTY(stdout), Verbose: f.verbose - 1})
	}
	// Until the reports are written, also after an interrupt.
	stopGoverning, _ := governMemory(os.Getenv)
	defer stopGoverning()
	rep := auditPlan.Run(ctx, hosts, opts)
	waitSessionsClosed()
	if opts.Sink != nil {
		if err := opts.Sink.Close(); err != nil {
			fmt.Fprintf(stderr, "runbook: %v\n", err)
		}
	}

	a := &report.Audit{Source: source, Started: rep.Start, Duration: rep.Duration, Interrupted: rep.Interrupted, Rules: au.rules()}
	// Step assertions are rules too: one column per assertion.
	type assertRule struct{ step, name, id string }
	var asserts []assertRule
	taken := map[string]bool{}
	for _, r := range a.Rules {
		taken[r.ID] = true
	}
	for _, s := range steps {
		for _, as := range s.Asserts {
			id := s.Name + "." + as.Name
			if taken[id] {
				id = s.Address() + "." + as.Name
			}
			taken[id] = true
			asserts = append(asserts, assertRule{s.Address(), as.Name, id})
			a.Rules = append(a.Rules, report.AuditRule{ID: id, Severity: hcl.SeverityMedium, Message: as.Message, Origin: "step " + s.Address()})
		}
	}
	results := map[string]*engine.DeviceResult{}
	for _, d := range rep.Devices {
		results[d.Name] = d
	}
	for _, h := range hosts {
		d := &report.AuditDevice{Name: h.Name, Platform: h.Platform, Groups: h.Groups, Status: report.AuditCompliant}
		dr := results[h.Name]
		mu.Lock()
		cfg, read := configs[h.Name]
		mu.Unlock()
		var problems []string
		stepRes := map[string]*engine.StepResult{}
		if dr != nil {
			for _, sr := range dr.Steps {
				stepRes[sr.Address] = sr
				if sr.Address != readStep.Address() && (sr.Status == engine.StatusError || (sr.Status == engine.StatusFailed && len(sr.Asserts) == 0)) {
					problems = append(problems, fmt.Sprintf("%s %s: %s", sr.Address, sr.Status, sr.Message))
				}
			}
		}
		switch {
		case read:
			d.Results = au.evaluate(h, cfg)
		case au.inScope(h):
			msg := "the configuration was not read"
			if dr != nil {
				if sr := stepRes[readStep.Address()]; sr != nil && sr.Message != "" {
					msg = "reading the configuration: " + sr.Message
				} else if dr.Message != "" {
					msg = dr.Message
				}
			}
			for _, s := range au.sets {
				if !s.block.Applies(h) {
					continue
				}
				for _, r := range s.block.Rules {
					d.Results = append(d.Results, report.AuditResult{Rule: r.ID, Status: report.AuditErrored, Message: msg})
				}
				if s.block.Intended != nil {
					d.Results = append(d.Results, report.AuditResult{Rule: intendedID(s.block), Status: report.AuditErrored, Message: msg})
				}
			}
			problems = append([]string{msg}, problems...)
		}
		for _, ar := range asserts {
			sr := stepRes[ar.step]
			res := report.AuditResult{Rule: ar.id, Status: report.AuditErrored, Message: "the step did not run"}
			switch {
			case sr == nil:
			case sr.Status == engine.StatusSkipped && strings.HasPrefix(sr.Message, "when is false"):
				continue // not in this device's scope
			default:
				for _, x := range sr.Asserts {
					if x.Name != ar.name {
						continue
					}
					res = report.AuditResult{Rule: ar.id, Status: report.AuditPass}
					if !x.Passed {
						res.Status = report.AuditFail
						res.Findings = []report.AuditFinding{{Kind: "assert", Line: x.Message}}
					}
				}
				if res.Status == report.AuditErrored && sr.Message != "" {
					res.Message = fmt.Sprintf("step %s %s: %s", sr.Address, sr.Status, sr.Message)
				}
			}
			d.Results = append(d.Results, res)
		}
		d.Status = deviceStatus(d.Results)
		if len(problems) > 0 {
			au.stepsFailed = true
			d.Message = strings.Join(problems, "; ")
			if d.Status == report.AuditCompliant {
				d.Status = report.AuditError
			}
		}
		if dr == nil || dr.Status == engine.DeviceSkipped {
			au.stepsFailed = true
		}
		a.Devices = append(a.Devices, d)
	}
	return a, hosts, nil
}

func auditCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// writeRemediation writes, per device not compliant, DIR/<host>.cfg: the
// remediation of each failed rule in turn, under a comment naming it.
func writeRemediation(dir string, a *report.Audit, redact func(device string) func(string) string) error {
	var errs []error
	for _, d := range a.Devices {
		if d.Status != report.AuditNotCompliant {
			continue
		}
		comment := "!"
		if config.Lookup(d.Platform).Syntax == config.Junos {
			comment = "#"
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s remediation of %s by runbook audit %s\n", comment, d.Name, a.Playbook)
		n := 0
		for _, r := range d.Failed() {
			if len(r.Remediation) == 0 {
				continue
			}
			rule := a.Rule(r.Rule)
			fmt.Fprintf(&b, "%s %s (%s)", comment, r.Rule, rule.Severity)
			if rule.Message != "" {
				fmt.Fprintf(&b, ": %s", strings.ReplaceAll(rule.Message, "\n", " "))
			}
			b.WriteString("\n")
			for _, l := range r.Remediation {
				b.WriteString(redact(d.Name)(l) + "\n")
			}
			n++
		}
		if n == 0 {
			continue
		}
		name := strings.NewReplacer("/", "_", `\`, "_").Replace(d.Name)
		if err := atomicfile.WriteFile(filepath.Join(dir, name+".cfg"), []byte(b.String()), 0o600, 0o750); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
