package report

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// ConsoleOptions tune the console sink.
type ConsoleOptions struct {
	// TTY says the writer is a terminal (the caller checks, e.g. with
	// term.IsTerminal): show a live progress line and use colors.
	TTY bool
	// Quiet prints only the end-of-run recap.
	Quiet bool
	// NoColor turns colors off on a terminal. A non-empty NO_COLOR in the
	// environment does the same (https://no-color.org).
	NoColor bool
	// Verbose 1 (-v) prints every step with its output under its line, on
	// a terminal too; 2 (-vv) also the commands sent and the prompts
	// matched, which reach the console through StepTrace (pass the console
	// as engine.Options.Tracer).
	Verbose int
	// Diff (--diff) prints under a configuration-changing step's line its
	// diff of the running configuration (in check mode the predicted
	// one): section lines for context, "-" and "+" lines.
	Diff bool
}

// NewConsole returns the sink people watch. On a terminal it keeps one
// progress line (devices done/total, failures, elapsed) redrawn in place and
// prints failures above it as they happen; otherwise it prints one line per
// finished step and device, which reads well in CI logs. At the end of the
// run (or at Close, if the run was cut short) it prints the recap: a table of
// per-device step counts, the failures with their messages, and a summary.
func NewConsole(w io.Writer, opts ConsoleOptions) engine.Sink {
	c := &console{
		w:    &errWriter{w: w},
		opts: opts,
		now:  time.Now,
		tick: 250 * time.Millisecond,
	}
	c.color = opts.TTY && !opts.NoColor && os.Getenv("NO_COLOR") == ""
	return c
}

type console struct {
	mu    sync.Mutex // the ticker redraws concurrently with Event
	w     *errWriter
	opts  ConsoleOptions
	color bool
	col   collector

	now  func() time.Time // wall clock for the elapsed counter
	tick time.Duration    // progress redraw interval; 0 disables the ticker

	started                      time.Time
	total, done, failed, running int
	inFlight                     map[string]bool
	lineShown                    bool // the progress line is on screen
	recapped                     bool

	stopTick chan struct{}
	tickDone chan struct{}

	traces map[traceKey][]string // -vv: the trace of a step until it finishes
}

type traceKey struct{ device, step string }

// StepTrace implements engine.StepTracer: the lines are printed under the
// step's line when it finishes.
func (c *console) StepTrace(device, step string, lines []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.traces == nil {
		c.traces = map[traceKey][]string{}
	}
	k := traceKey{device, step}
	c.traces[k] = append(c.traces[k], lines...)
}

func (c *console) live() bool { return c.opts.TTY && !c.opts.Quiet }

func (c *console) Event(ev engine.Event) {
	if ev.Type == engine.RunFinished {
		// Stop the ticker before taking the lock it needs.
		c.stopTicker()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.recapped {
		return
	}
	c.col.add(ev)
	switch ev.Type {
	case engine.RunStarted:
		c.total = ev.Total
		c.started = c.now()
		if c.live() {
			c.redraw()
			c.startTicker()
		}
	case engine.StepStarted:
		// The engine starts a step again to retry it; Message says which
		// attempt and why.
		if ev.Message == "" || c.opts.Quiet {
			break
		}
		lines := c.retryLines(ev)
		if c.opts.TTY {
			c.above(lines)
		} else {
			c.print(lines)
		}
	case engine.DeviceStarted:
		if c.inFlight == nil {
			c.inFlight = map[string]bool{}
		}
		c.inFlight[ev.Device] = true
		c.running++
		c.redraw()
	case engine.StepFinished:
		st := stepFromEvent(ev)
		trace := c.traces[traceKey{ev.Device, ev.Step}]
		delete(c.traces, traceKey{ev.Device, ev.Step})
		switch {
		case c.opts.Quiet:
		case c.opts.TTY:
			if isProblem(st.Status) || c.opts.Verbose > 0 || c.showDiff(st) {
				c.above(c.verboseLines(c.stepLines(ev.Device, st), st, trace))
			}
		default:
			c.print(c.verboseLines(c.stepLines(ev.Device, st), st, trace))
		}
	case engine.DeviceFinished:
		// Devices the engine never started (fail-fast, cancel) finish
		// without starting.
		if c.inFlight[ev.Device] {
			delete(c.inFlight, ev.Device)
			c.running--
		}
		c.done++
		switch ev.Status {
		case engine.DeviceFailed, engine.DeviceError, engine.DeviceUnreachable, engine.DeviceAuthFailed,
			engine.DeviceRolledBack, engine.DeviceRollbackFailed:
			c.failed++
		}
		switch {
		case c.opts.Quiet:
		case c.opts.TTY:
			if ev.Status == engine.DeviceUnreachable || ev.Status == engine.DeviceError || ev.Status == engine.DeviceAuthFailed ||
				ev.Status == engine.DeviceRolledBack || ev.Status == engine.DeviceRollbackFailed {
				c.above(c.deviceLines(ev))
			} else {
				c.redraw()
			}
		default:
			c.print(c.deviceLines(ev))
		}
	case engine.BatchStarted:
		line := fmt.Sprintf("batch %d/%d  %s", ev.Batch, ev.Total, ev.Message)
		switch {
		case c.opts.Quiet:
		case c.opts.TTY:
			c.above([]string{c.paint(bold, line)})
		default:
			c.print([]string{line})
		}
	case engine.RunFinished:
		c.recap(c.col.report())
	}
}

func (c *console) Close() error {
	c.stopTicker()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.recapped {
		c.recap(c.col.report())
	}
	return c.w.err
}

func (c *console) startTicker() {
	if c.tick <= 0 || c.stopTick != nil {
		return
	}
	c.stopTick, c.tickDone = make(chan struct{}), make(chan struct{})
	go func(stop, done chan struct{}) {
		defer close(done)
		t := time.NewTicker(c.tick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				c.mu.Lock()
				if !c.recapped {
					c.redraw()
				}
				c.mu.Unlock()
			}
		}
	}(c.stopTick, c.tickDone)
}

// stopTicker stops the redraw goroutine and waits for it, so no goroutine
// outlives the run. Called without c.mu held.
func (c *console) stopTicker() {
	c.mu.Lock()
	stop, done := c.stopTick, c.tickDone
	c.stopTick, c.tickDone = nil, nil
	c.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

// ---- live line ----

const clearLine = "\r\x1b[K"

func (c *console) progress() string {
	devs := strconv.Itoa(c.done)
	if c.total > 0 {
		devs += "/" + strconv.Itoa(c.total)
	}
	failed := fmt.Sprintf("%d failed", c.failed)
	if c.failed > 0 {
		failed = c.paint(red, failed)
	}
	elapsed := c.now().Sub(c.started)
	return fmt.Sprintf("%s devices done, %d running, %s, %s", devs, c.running, failed, fmtElapsed(elapsed))
}

func fmtElapsed(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmtDuration(d)
}

func (c *console) redraw() {
	if !c.live() {
		return
	}
	fmt.Fprint(c.w, clearLine+c.progress())
	c.lineShown = true
}

func (c *console) clear() {
	if c.lineShown {
		fmt.Fprint(c.w, clearLine)
		c.lineShown = false
	}
}

// above prints lines above the progress line and redraws it below them.
func (c *console) above(lines []string) {
	c.clear()
	c.print(lines)
	c.redraw()
}

func (c *console) print(lines []string) {
	for _, l := range lines {
		fmt.Fprintln(c.w, l)
	}
}

// ---- lines ----

func (c *console) stepLines(device string, st *engine.StepResult) []string {
	status := string(st.Status)
	dur := fmtDuration(st.Duration)
	if st.Status == engine.StatusSkipped {
		// Skipped steps never ran; their reason is short, keep it on the line.
		line := device + "  " + stepName(st) + "  " + c.paintStatus(st.Status, status)
		if st.Message != "" {
			line += "  (" + st.Message + ")"
		}
		return []string{line}
	}
	lines := []string{device + "  " + stepName(st) + "  " + c.paintStatus(st.Status, status) + "  " + dur}
	if isProblem(st.Status) {
		lines = append(lines, indent(failureDetails(st))...)
	}
	return lines
}

// verboseLines adds, with -v, the step's output under its line, each line
// behind "| " so that it cannot be mistaken for runbook's own words; with
// -vv, before it, the trace: "> " what was sent, "< " the prompt matched.
func (c *console) verboseLines(lines []string, st *engine.StepResult, trace []string) []string {
	if c.opts.Verbose >= 1 && (st.Status == engine.StatusOK || st.Status == engine.StatusChanged) && st.Message != "" {
		// What a passing step has to say (a backup that check did not
		// write) is otherwise not shown.
		lines = append(lines, indent([]string{st.Message})...)
	}
	if c.showDiff(st) {
		lines = append(lines, c.diffLines(st.Diff)...)
	}
	if c.opts.Verbose >= 2 {
		lines = append(lines, indent(trace)...)
	}
	if c.opts.Verbose >= 1 && strings.TrimSpace(st.Output) != "" {
		out := strings.Split(strings.TrimRight(strings.ReplaceAll(st.Output, "\r\n", "\n"), "\n"), "\n")
		for _, l := range out {
			lines = append(lines, strings.TrimRight("    | "+l, " "))
		}
	}
	return lines
}

func (c *console) showDiff(st *engine.StepResult) bool {
	return c.opts.Diff && strings.TrimSpace(st.Diff) != ""
}

// diffLines are a step's diff under its line, indented, "+" lines green
// and "-" lines red on a colour terminal.
func (c *console) diffLines(diff string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(diff, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "+"):
			l = c.paint(green, l)
		case strings.HasPrefix(l, "-"):
			l = c.paint(red, l)
		}
		out = append(out, "    "+l)
	}
	return out
}

// retryLines show a retry: "sw1  send_command.pre  retry  attempt 2/3
// after 1s", and under it why the last attempt did not pass.
func (c *console) retryLines(ev engine.Event) []string {
	first, rest, _ := strings.Cut(ev.Message, "\n")
	lines := []string{ev.Device + "  " + ev.Step + "  " + c.paint(yellow, "retry") + "  " + first}
	if rest != "" {
		lines = append(lines, indent([]string{rest})...)
	}
	return lines
}

func (c *console) deviceLines(ev engine.Event) []string {
	line := ev.Device + "  " + c.paintStatus(ev.Status, string(ev.Status))
	if ev.Status != engine.DeviceSkipped {
		line += "  " + fmtDuration(ev.Duration)
	}
	lines := []string{line}
	// The engine copies a connect error into the device's message; it was
	// already printed under the step.
	if d := c.col.byName[ev.Device]; ev.Message != "" && ev.Status != engine.DevicePassed &&
		(d == nil || !deviceMessageListed(d)) {
		lines = append(lines, indent([]string{ev.Message})...)
	}
	return lines
}

// indent puts details under their line, four spaces in, multi-line
// messages (e.g. assertion values) included.
func indent(msgs []string) []string {
	var out []string
	for _, m := range msgs {
		for _, l := range strings.Split(strings.TrimRight(m, "\n"), "\n") {
			out = append(out, "    "+l)
		}
	}
	return out
}

// ---- recap ----

type recapRow struct {
	name, status string
	st           engine.Status
	cells        [6]int // ok, changed, failed, error, skipped, unreachable
}

// recapCols count steps by status: failed (the device said no) and error
// (timeout, dropped session, refused credentials) apart.
var recapCols = [6]string{"ok", "changed", "failed", "error", "skipped", "unreachable"}

func (c *console) recap(rep *engine.Report) {
	c.recapped = true
	c.clear()
	var rows []recapRow
	for _, d := range rep.Devices {
		r := recapRow{name: d.Name, status: string(d.Status), st: d.Status}
		for _, s := range d.Steps {
			switch s.Status {
			case engine.StatusOK:
				r.cells[0]++
			case engine.StatusChanged:
				r.cells[1]++
			case engine.StatusFailed:
				r.cells[2]++
			case engine.StatusError:
				// The engine reports a failed connect as an errored step;
				// like Ansible, count it as unreachable, not as an error.
				if d.Status == engine.DeviceUnreachable {
					r.cells[5]++
				} else {
					r.cells[3]++
				}
			case engine.StatusSkipped:
				r.cells[4]++
			}
		}
		if d.Status == engine.DeviceUnreachable && r.cells[5] == 0 {
			r.cells[5] = 1
		}
		rows = append(rows, r)
	}

	// Widths are computed on plain text; color codes are added after padding.
	nameW, statusW := 0, 0
	var cellW [6]int
	for _, r := range rows {
		nameW = max(nameW, len(r.name))
		statusW = max(statusW, len(r.status))
		for i, n := range r.cells {
			cellW[i] = max(cellW[i], len(recapCols[i])+1+len(strconv.Itoa(n)))
		}
	}
	fmt.Fprintln(c.w)
	fmt.Fprintln(c.w, c.paint(bold, "RECAP"))
	for _, r := range rows {
		var b strings.Builder
		b.WriteString(pad(r.name, nameW) + "  ")
		b.WriteString(c.paintStatus(r.st, r.status) + strings.Repeat(" ", statusW-len(r.status)) + "  ")
		for i, n := range r.cells {
			cell := recapCols[i] + "=" + strconv.Itoa(n)
			colored := cell
			if n > 0 {
				colored = c.paint(cellColor[i], cell)
			}
			b.WriteString(colored)
			if i < len(r.cells)-1 {
				b.WriteString(strings.Repeat(" ", cellW[i]-len(cell)+2))
			}
		}
		fmt.Fprintln(c.w, b.String())
	}

	if len(rep.Batches) > 0 {
		fmt.Fprintln(c.w)
		fmt.Fprintln(c.w, c.paint(bold, "BATCHES"))
		c.print(c.batchLines(rep))
	}

	var fails []string
	for _, d := range rep.Devices {
		for _, s := range d.Steps {
			if !isProblem(s.Status) {
				continue
			}
			fails = append(fails, d.Name+"  "+stepName(s)+"  "+c.paintStatus(s.Status, string(s.Status)))
			fails = append(fails, indent(failureDetails(s))...)
		}
		switch d.Status {
		case engine.DeviceUnreachable, engine.DeviceAuthFailed, engine.DeviceError, engine.DeviceFailed,
			engine.DeviceRolledBack, engine.DeviceRollbackFailed:
			if !deviceMessageListed(d) {
				fails = append(fails, d.Name+"  "+c.paintStatus(d.Status, string(d.Status)))
				fails = append(fails, indent([]string{d.Message})...)
			}
		}
	}
	if len(fails) > 0 {
		fmt.Fprintln(c.w)
		fmt.Fprintln(c.w, c.paint(bold, "FAILURES"))
		c.print(fails)
	}
	fmt.Fprintln(c.w)
	fmt.Fprintln(c.w, c.summaryLine(rep))
}

// batchLines are the recap's line per rollout batch: "batch 1  1 device
// (canary)  1 failed", or for a batch that never started "batch 2  4
// devices  not started: rollout stopped after batch 1: ...".
func (c *console) batchLines(rep *engine.Report) []string {
	var out []string
	for _, b := range rep.Batches {
		noun := "devices"
		if len(b.Devices) == 1 {
			noun = "device"
		}
		line := fmt.Sprintf("batch %d  %d %s", b.Number, len(b.Devices), noun)
		switch {
		case !b.Started:
			why := strings.TrimPrefix(b.Message, "not started: ")
			line += "  " + c.paint(cyan, "not started: "+why)
		case b.Failed > 0:
			line += "  " + c.paint(red, fmt.Sprintf("%d failed", b.Failed))
		default:
			line += "  " + c.paint(green, "passed")
		}
		out = append(out, line)
	}
	return out
}

func (c *console) summaryLine(rep *engine.Report) string {
	s := summarize(rep)
	noun := "devices"
	if s.Devices == 1 {
		noun = "device"
	}
	var parts []string
	for _, p := range []struct {
		n  int
		st engine.Status
	}{
		{s.Passed, engine.DevicePassed},
		{s.Failed, engine.DeviceFailed},
		{s.Error, engine.DeviceError},
		{s.Unreachable, engine.DeviceUnreachable},
		{s.AuthFailed, engine.DeviceAuthFailed},
		{s.RolledBack, engine.DeviceRolledBack},
		{s.RollbackFailed, engine.DeviceRollbackFailed},
		{s.Skipped, engine.DeviceSkipped},
	} {
		if p.n > 0 {
			parts = append(parts, c.paintStatus(p.st, fmt.Sprintf("%d %s", p.n, p.st)))
		}
	}
	line := fmt.Sprintf("%d %s", s.Devices, noun)
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, ", ")
	}
	line += " in " + fmtDuration(rep.Duration)
	if rep.Interrupted {
		line += " " + c.paint(yellow, "(interrupted)")
	}
	return line
}

func pad(s string, w int) string { return s + strings.Repeat(" ", max(0, w-len(s))) }

// ---- color ----

const (
	reset  = "\x1b[0m"
	bold   = "\x1b[1m"
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	purple = "\x1b[35m"
	cyan   = "\x1b[36m"
)

var cellColor = [6]string{green, yellow, red, red, cyan, purple}

func (c *console) paint(code, s string) string {
	if !c.color {
		return s
	}
	return code + s + reset
}

func (c *console) paintStatus(st engine.Status, s string) string {
	switch st {
	case engine.StatusOK, engine.DevicePassed:
		return c.paint(green, s)
	case engine.StatusChanged, engine.StatusRolledBack: // same string as DeviceRolledBack
		return c.paint(yellow, s)
	case engine.StatusFailed, engine.StatusError, engine.DeviceAuthFailed: // same strings as DeviceFailed/DeviceError
		return c.paint(red, s)
	case engine.DeviceRollbackFailed:
		return c.paint(bold+red, s)
	case engine.DeviceUnreachable:
		return c.paint(purple, s)
	case engine.StatusSkipped: // same string as DeviceSkipped
		return c.paint(cyan, s)
	}
	return s
}

// errWriter remembers the first write error so Close can return it; the
// console's many small writes need not each be checked.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
