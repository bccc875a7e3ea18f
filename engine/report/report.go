// Package report turns engine events into what people and tools read: a live
// console view with an end-of-run recap, JSON and JUnit XML files, and
// per-device session transcripts.
//
// Every file this package writes appears whole or not at all: it is written
// to a temporary name in the same directory and renamed into place.
package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// collector rebuilds a Report from events. Sinks prefer the Report carried by
// RunFinished; the collector exists so an interrupted run (Close without
// RunFinished) still produces a report of what was seen.
type collector struct {
	final   *engine.Report // from RunFinished
	start   time.Time
	last    time.Time
	devices []*engine.DeviceResult
	byName  map[string]*engine.DeviceResult
	done    map[string]bool
	// Playbook and mode are only known if the engine sends a Report with
	// RunStarted; otherwise a partial report leaves them empty.
	playbook, mode string
}

func (c *collector) add(ev engine.Event) {
	if !ev.Time.IsZero() {
		if c.start.IsZero() {
			c.start = ev.Time
		}
		c.last = ev.Time
	}
	switch ev.Type {
	case engine.RunStarted:
		if ev.Report != nil {
			c.playbook, c.mode = ev.Report.Playbook, ev.Report.Mode
			if !ev.Report.Start.IsZero() {
				c.start = ev.Report.Start
			}
		}
	case engine.DeviceStarted:
		d := c.device(ev.Device)
		d.Address = ev.Address
		d.Start = ev.Time
	case engine.StepFinished:
		d := c.device(ev.Device)
		d.Steps = append(d.Steps, stepFromEvent(ev))
	case engine.DeviceFinished:
		d := c.device(ev.Device)
		if ev.Result != nil {
			*d = *ev.Result
		} else {
			d.Status, d.Message, d.Duration = ev.Status, ev.Message, ev.Duration
			if ev.Address != "" {
				d.Address = ev.Address
			}
		}
		c.done[ev.Device] = true
	case engine.RunFinished:
		c.final = ev.Report
	}
}

func (c *collector) device(name string) *engine.DeviceResult {
	if c.byName == nil {
		c.byName = map[string]*engine.DeviceResult{}
		c.done = map[string]bool{}
	}
	d, ok := c.byName[name]
	if !ok {
		d = &engine.DeviceResult{Name: name}
		c.byName[name] = d
		c.devices = append(c.devices, d)
	}
	return d
}

// report returns the run's report: the engine's own if RunFinished came,
// otherwise one built from the events seen, marked interrupted.
func (c *collector) report() *engine.Report {
	if c.final != nil {
		return c.final
	}
	rep := &engine.Report{
		Playbook:    c.playbook,
		Mode:        c.mode,
		Start:       c.start,
		Duration:    c.last.Sub(c.start),
		Interrupted: true,
	}
	for _, d := range c.devices {
		cp := *d
		if !c.done[d.Name] {
			// A device cut off mid-run neither passed nor failed on its own.
			cp.Status = engine.DeviceError
			cp.Message = "run interrupted before the device finished"
			if !d.Start.IsZero() {
				cp.Duration = c.last.Sub(d.Start)
			}
		}
		rep.Devices = append(rep.Devices, &cp)
	}
	return rep
}

func stepFromEvent(ev engine.Event) *engine.StepResult {
	return &engine.StepResult{
		Address:  ev.Step,
		Kind:     ev.Kind,
		Name:     ev.Name,
		Status:   ev.Status,
		Start:    ev.Time.Add(-ev.Duration),
		Duration: ev.Duration,
		Message:  ev.Message,
		Output:   ev.Output,
		Records:  ev.Records,
		Asserts:  ev.Asserts,
		Diff:     ev.Diff,
	}
}

// stepName is the step's "kind.name" address.
func stepName(s *engine.StepResult) string {
	if s.Address != "" {
		return s.Address
	}
	return s.Kind + "." + s.Name
}

// failureDetails explains a step's outcome: each failed assertion with its
// message (which carries the values involved), or else the step's message.
// The engine's step message for failed assertions joins the same texts, so
// showing both would repeat them.
func failureDetails(s *engine.StepResult) []string {
	var out []string
	for _, a := range s.Asserts {
		if a.Passed {
			continue
		}
		msg := a.Message
		if msg == "" {
			msg = "failed"
		}
		out = append(out, fmt.Sprintf("assert %s: %s", a.Name, msg))
	}
	if len(out) == 0 && s.Message != "" {
		out = append(out, s.Message)
	}
	return out
}

// isProblem reports whether a step's status is a failure worth listing.
func isProblem(st engine.Status) bool {
	return st == engine.StatusFailed || st == engine.StatusError
}

// deviceMessageListed reports whether a device's own message would repeat
// a step's (the engine copies the connect error into both).
func deviceMessageListed(d *engine.DeviceResult) bool {
	if d.Message == "" {
		return true
	}
	for _, s := range d.Steps {
		if isProblem(s.Status) && strings.Contains(s.Message, d.Message) {
			return true
		}
	}
	return false
}

// summary counts devices and steps per status.
type summary struct {
	Devices     int `json:"devices"`
	Passed      int `json:"passed"`
	Failed      int `json:"failed"`
	Error       int `json:"error"`
	Unreachable int `json:"unreachable"`
	AuthFailed  int `json:"auth_failed"`
	// RolledBack and RollbackFailed count the change window's outcomes.
	RolledBack     int `json:"rolled_back"`
	RollbackFailed int `json:"rollback_failed"`
	Skipped        int `json:"skipped"`
	Steps          struct {
		Total   int `json:"total"`
		OK      int `json:"ok"`
		Changed int `json:"changed"`
		Failed  int `json:"failed"`
		Error   int `json:"error"`
		Skipped int `json:"skipped"`
		// RolledBack: changes undone by a rollback, and the rollbacks
		// that restored their checkpoint.
		RolledBack int `json:"rolled_back"`
	} `json:"steps"`
}

func summarize(rep *engine.Report) summary {
	var s summary
	for _, d := range rep.Devices {
		s.Devices++
		switch d.Status {
		case engine.DevicePassed:
			s.Passed++
		case engine.DeviceFailed:
			s.Failed++
		case engine.DeviceError:
			s.Error++
		case engine.DeviceUnreachable:
			s.Unreachable++
		case engine.DeviceAuthFailed:
			s.AuthFailed++
		case engine.DeviceRolledBack:
			s.RolledBack++
		case engine.DeviceRollbackFailed:
			s.RollbackFailed++
		case engine.DeviceSkipped:
			s.Skipped++
		}
		for _, st := range d.Steps {
			s.Steps.Total++
			switch st.Status {
			case engine.StatusOK:
				s.Steps.OK++
			case engine.StatusChanged:
				s.Steps.Changed++
			case engine.StatusFailed:
				s.Steps.Failed++
			case engine.StatusError:
				s.Steps.Error++
			case engine.StatusSkipped:
				s.Steps.Skipped++
			case engine.StatusRolledBack:
				s.Steps.RolledBack++
			}
		}
	}
	return s
}

// fmtDuration is short and human: 120ms, 2.3s, 4m05s.
func fmtDuration(d time.Duration) string {
	switch {
	case d > 0 && d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
}
