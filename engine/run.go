package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/tasks"
)

// Session is an open device session: what steps run against, plus Close.
type Session interface {
	tasks.Conn
	Close() error
}

// Opener opens a session to a host. transcript may be nil.
type Opener func(ctx context.Context, h *hcl.Host, transcript io.Writer) (Session, error)

// Options tune a run.
type Options struct {
	Forks int // devices at once; 0 or 1 runs serially; default 10 (set by the CLI)
	// ConnectLimit caps simultaneous logins, separately from Forks,
	// because AAA servers choke on login bursts. A login holds its slot
	// until the device has authenticated us (driver.WithAuthenticated), or
	// until Open returns. Default 20.
	ConnectLimit int
	// ConnectJitter: an attempt first waits a random time up to this,
	// scaled by how full the ConnectLimit is, so a fleet does not log in in
	// lockstep; it waits before taking a slot. Default 25ms; negative
	// disables.
	ConnectJitter time.Duration
	FailFast      bool
	Check         bool // run only steps that do not change devices
	// KeepConfigBodies keeps the output of the steps that read a device's
	// whole configuration (backup, checkpoint) in the Report. By default it
	// is in the step's events only, and the Report says it was omitted.
	KeepConfigBodies bool
	// RetryBackoff is the first wait between attempts of a step; it doubles
	// per attempt up to 30s. Default 1s. Connection retries wait as long,
	// plus up to half again at random.
	RetryBackoff time.Duration
	// ConnectRetries is how many more times a login is tried when the
	// device refused or dropped the connection before its session was
	// ready (an SSH server out of vty lines or connection slots does that
	// under load). Never after a rejected login, a host key problem or a
	// timeout. Default 2; negative: none.
	ConnectRetries int
	Open           Opener // default DriverOpener(nil)
	// SessionLog, when set, gives the per-device transcript writer.
	SessionLog func(device string) (io.WriteCloser, error)
	Sink       Sink
	Now        func() time.Time
	Mode       string // "apply" or "check", for the report
	// Logger receives what the run does (connects, steps, retries; at
	// debug level every command sent), redacted. nil: discard.
	Logger *slog.Logger
	// Tracer, when set, receives per step the commands sent and the
	// prompts matched (redacted), just before the step's StepFinished
	// event: `runbook apply -vv`.
	Tracer StepTracer
}

// StepTracer receives a step's trace: lines "> command" for what was sent
// and "< prompt" for the prompt that ended each answer, secrets replaced
// by (sensitive). Calls are serialised with the Sink's events.
type StepTracer interface {
	StepTrace(device, step string, lines []string)
}

// Run runs the plan on hosts and returns the report; it never returns
// early on a device failure. When ctx is cancelled, running steps stop,
// sessions close, devices not yet started are marked skipped, and the
// report (with Interrupted set) is still returned and emitted.
func (p *Plan) Run(ctx context.Context, hosts []*hcl.Host, opts Options) *Report {
	r := newRunner(p, hosts, opts)
	return r.run(ctx)
}

type runner struct {
	plan    *Plan
	hosts   []*hcl.Host
	opts    Options
	emitMu  sync.Mutex
	connSem chan struct{}

	stopMu  sync.Mutex
	stopped string // why no more devices start ("" while they may)

	batchOf map[string]int // host name -> rollout batch (1-based)
}

func newRunner(p *Plan, hosts []*hcl.Host, opts Options) *runner {
	if opts.Forks < 1 {
		opts.Forks = 1
	}
	if opts.ConnectLimit <= 0 {
		opts.ConnectLimit = 20
	}
	if opts.ConnectJitter == 0 {
		opts.ConnectJitter = 25 * time.Millisecond
	}
	if opts.RetryBackoff <= 0 {
		opts.RetryBackoff = time.Second
	}
	if opts.ConnectRetries == 0 {
		opts.ConnectRetries = 2
	}
	if opts.Open == nil {
		opts.Open = DriverOpener(nil)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Mode == "" {
		opts.Mode = "apply"
		if opts.Check {
			opts.Mode = "check"
		}
	}
	batchOf := map[string]int{}
	for k, b := range p.Playbook.Rollout.Batches(len(hosts)) {
		for _, h := range hosts[b[0] : b[0]+b[1]] {
			batchOf[h.Name] = k + 1
		}
	}
	return &runner{plan: p, hosts: hosts, opts: opts, connSem: make(chan struct{}, opts.ConnectLimit), batchOf: batchOf}
}

func (r *runner) emit(e Event) {
	if r.opts.Sink == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = r.opts.Now()
	}
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	r.opts.Sink.Event(e)
}

func (r *runner) stop(why string) {
	r.stopMu.Lock()
	defer r.stopMu.Unlock()
	if r.stopped == "" {
		r.stopped = why
	}
}

func (r *runner) stopReason(ctx context.Context) string {
	if ctx.Err() != nil {
		return "not started: run interrupted"
	}
	r.stopMu.Lock()
	defer r.stopMu.Unlock()
	return r.stopped
}

func (r *runner) run(ctx context.Context) *Report {
	rep := &Report{
		Playbook: playbookName(r.plan.Playbook),
		Mode:     r.opts.Mode,
		Start:    r.opts.Now(),
		Devices:  make([]*DeviceResult, len(r.hosts)),
	}
	r.emit(Event{Type: RunStarted, Total: len(r.hosts), Report: &Report{Playbook: rep.Playbook, Mode: rep.Mode, Start: rep.Start}})

	ro := r.plan.Playbook.Rollout
	batches := ro.Batches(len(r.hosts))
	ran, failed := 0, 0 // devices of the batches run so far, and those that failed
	for k, b := range batches {
		idx := make([]int, b[1])
		names := make([]string, b[1])
		for j := range idx {
			idx[j] = b[0] + j
			names[j] = r.hosts[idx[j]].Name
		}
		var br *BatchResult
		if ro != nil {
			br = &BatchResult{Number: k + 1, Devices: names}
			rep.Batches = append(rep.Batches, br)
		}
		if why := r.stopReason(ctx); why != "" {
			for _, i := range idx {
				rep.Devices[i] = r.skipDevice(r.hosts[i], why)
			}
			if br != nil {
				br.Message = why
			}
			continue
		}
		if br != nil {
			br.Started = true
			r.emit(Event{Type: BatchStarted, Batch: k + 1, Total: len(batches), Message: batchLabel(names)})
		}
		r.runBatch(ctx, rep, idx)
		bran, bfailed := 0, 0
		for _, i := range idx {
			switch rep.Devices[i].Status {
			case DeviceSkipped:
			case DevicePassed:
				bran++
			default:
				bran++
				bfailed++
			}
		}
		ran, failed = ran+bran, failed+bfailed
		if br != nil {
			br.Failed = bfailed
		}
		if ro == nil || k == len(batches)-1 || ran == 0 {
			continue
		}
		stop := false
		if ro.MaxFailPercentage != nil {
			// Ansible's rule: strictly more than the percentage.
			stop = float64(failed)*100 > *ro.MaxFailPercentage*float64(ran)
		} else {
			// Without a limit, as Ansible: a batch in which every device
			// failed stops the rollout.
			stop = bran > 0 && bfailed == bran
		}
		if stop {
			noun := "devices"
			if ran == 1 {
				noun = "device"
			}
			r.stop(fmt.Sprintf("rollout stopped after batch %d: %d of %d %s failed", k+1, failed, ran, noun))
		}
	}

	rep.Duration = r.opts.Now().Sub(rep.Start)
	rep.Interrupted = ctx.Err() != nil
	r.emit(Event{Type: RunFinished, Report: rep, Total: len(r.hosts)})
	return rep
}

// batchLabel is "1 device: r1" or "3 devices: r2, r3, r4" (at most ten
// names).
func batchLabel(names []string) string {
	noun := "devices"
	if len(names) == 1 {
		noun = "device"
	}
	shown := names
	more := ""
	if len(shown) > 10 {
		shown, more = shown[:10], fmt.Sprintf(" and %d more", len(names)-10)
	}
	return fmt.Sprintf("%d %s: %s%s", len(names), noun, strings.Join(shown, ", "), more)
}

// runBatch runs the devices at idx (indexes into r.hosts) on the bounded
// worker pool and fills their results in rep.
func (r *runner) runBatch(ctx context.Context, rep *Report, idx []int) {
	work := make(chan int)
	var wg sync.WaitGroup
	workers := min(r.opts.Forks, len(idx))
	for range workers {
		wg.Go(func() {
			for i := range work {
				// Checked again here: the device may have been queued
				// before another one failed under --fail-fast.
				if why := r.stopReason(ctx); why != "" {
					rep.Devices[i] = r.skipDevice(r.hosts[i], why)
					continue
				}
				rep.Devices[i] = r.safeDevice(ctx, r.hosts[i])
			}
		})
	}
	for _, i := range idx {
		h := r.hosts[i]
		if why := r.stopReason(ctx); why != "" {
			rep.Devices[i] = r.skipDevice(h, why)
			continue
		}
		select {
		case work <- i:
		case <-ctx.Done():
			rep.Devices[i] = r.skipDevice(h, "not started: run interrupted")
		}
	}
	close(work)
	wg.Wait()
}

func playbookName(p *hcl.Playbook) string {
	var names []string
	for name := range p.Files {
		names = append(names, name)
	}
	if len(names) == 1 {
		return names[0]
	}
	slices.Sort(names) // the same name for the same files, run after run
	return strings.Join(names, ",")
}

func (r *runner) skipDevice(h *hcl.Host, why string) *DeviceResult {
	d := &DeviceResult{Name: h.Name, Address: hostAddr(h), Platform: h.Platform, Status: DeviceSkipped, Message: why, Batch: r.batchOf[h.Name], Start: r.opts.Now()}
	for _, ps := range r.plan.steps {
		d.Steps = append(d.Steps, &StepResult{Address: ps.step.Address(), Kind: ps.step.Kind, Name: ps.step.Name, Status: StatusSkipped, Message: why})
	}
	r.emit(Event{Type: DeviceFinished, Device: h.Name, Address: d.Address, Status: d.Status, Message: why, Result: d})
	return d
}

func hostAddr(h *hcl.Host) string {
	port := h.Port
	if port == 0 {
		port = 22
	}
	return fmt.Sprintf("%s:%d", h.Address, port)
}

// deviceRun is the state of one device's run.
type deviceRun struct {
	r          *runner
	host       *hcl.Host
	res        *DeviceResult
	sess       Session
	transcript io.WriteCloser
	lostLog    error // the session log could not be written
	hostExpr   tasks.ExprHost
	stepVals   map[string]cty.Value // "kind.name" -> value, for HCL references; filled by stepValues
	stepAny    map[string]any       // by "kind.name" and by name, for expressions
	unreached  error                // connect failed: the device is unreachable
	authErr    error                // credentials or enable secret refused: auth_failed, nothing more is tried
	crashed    error                // a step panicked: the device's run stops there
	setupErr   error                // the run could not be prepared (session log)
	redactor   func(string) string  // removes the host's secrets
	trace      []string             // the running step's trace (raw; redacted when it leaves)
	log        *slog.Logger         // the run's logger, with the device
	changed    bool                 // a step that ran before changed the device: save saves only then

	// The change window (rollback.go): the restore point the rollback
	// block names, once taken here; why the device is being rolled back
	// ("" while it is not); how that ended; and whether changes committed
	// with the device's confirm timer await runbook's confirm.
	checkpoint     *tasks.Checkpoint
	rollbackWhy    string
	rolledBack     bool
	rollbackFailed bool
	confirmPending bool
}

func (r *runner) device(ctx context.Context, h *hcl.Host) *DeviceResult {
	d := &deviceRun{
		r:    r,
		host: h,
		res: &DeviceResult{
			Name: h.Name, Address: hostAddr(h), Platform: h.Platform, Batch: r.batchOf[h.Name], Start: r.opts.Now(),
		},
		hostExpr: exprHost(h),
		redactor: r.plan.Playbook.Redactor(h),
		stepVals: map[string]cty.Value{},
		stepAny:  map[string]any{},
		log:      r.opts.Logger.With("device", h.Name),
	}
	d.log.Debug("device started", "address", d.res.Address, "platform", h.Platform)
	r.emit(Event{Type: DeviceStarted, Device: h.Name, Address: d.res.Address})
	if r.opts.SessionLog != nil {
		w, err := r.opts.SessionLog(h.Name)
		if err != nil {
			// A change the user asked to have on record does not run
			// unrecorded.
			d.setupErr = fmt.Errorf("session log: %w", err)
		}
		d.transcript = w
	}
	if d.setupErr != nil {
		d.res.Message = d.setupErr.Error()
		for _, ps := range d.r.plan.steps {
			sr := &StepResult{Address: ps.step.Address(), Kind: ps.step.Kind, Name: ps.step.Name, Status: StatusSkipped, Message: d.res.Message, Start: r.opts.Now()}
			d.res.Steps = append(d.res.Steps, sr)
			d.emitStep(sr)
		}
	} else if err := d.protect("the device's run", func() { d.runSteps(ctx) }); err != nil {
		d.crash(err)
	}
	d.dropSession()
	if d.transcript != nil {
		var cerr error
		if err := d.protect("closing the session log", func() { cerr = d.transcript.Close() }); err != nil {
			d.crash(err)
		} else if cerr != nil {
			// The transcript is lost: the device did not pass as asked,
			// whatever its steps did, and its message says so.
			d.lostLog = cerr
			if d.res.Message == "" {
				d.res.Message = cerr.Error()
			} else {
				d.res.Message += "; " + cerr.Error()
			}
		}
	}
	d.res.Message = d.redactor(d.res.Message)
	if !r.opts.KeepConfigBodies {
		dropConfigBodies(d.res)
	}
	d.res.Duration = r.opts.Now().Sub(d.res.Start)
	d.res.Status = d.status()
	if d.res.Status != DevicePassed && d.res.Status != DeviceSkipped && r.opts.FailFast {
		r.stop("not started: --fail-fast after " + h.Name + " failed")
	}
	lvl := slog.LevelDebug
	if d.res.Status != DevicePassed {
		lvl = slog.LevelInfo
	}
	attrs := []any{"status", d.res.Status, "duration", d.res.Duration}
	if d.res.Message != "" {
		attrs = append(attrs, "message", d.res.Message)
	}
	d.log.Log(context.Background(), lvl, "device finished", attrs...)
	r.emit(Event{Type: DeviceFinished, Device: h.Name, Address: d.res.Address, Status: d.res.Status, Message: d.res.Message, Result: d.res, Duration: d.res.Duration})
	return d.res
}

func (d *deviceRun) status() Status {
	if d.setupErr != nil || d.lostLog != nil {
		return DeviceError
	}
	switch {
	case d.rollbackFailed:
		return DeviceRollbackFailed
	case d.rolledBack:
		return DeviceRolledBack
	case d.crashed != nil:
		return DeviceError
	}
	if d.authErr != nil {
		return DeviceAuthFailed
	}
	if d.unreached != nil {
		return DeviceUnreachable
	}
	st := DevicePassed
	for _, s := range d.res.Steps {
		switch s.Status {
		case StatusError:
			return DeviceError
		case StatusFailed:
			st = DeviceFailed
		case StatusSkipped:
			// A device cut short by Ctrl+C did not pass.
			if st == DevicePassed && s.Message == msgInterrupted {
				st = DeviceError
				d.res.Message = msgInterrupted
			}
		}
	}
	return st
}

// exprHost is the `host` of expressions, from the same value HCL sees.
func exprHost(h *hcl.Host) tasks.ExprHost {
	return tasks.ExprHost{
		Name:     h.Name,
		Address:  h.Address,
		Port:     h.Port,
		Platform: h.Platform,
		Groups:   h.Groups,
		Tags:     h.Tags,
		Vars:     ctyMapToAny(h.Vars),
	}
}

func (d *deviceRun) runSteps(ctx context.Context) {
	steps := d.r.plan.steps
	for i, ps := range steps {
		sr := &StepResult{Address: ps.step.Address(), Kind: ps.step.Kind, Name: ps.step.Name}
		d.res.Steps = append(d.res.Steps, sr)
		st, why := d.blocked(ctx, ps)
		if why == "" {
			why = d.changeWindowBlock(i, ps)
		}
		if why != "" {
			sr.Status, sr.Message, sr.Start = st, why, d.r.opts.Now()
			d.recordOutcome(ps, sr)
			d.emitStep(sr)
			d.afterStep(ctx, i, ps, sr)
			continue
		}
		d.r.emit(Event{Type: StepStarted, Device: d.host.Name, Step: sr.Address, Kind: sr.Kind, Name: sr.Name})
		d.trace = nil
		err := d.protect(sr.Address, func() {
			if d.r.opts.Check && ps.kind.Changes() {
				d.checkStep(ctx, ps, sr)
			} else {
				d.runStep(ctx, ps, sr)
			}
		})
		if err != nil {
			sr.Status, sr.Message = StatusError, err.Error()
			d.crash(err)
		}
		d.recordOutcome(ps, sr)
		d.redact(sr)
		d.emitTrace(sr)
		d.logStep(sr)
		d.emitStep(sr)
		d.afterStep(ctx, i, ps, sr)
	}
	d.finishChange(ctx)
}

// logStep logs a finished step: debug when it went well, info otherwise
// (the console already shows failures; the log keeps them with the rest).
func (d *deviceRun) logStep(sr *StepResult) {
	lvl := slog.LevelDebug
	if failedOrError(sr.Status) {
		lvl = slog.LevelInfo
	}
	attrs := []any{"step", sr.Address, "status", sr.Status, "duration", sr.Duration}
	if sr.Attempts > 1 {
		attrs = append(attrs, "attempts", sr.Attempts)
	}
	if sr.Message != "" {
		attrs = append(attrs, "message", sr.Message)
	}
	d.log.Log(context.Background(), lvl, "step finished", attrs...)
}

func failedOrError(st Status) bool { return st == StatusFailed || st == StatusError }

// emitTrace hands the step's trace, redacted, to the Tracer.
func (d *deviceRun) emitTrace(sr *StepResult) {
	tr := d.r.opts.Tracer
	if tr == nil || len(d.trace) == 0 {
		return
	}
	lines := make([]string, len(d.trace))
	for i, l := range d.trace {
		lines[i] = d.redactor(l)
	}
	d.trace = nil
	d.r.emitMu.Lock()
	defer d.r.emitMu.Unlock()
	tr.StepTrace(d.host.Name, sr.Address, lines)
}

// blocked says why a step must not run on this device, or "", and the
// status that gives the step: skipped, or error for a `when` that cannot
// be evaluated (a safety condition that fails must fail the device, not
// silently skip the step).
func (d *deviceRun) blocked(ctx context.Context, ps *planStep) (Status, string) {
	why := d.blockedWhy(ctx, ps)
	if strings.HasPrefix(why, whenError) {
		return StatusError, why
	}
	return StatusSkipped, why
}

func (d *deviceRun) blockedWhy(ctx context.Context, ps *planStep) string {
	if ctx.Err() != nil {
		return msgInterrupted
	}
	if d.crashed != nil {
		return "not run: the device's run stopped after an internal error"
	}
	if d.authErr != nil {
		return "not run: authentication failed (not retried)"
	}
	if d.unreached != nil {
		return "device unreachable"
	}
	for _, i := range ps.deps {
		dep := d.res.Steps[i]
		ok := dep.Status == StatusOK || dep.Status == StatusChanged ||
			(dep.Status == StatusSkipped && strings.HasPrefix(dep.Message, whenFalse))
		if !ok && d.r.plan.steps[i].step.OnFailure == hcl.OnFailureContinue && dep.Status != StatusSkipped {
			ok = true
		}
		// In check mode a changing step that would change something lets
		// the changing steps after it be checked too (a save after a
		// push); read-only steps after it (post-checks) cannot run.
		if !ok && d.r.opts.Check && ps.kind.Changes() && len(dep.WouldChange) > 0 {
			ok = true
		}
		if !ok {
			return fmt.Sprintf("dependency %s %s", dep.Address, dep.Status)
		}
	}
	if ps.when != nil {
		ok, err := ps.when.Eval(d.exprEnv("", nil))
		if err != nil {
			return whenError + err.Error()
		}
		if !ok {
			return whenFalse + ps.step.When.Source
		}
	}
	return ""
}

const (
	whenError      = "when: "
	whenFalse      = "when is false: "
	msgInterrupted = "run interrupted"
)

func (d *deviceRun) emitStep(sr *StepResult) {
	d.r.emit(Event{
		Type: StepFinished, Device: d.host.Name, Step: sr.Address, Kind: sr.Kind, Name: sr.Name,
		Status: sr.Status, Duration: sr.Duration, Message: sr.Message, Output: sr.Output,
		Records: sr.Records, Asserts: sr.Asserts, Diff: sr.Diff,
	})
}

// exprEnv is what `when` and `assert` expressions see.
func (d *deviceRun) exprEnv(output string, records []map[string]any) tasks.ExprEnv {
	result := make([]any, len(records))
	for i, rec := range records {
		result[i] = rec
	}
	return tasks.ExprEnv{
		Output: output,
		Result: result,
		Steps:  d.stepAny, // expressions cannot modify it
		Vars:   d.r.plan.vars,
		Host:   d.hostExpr,
	}
}

func (d *deviceRun) connect(ctx context.Context) error {
	if d.sess != nil {
		return nil
	}
	backoff := d.r.opts.RetryBackoff
	for attempt := 0; ; attempt++ {
		err := d.connectOnce(ctx)
		if err == nil || !reconnectable(err) || attempt >= d.r.opts.ConnectRetries || ctx.Err() != nil {
			if err != nil && attempt > 0 {
				err = fmt.Errorf("%w (after %d connection attempts)", err, attempt+1)
			}
			return err
		}
		wait := backoff + rand.N(backoff/2+1)
		d.log.Info("connection refused or dropped before the session was ready; connecting again",
			"next_attempt", attempt+2, "attempts", d.r.opts.ConnectRetries+1, "wait", wait.Round(time.Millisecond), "error", d.redactor(err.Error()))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// reconnectable says whether a failed login may succeed if tried again:
// the device refused the connection or closed it before the session was
// ready, and nothing was sent to it but the login. A rejected login (which
// counts towards a lockout), a host key problem and a timeout (a dead
// device would only cost its timeout again) are not.
func reconnectable(err error) bool {
	return (errors.Is(err, driver.ErrConnect) || errors.Is(err, driver.ErrClosed)) &&
		!errors.Is(err, driver.ErrAuth) && !errors.Is(err, driver.ErrHostKey) && !errors.Is(err, driver.ErrTimeout) &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// jitterBound is the longest a login waits at random before it asks for a
// slot: ConnectJitter scaled by how many of the ConnectLimit slots are
// taken. It grows with the logins in flight, so the first wave of a run is
// spread over ConnectJitter while a lone reconnect, or a run whose logins
// are already staggered, waits little.
func (r *runner) jitterBound() time.Duration {
	return r.opts.ConnectJitter * time.Duration(len(r.connSem)) / time.Duration(cap(r.connSem))
}

func (d *deviceRun) connectOnce(ctx context.Context) error {
	// The random wait comes before the slot: waiting in one would only
	// hold up the logins queued behind it.
	if j := d.r.jitterBound(); j > 0 {
		t := time.NewTimer(rand.N(j))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	select {
	case d.r.connSem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	// The slot is for the login only: it is freed once the device has
	// authenticated us (the driver says so), or when Open returns.
	release := sync.OnceFunc(func() { <-d.r.connSem })
	defer release()
	var tw io.Writer
	if d.transcript != nil {
		tw = d.transcript
	}
	d.log.Debug("connecting", "address", hostAddr(d.host))
	s, err := d.r.opts.Open(driver.WithAuthenticated(ctx, release), d.host, tw)
	if err != nil {
		d.log.Info("connect failed", "error", d.redactor(err.Error()))
		return err
	}
	d.log.Debug("connected")
	d.sess = s
	return nil
}

// runStep runs one step with its timeout and retries, then parse and
// assertions, and fills sr.
func (d *deviceRun) runStep(ctx context.Context, ps *planStep, sr *StepResult) {
	sr.Start = d.r.opts.Now()
	defer func() { sr.Duration = d.r.opts.Now().Sub(sr.Start) }()

	action, err := d.decode(ps)
	if err != nil {
		sr.Status, sr.Message = StatusError, err.Error()
		return
	}
	backoff := d.r.opts.RetryBackoff
	total := ps.step.Retries + 1
	for attempt := 0; ; attempt++ {
		sr.Attempts = attempt + 1
		final := d.attempt(ctx, ps, action, sr)
		if final || attempt >= ps.step.Retries || ctx.Err() != nil {
			if attempt > 0 && failedOrError(sr.Status) {
				sr.Message += fmt.Sprintf(" (after %d attempts)", attempt+1)
			}
			return
		}
		d.retrying(sr, attempt+2, total, backoff)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// retrying makes a retry visible: a StepStarted event whose Message reads
// "attempt 2/3 after 1s" and, on the next line, why the last attempt did
// not pass; and a log record.
func (d *deviceRun) retrying(sr *StepResult, next, total int, backoff time.Duration) {
	why := d.redactor(sr.Message)
	if why == "" {
		why = string(sr.Status)
	}
	d.log.Info("retrying step", "step", sr.Address, "attempt", next, "of", total, "after", backoff, "previous", why)
	d.trace = append(d.trace, fmt.Sprintf("-- attempt %d/%d", next, total))
	d.r.emit(Event{
		Type: StepStarted, Device: d.host.Name, Step: sr.Address, Kind: sr.Kind, Name: sr.Name,
		Message: fmt.Sprintf("attempt %d/%d after %s\nattempt %d %s: %s", next, total, backoff, next-1, sr.Status, why),
	})
}

// decode renders the step's body for this host, with the values of the
// steps that ran before it.
func (d *deviceRun) decode(ps *planStep) (tasks.Action, error) {
	var steps map[string]cty.Value
	if ps.step.RefersToSteps() {
		steps = d.stepValues()
	}
	act, diags := ps.kind.Decode(ps.step.Body, d.r.plan.Playbook.StepContext(ps.step, d.host, steps))
	if diags.HasErrors() {
		return nil, diags
	}
	action, ok := act.(tasks.Action)
	if !ok {
		return nil, fmt.Errorf("step kind %s returned no action", ps.step.Kind)
	}
	return action, nil
}

// stepContext bounds one attempt of a step by its timeout.
func stepContext(ctx context.Context, ps *planStep) (context.Context, context.CancelFunc) {
	if ps.step.Timeout > 0 {
		return context.WithTimeout(ctx, ps.step.Timeout)
	}
	return context.WithCancel(ctx)
}

// open makes sure the device has a session. On failure it fills sr and
// records the device as unreachable, unless the run was interrupted.
func (d *deviceRun) open(ctx, sctx context.Context, sr *StepResult) error {
	err := d.connect(sctx)
	if err == nil {
		d.unreached = nil
		d.res.Message = ""
		return nil
	}
	sr.Status, sr.Message = StatusError, err.Error()
	if ctx.Err() != nil {
		// Interrupted while connecting: not the device's fault.
		sr.Message = msgInterrupted
		return err
	}
	if errors.Is(err, driver.ErrAuth) {
		d.authErr = err
	} else {
		d.unreached = err
	}
	d.res.Message = sr.Message
	return err
}

func (d *deviceRun) env(ps *planStep) *tasks.Env {
	changed := d.changed
	e := &tasks.Env{HostName: d.host.Name, Platform: d.host.Platform, Now: d.r.opts.Now, BaseDir: ps.baseDir, ChangedBefore: &changed, Step: ps.step.Name}
	if rb := d.r.plan.Playbook.Rollback; rb != nil && d.checkpoint != nil && !d.r.opts.Check {
		e.CommitConfirm = rb.ConfirmTimeout
	}
	return e
}

// attempt runs the step once. It returns true when retrying cannot help
// (success, or an error that must not be retried such as bad credentials).
func (d *deviceRun) attempt(ctx context.Context, ps *planStep, action tasks.Action, sr *StepResult) bool {
	sctx, cancel := stepContext(ctx, ps)
	defer cancel()
	sr.Output, sr.Records, sr.Asserts, sr.Message, sr.Diff = "", nil, nil, "", ""
	d.forget(ps) // a retry must not leave the last attempt's value behind
	var conn tasks.Conn
	if ps.step.Kind != "assert" {
		if err := d.open(ctx, sctx, sr); err != nil {
			return ctx.Err() != nil || !retryable(err)
		}
		conn = d.conn()
	}
	run := action.Run
	if c, ok := action.(tasks.Checker); ok && d.r.opts.Check {
		// A step that changes no device but would change something else
		// (a backup writes and rotates files) checks instead: check
		// changes nothing at all.
		run = c.Check
	}
	env := d.env(ps)
	res, err := run(sctx, conn, env)
	if err != nil {
		sr.Status, sr.Message = StatusError, err.Error()
		if ps.step.Timeout > 0 && ctx.Err() == nil && (sctx.Err() != nil || errors.Is(err, driver.ErrTimeout)) {
			sr.Message = fmt.Sprintf("timed out (step timeout %s): %s", ps.step.Timeout, timeoutDetail(err))
		}
		// An enable secret refused: nothing else runs on this device,
		// as the next step would send the secret again.
		if errors.Is(err, driver.ErrAuth) {
			d.authErr = err
			d.res.Message = sr.Message
		}
		// The session's state is unknown after a transport error or a
		// timeout: drop it, so the next attempt or step reconnects.
		d.dropSession()
		return !retryable(err)
	}
	if res.Changed && !d.r.opts.Check {
		d.changed = true // a partial push too: it changed the device
		d.noteConfirmTimer(env)
	}
	d.noteCheckpoint(ps, res)
	sr.Output, sr.Diff = res.Output, res.Diff
	sr.Status = StatusOK
	sr.Message = res.Message // a passing step may say something (check: a backup not written)
	if res.Changed {
		sr.Status = StatusChanged
	}
	if res.Failed {
		sr.Status, sr.Message = StatusFailed, res.Message
	}
	records := res.Records
	if ps.parser != nil && !res.Failed {
		recs, perr := ps.parser.ParseFor(d.host.Platform, res.Command, res.Output)
		if perr != nil {
			sr.Status, sr.Message = StatusFailed, "parse: "+perr.Error()
		}
		records = recs
	}
	sr.Records = records
	d.record(ps, res, records)
	if sr.Status == StatusFailed {
		return false
	}
	env2 := d.exprEnv(res.Output, records)
	var failed []string
	for _, a := range ps.asserts {
		out, aerr := a.Eval(env2)
		ar := AssertResult{Name: a.Name(), Passed: aerr == nil && out.Passed, Message: out.Message}
		if aerr != nil {
			ar.Message = aerr.Error()
		}
		sr.Asserts = append(sr.Asserts, ar)
		if !ar.Passed {
			failed = append(failed, fmt.Sprintf("assert %q: %s", ar.Name, ar.Message))
		}
	}
	if len(failed) > 0 {
		sr.Status, sr.Message = StatusFailed, strings.Join(failed, "; ")
		return false
	}
	return true
}

// timeoutDetail is a timeout error without what the step line already
// says (the device) and what the message starts with (timed out):
// `send_command "show clock": no prompt within 2s (privileged mode); last
// received: "show clock\n"`.
func timeoutDetail(err error) string {
	var de *driver.Error
	if !errors.As(err, &de) || de.Detail == "" {
		return err.Error()
	}
	if de.Op == "" {
		return de.Detail
	}
	return de.Op + ": " + de.Detail
}

// redact removes the host's secrets and sensitive variables from what
// leaves the run (events, reports): a running-config may show a password
// in clear text. Later steps' expressions still see the raw values.
func (d *deviceRun) redact(sr *StepResult) {
	r := d.redactor
	sr.Output, sr.Message, sr.Diff = r(sr.Output), r(sr.Message), r(sr.Diff)
	for i := range sr.Asserts {
		sr.Asserts[i].Message = r(sr.Asserts[i].Message)
	}
	for i := range sr.WouldChange {
		sr.WouldChange[i] = r(sr.WouldChange[i])
	}
	if sr.Records != nil {
		recs := make([]map[string]any, len(sr.Records))
		for i, rec := range sr.Records {
			recs[i] = redactRecord(rec, r)
		}
		sr.Records = recs
	}
	d.res.Message = r(d.res.Message)
}

func redactRecord(rec map[string]any, r func(string) string) map[string]any {
	out := make(map[string]any, len(rec))
	for k, v := range rec {
		switch v := v.(type) {
		case string:
			out[k] = r(v)
		case []any:
			l := make([]any, len(v))
			for i, e := range v {
				if s, ok := e.(string); ok {
					e = r(s)
				}
				l[i] = e
			}
			out[k] = l
		default:
			out[k] = v
		}
	}
	return out
}

// checkStep stands in for a changing step in check mode: it asks the
// step what it would change (reading only), or lists what it would send.
// The step is reported skipped, with WouldChange filled.
func (d *deviceRun) checkStep(ctx context.Context, ps *planStep, sr *StepResult) {
	sr.Start = d.r.opts.Now()
	defer func() { sr.Duration = d.r.opts.Now().Sub(sr.Start) }()
	action, err := d.decode(ps)
	if err != nil {
		sr.Status, sr.Message = StatusError, err.Error()
		return
	}
	checker, ok := action.(tasks.Checker)
	if !ok {
		sr.Status, sr.Message = StatusSkipped, checkPrefix+"would run"
		sr.WouldChange = action.Describe()
		return
	}
	sctx, cancel := stepContext(ctx, ps)
	defer cancel()
	if d.open(ctx, sctx, sr) != nil {
		return
	}
	res, err := checker.Check(sctx, d.conn(), d.env(ps))
	switch {
	case err != nil:
		sr.Status, sr.Message = StatusError, "check: "+err.Error()
	case res.Failed:
		sr.Status, sr.Message, sr.Output = StatusFailed, "check: "+res.Message, res.Output
	default:
		sr.Status, sr.Message, sr.Output = StatusSkipped, checkPrefix+res.Message, res.Output
		sr.WouldChange, sr.Diff = res.Pending, res.Diff
	}
}

const checkPrefix = "check mode: "

// record makes a step's result visible to later steps, both to HCL
// references (step.KIND.NAME.ATTR) and to expressions (steps.NAME.ATTR).
func (d *deviceRun) record(ps *planStep, res *tasks.Result, records []map[string]any) {
	v := res.Value()
	if records != nil {
		recs := make([]any, len(records))
		for i, r := range records {
			recs[i] = r
		}
		v["result"] = recs
	}
	d.stepAny[ps.step.Address()] = v
	if !d.r.plan.shared[ps.step.Name] {
		d.stepAny[ps.step.Name] = v
	}
	delete(d.stepVals, ps.step.Address())
}

// stepValues converts for HCL references (step.KIND.NAME.ATTR) the
// results recorded since it was last called. Only a step whose body refers
// to step needs them, and converting every result of every device was
// more than 3% of a fleet run's allocations.
func (d *deviceRun) stepValues() map[string]cty.Value {
	for _, s := range d.r.plan.Playbook.Steps {
		addr := s.Address()
		if _, done := d.stepVals[addr]; done {
			continue
		}
		if v, ok := d.stepAny[addr].(map[string]any); ok {
			d.stepVals[addr] = anyToCty(v)
		}
	}
	return d.stepVals
}

// forget removes what an earlier attempt of the step recorded.
func (d *deviceRun) forget(ps *planStep) {
	addr := ps.step.Address()
	delete(d.stepAny, addr)
	if !d.r.plan.shared[ps.step.Name] {
		delete(d.stepAny, ps.step.Name)
	}
	delete(d.stepVals, addr)
}

// recordOutcome makes the step's final outcome visible to later steps,
// whatever it was: status (ok, changed, failed, error, skipped) and
// failed, true when the step failed for any reason (a rejected line, a
// failed assertion or parse, a timeout, a dropped session). A step that
// returned no result (skipped, or an error) still has every field, empty,
// so that `steps.post.failed` can be read after any outcome.
func (d *deviceRun) recordOutcome(ps *planStep, sr *StepResult) {
	addr := ps.step.Address()
	prev, ok := d.stepAny[addr].(map[string]any)
	if !ok || sr.Status == StatusSkipped {
		prev = (&tasks.Result{}).Value()
	}
	v := make(map[string]any, len(prev)+2)
	for k, x := range prev {
		v[k] = x
	}
	v["status"] = string(sr.Status)
	v["failed"] = failedOrError(sr.Status)
	d.stepAny[addr] = v
	if !d.r.plan.shared[ps.step.Name] {
		d.stepAny[ps.step.Name] = v
	}
	delete(d.stepVals, addr)
}

// retryable says whether trying again may help. Bad credentials and a
// changed host key never get better by retrying, and retrying a login can
// lock the account.
func retryable(err error) bool {
	return !errors.Is(err, driver.ErrAuth) && !errors.Is(err, driver.ErrHostKey) &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, driver.ErrPlatform)
}

// conn is the session steps run against: with a Tracer or a debug
// logger, one that records what is sent and the prompts that answer.
func (d *deviceRun) conn() tasks.Conn {
	if d.r.opts.Tracer == nil && !d.log.Enabled(context.Background(), slog.LevelDebug) {
		return d.sess
	}
	return tracedConn{Session: d.sess, d: d}
}

// tracedConn records each exchange in the step's trace ("> command",
// "< prompt") and logs it at debug level, redacted.
type tracedConn struct {
	Session
	d *deviceRun
}

func (c tracedConn) sent(cmd string) {
	c.d.trace = append(c.d.trace, "> "+cmd)
	c.d.log.Debug("sent", "command", c.d.redactor(cmd))
}

func (c tracedConn) answered(r *driver.Response) {
	if r == nil || r.Prompt == "" {
		return
	}
	c.d.trace = append(c.d.trace, "< "+r.Prompt)
	c.d.log.Debug("prompt matched", "prompt", c.d.redactor(r.Prompt), "failed", r.Failed)
}

func (c tracedConn) SendCommand(ctx context.Context, cmd string, opts ...driver.SendOption) (*driver.Response, error) {
	c.sent(cmd)
	r, err := c.Session.SendCommand(ctx, cmd, opts...)
	c.answered(r)
	return r, err
}

func (c tracedConn) SendConfigSet(ctx context.Context, lines []string, opts ...driver.ConfigOption) (*driver.MultiResponse, error) {
	mr, err := c.Session.SendConfigSet(ctx, lines, opts...)
	n := 0
	if mr != nil {
		for _, r := range mr.Responses {
			c.sent(r.Command)
			c.answered(r)
		}
		n = len(mr.Responses)
	}
	if err != nil && n < len(lines) {
		c.sent(lines[n]) // the line that got no answer
	}
	return mr, err
}

func (c tracedConn) Save(ctx context.Context) (*driver.Response, error) {
	r, err := c.Session.Save(ctx)
	if r != nil && r.Command != "" {
		c.sent(r.Command)
	} else {
		c.sent("(save)")
	}
	c.answered(r)
	return r, err
}

func (c tracedConn) SendInteractive(ctx context.Context, events []driver.InteractiveEvent, opts ...driver.SendOption) (*driver.Response, error) {
	for _, ev := range events {
		if ev.Hidden {
			c.sent("********")
		} else {
			c.sent(ev.Send)
		}
	}
	r, err := c.Session.SendInteractive(ctx, events, opts...)
	c.answered(r)
	return r, err
}

// dropSession closes the device's session, if any; a panic while closing
// (a broken session implementation) stops the device's run like any other.
func (d *deviceRun) dropSession() {
	if d.sess == nil {
		return
	}
	sess := d.sess
	d.sess = nil
	if err := d.protect("closing the session", func() { _ = sess.Close() }); err != nil {
		d.crash(err)
	}
}

// protect runs f and turns a panic into an error: one device's bug must
// not end the run of every other device, nor keep the reports from being
// written. The stack goes to the debug log, shortened.
func (d *deviceRun) protect(where string, f func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			msg := d.redactor(fmt.Sprint(p))
			d.log.Debug("panic", "in", where, "panic", msg, "stack", shortStack(debug.Stack()))
			err = fmt.Errorf("internal error: panic in %s: %s (a bug in runbook or a plugin; the debug log has the stack)", where, msg)
		}
	}()
	f()
	return nil
}

// crash records that the device's run stopped on an internal error: the
// device is reported error, its remaining steps are skipped.
func (d *deviceRun) crash(err error) {
	if d.crashed == nil {
		d.crashed = err
		d.res.Message = d.redactor(err.Error())
	}
	d.log.Error("device run stopped by an internal error", "error", d.redactor(err.Error()))
}

// shortStack keeps the frames of a panic's stack that tell where it
// happened: it drops the runtime's own frames (the panic machinery and
// debug.Stack) and keeps at most 16 frames.
func shortStack(stack []byte) string {
	lines := strings.Split(strings.TrimSpace(string(stack)), "\n")
	var out []string
	frames := 0
	for i := 1; i+1 < len(lines); i += 2 { // lines[0] is "goroutine N [running]:"
		fn, loc := lines[i], strings.TrimSpace(lines[i+1])
		if strings.HasPrefix(fn, "runtime/debug.Stack") || strings.HasPrefix(fn, "panic(") || strings.HasPrefix(fn, "runtime.") {
			continue
		}
		if i := strings.LastIndex(loc, " +0x"); i >= 0 {
			loc = loc[:i]
		}
		out = append(out, fn+" "+loc)
		if frames++; frames == 16 {
			break
		}
	}
	return strings.Join(out, "\n")
}

// dropConfigBodies empties the output of a device's steps that read its
// whole configuration, once their events are out (the console, the
// transcript and the backup file have it). A fleet's report would
// otherwise hold every device's configuration until the run ends: 10,000
// devices of 100 KB are a gigabyte.
func dropConfigBodies(res *DeviceResult) {
	for _, sr := range res.Steps {
		if IsConfigBody(sr.Kind) && sr.Output != "" {
			sr.Output, sr.OutputOmitted = "", OmittedConfiguration
		}
	}
}

// safeDevice runs a device and, should anything outside the protected
// parts panic (a sink, the setup), still returns the device's result as
// error so that the run and its reports go on.
func (r *runner) safeDevice(ctx context.Context, h *hcl.Host) (res *DeviceResult) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		msg := r.plan.Playbook.Redactor(h)(fmt.Sprint(p))
		r.opts.Logger.Debug("panic", "device", h.Name, "panic", msg, "stack", shortStack(debug.Stack()))
		r.opts.Logger.Error("device run stopped by an internal error", "device", h.Name, "error", msg)
		res = &DeviceResult{
			Name: h.Name, Address: hostAddr(h), Platform: h.Platform, Status: DeviceError, Batch: r.batchOf[h.Name], Start: r.opts.Now(),
			Message: "internal error: panic: " + msg + " (a bug in runbook or a plugin; the debug log has the stack)",
		}
		func() {
			defer func() { _ = recover() }() // the sink itself may be what panicked
			r.emit(Event{Type: DeviceFinished, Device: h.Name, Address: res.Address, Status: res.Status, Message: res.Message, Result: res})
		}()
	}()
	return r.device(ctx, h)
}
