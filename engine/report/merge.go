package report

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// ShardInfo describes the shard of a --shard run for its JSON report.
type ShardInfo struct {
	Shard engine.Shard
	// Selected are the names of every host the run selected (--limit)
	// before sharding, in order: the report records how many there were,
	// a digest of them, and where each of its devices stands among them,
	// so that a merge can tell a missing device from a shard's and
	// restore the unsharded order.
	Selected []string
}

// jsonShard is the report's "shard" object.
type jsonShard struct {
	Index int `json:"index"` // K of --shard K/N, from 1
	Count int `json:"count"` // N
	// Selected: how many hosts the run selected before sharding.
	Selected int `json:"selected"`
	// Selection: a digest of the selected hosts' names in order; the
	// shards of one run have the same.
	Selection string `json:"selection"`
	// Positions: for each device of "devices", in that order, its place
	// (from 0) among the selected hosts.
	Positions []int `json:"positions"`
}

// jsonShardRun is one entry of a merged report's "shards".
type jsonShardRun struct {
	Index       int       `json:"index"`
	Count       int       `json:"count"`
	Report      string    `json:"report"`
	Started     time.Time `json:"started"`
	DurationMS  int64     `json:"duration_ms"`
	Interrupted bool      `json:"interrupted"`
	Devices     int       `json:"devices"`
}

func (si *ShardInfo) json(devices []jsonDevice) *jsonShard {
	if si == nil {
		return nil
	}
	pos := make(map[string]int, len(si.Selected))
	for i, n := range si.Selected {
		pos[n] = i
	}
	js := &jsonShard{
		Index:     si.Shard.Index,
		Count:     si.Shard.Count,
		Selected:  len(si.Selected),
		Selection: selectionDigest(si.Selected),
		Positions: make([]int, 0, len(devices)),
	}
	for _, d := range devices {
		p, ok := pos[d.Name]
		if !ok {
			p = -1 // not selected: merge refuses it
		}
		js.Positions = append(js.Positions, p)
	}
	return js
}

// selectionDigest identifies a list of host names.
func selectionDigest(names []string) string {
	h := sha256.New()
	for _, n := range names {
		io.WriteString(h, n)
		h.Write([]byte{'\n'})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// ShardReport is one shard's JSON report, as ReadShardReport read it.
type ShardReport struct {
	Path string
	doc  jsonReport
}

// Shard is the shard the report covers.
func (r *ShardReport) Shard() engine.Shard {
	return engine.Shard{Index: r.doc.Shard.Index, Count: r.doc.Shard.Count}
}

// ReadShardReport reads the JSON report of one shard of a --shard run. A
// file that is not a runbook JSON report (or has fields this version does
// not know: merging would drop them), a merged report, and the report of
// a run without --shard are errors.
func ReadShardReport(path string) (*ShardReport, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber() // parsed records keep their numbers as written
	var doc jsonReport
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s is not a JSON report of this runbook version: %v", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s is not a JSON report: more follows the report", path)
	}
	if doc.Devices == nil || (doc.Mode != "apply" && doc.Mode != "check") {
		return nil, fmt.Errorf("%s is not a runbook JSON report (--json)", path)
	}
	if doc.Shards != nil {
		return nil, fmt.Errorf("%s is a merged report (of %d shards): merge the shards' own reports", path, len(doc.Shards))
	}
	s := doc.Shard
	if s == nil {
		return nil, fmt.Errorf("%s is not a shard's report: it has no \"shard\" (it comes from a run without --shard)", path)
	}
	if s.Count < 1 || s.Count > engine.MaxShards || s.Index < 1 || s.Index > s.Count || len(s.Positions) != len(doc.Devices) || s.Selected < len(s.Positions) {
		return nil, fmt.Errorf("%s: its \"shard\" is damaged (index %d of %d, %d positions for %d devices)", path, s.Index, s.Count, len(s.Positions), len(doc.Devices))
	}
	return &ShardReport{Path: path, doc: doc}, nil
}

// Merged is the report of a sharded run put back together: one device
// list in the order an unsharded run has, one summary.
type Merged struct {
	doc jsonReport
	// Report is the merged run for the console and JUnit. It has no
	// rollout batches: a sharded run's batches are per shard, and stay in
	// the merged JSON report with their shard.
	Report *engine.Report
	shards []*ShardReport // by shard number
}

// maxListed bounds how many missing shards an error names.
const maxListed = 10

// Merge puts the reports of the N shards of one run together. It refuses
// (an error naming every problem) reports that do not make exactly one
// whole run: mixed shard counts, modes, playbooks or host selections, a
// shard given twice or missing ("shard 3/8 missing"), a device in two
// reports, in the wrong shard, or missing from its shard's report.
func Merge(reports []*ShardReport) (*Merged, error) {
	if len(reports) == 0 {
		return nil, errors.New("no report to merge")
	}
	first := reports[0]
	f := first.doc
	var problems []string
	for _, r := range reports[1:] {
		d := r.doc
		switch {
		case d.Shard.Count != f.Shard.Count:
			problems = append(problems, fmt.Sprintf("mixed shard counts: %s is shard %s, %s is shard %s", first.Path, first.Shard(), r.Path, r.Shard()))
		case d.Mode != f.Mode:
			problems = append(problems, fmt.Sprintf("mixed modes: %s is from %s, %s from %s", first.Path, f.Mode, r.Path, d.Mode))
		case !samePlaybook(d.Playbook, f.Playbook):
			problems = append(problems, fmt.Sprintf("mixed playbooks: %s ran %s, %s ran %s", first.Path, f.Playbook, r.Path, d.Playbook))
		case d.Shard.Selection != f.Shard.Selection:
			problems = append(problems, fmt.Sprintf("mixed host selections: %s and %s sharded different hosts (%d and %d selected): were --limit or the inventory different?",
				first.Path, r.Path, f.Shard.Selected, d.Shard.Selected))
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}

	n := f.Shard.Count
	byIndex := make([]*ShardReport, n+1)
	for _, r := range reports {
		k := r.doc.Shard.Index
		if prev := byIndex[k]; prev != nil {
			problems = append(problems, fmt.Sprintf("shard %s is given twice: %s and %s", r.Shard(), prev.Path, r.Path))
			continue
		}
		byIndex[k] = r
	}
	var missing []string
	for k := 1; k <= n; k++ {
		if byIndex[k] == nil {
			missing = append(missing, fmt.Sprintf("shard %d/%d missing (completion index %d)", k, n, k-1))
		}
	}
	if len(missing) > maxListed {
		missing = append(missing[:maxListed], fmt.Sprintf("and %d more shards missing", len(missing)-maxListed))
	}
	problems = append(problems, missing...)

	type placed struct {
		pos int
		dev jsonDevice
	}
	var all []placed
	where := map[string]*ShardReport{}
	taken := map[int]string{}
	for _, r := range byIndex[1:] {
		if r == nil {
			continue
		}
		s := r.doc.Shard
		for i, d := range r.doc.Devices {
			pos := s.Positions[i]
			switch {
			case where[d.Name] != nil:
				problems = append(problems, fmt.Sprintf("device %s is in %s (shard %s) and in %s (shard %s)", d.Name, where[d.Name].Path, where[d.Name].Shard(), r.Path, r.Shard()))
				continue
			case engine.ShardOf(d.Name, n) != s.Index:
				problems = append(problems, fmt.Sprintf("device %s is in %s (shard %s) but belongs to shard %d/%d", d.Name, r.Path, r.Shard(), engine.ShardOf(d.Name, n), n))
			case pos < 0 || pos >= s.Selected || taken[pos] != "":
				problems = append(problems, fmt.Sprintf("device %s in %s: its place among the selected hosts (%d of %d) is wrong or taken", d.Name, r.Path, pos, s.Selected))
			}
			where[d.Name] = r
			taken[pos] = d.Name
			all = append(all, placed{pos, d})
		}
	}
	if len(missing) == 0 && len(problems) == 0 && len(all) != f.Shard.Selected {
		problems = append(problems, fmt.Sprintf("the reports hold %d of the %d devices the run selected: a report is incomplete", len(all), f.Shard.Selected))
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}

	slices.SortFunc(all, func(a, b placed) int { return cmp.Compare(a.pos, b.pos) })
	m := &Merged{shards: byIndex[1:]}
	doc := jsonReport{
		Playbook: f.Playbook,
		Mode:     f.Mode,
		Batches:  []jsonBatch{},
		Devices:  make([]jsonDevice, 0, len(all)),
	}
	var end time.Time
	for i, r := range m.shards {
		d := r.doc
		if i == 0 || d.Started.Before(doc.Started) {
			doc.Started = d.Started
		}
		if e := d.Started.Add(time.Duration(d.DurationMS) * time.Millisecond); e.After(end) {
			end = e
		}
		doc.Interrupted = doc.Interrupted || d.Interrupted
		for _, b := range d.Batches {
			b.Shard = d.Shard.Index
			doc.Batches = append(doc.Batches, b)
		}
		doc.Shards = append(doc.Shards, jsonShardRun{
			Index: d.Shard.Index, Count: n, Report: r.Path, Started: d.Started,
			DurationMS: d.DurationMS, Interrupted: d.Interrupted, Devices: len(d.Devices),
		})
	}
	doc.DurationMS = end.Sub(doc.Started).Milliseconds()
	for _, p := range all {
		doc.Devices = append(doc.Devices, p.dev)
	}
	m.Report = engineReport(doc)
	doc.Summary = summarize(m.Report)
	m.doc = doc
	return m, nil
}

// samePlaybook compares two reports' playbook fields: the files of a
// playbook of several files, comma-separated, in any order.
func samePlaybook(a, b string) bool {
	as, bs := strings.Split(a, ","), strings.Split(b, ",")
	slices.Sort(as)
	slices.Sort(bs)
	return slices.Equal(as, bs)
}

// engineReport turns a JSON document back into the engine's report, for
// the sinks that render one. What JSON does not keep (start times of
// devices and steps) stays zero.
func engineReport(doc jsonReport) *engine.Report {
	rep := &engine.Report{
		Playbook:    doc.Playbook,
		Mode:        doc.Mode,
		Start:       doc.Started,
		Duration:    time.Duration(doc.DurationMS) * time.Millisecond,
		Interrupted: doc.Interrupted,
	}
	for _, d := range doc.Devices {
		dr := &engine.DeviceResult{
			Name:     d.Name,
			Address:  d.Address,
			Platform: d.Platform,
			Status:   engine.Status(d.Status),
			Message:  d.Message,
			Batch:    d.Batch,
			Duration: time.Duration(d.DurationMS) * time.Millisecond,
		}
		for _, s := range d.Steps {
			sr := &engine.StepResult{
				Address:     s.Name,
				Kind:        s.Kind,
				Name:        strings.TrimPrefix(s.Name, s.Kind+"."),
				Status:      engine.Status(s.Status),
				Duration:    time.Duration(s.DurationMS) * time.Millisecond,
				Message:     s.Message,
				Attempts:    s.Attempts,
				WouldChange: s.WouldChange,
				Diff:        s.Diff,
			}
			if s.Output != nil {
				sr.Output = *s.Output
			}
			if s.Records != nil {
				sr.Records = *s.Records
			}
			for _, a := range s.Assertions {
				sr.Asserts = append(sr.Asserts, engine.AssertResult{Name: a.Name, Passed: a.Passed, Message: a.Message})
			}
			dr.Steps = append(dr.Steps, sr)
		}
		rep.Devices = append(rep.Devices, dr)
	}
	return rep
}

// Replay sends the merged run to a sink as the engine would have: the run
// started, each device finished, the run finished. A console sink prints
// its recap, a JUnit sink has its report; close the sink after.
func (m *Merged) Replay(s engine.Sink) {
	r := m.Report
	s.Event(engine.Event{Type: engine.RunStarted, Time: r.Start, Total: len(r.Devices), Report: &engine.Report{Playbook: r.Playbook, Mode: r.Mode, Start: r.Start}})
	end := r.Start.Add(r.Duration)
	for _, d := range r.Devices {
		s.Event(engine.Event{Type: engine.DeviceFinished, Time: end, Device: d.Name, Address: d.Address, Status: d.Status, Message: d.Message, Duration: d.Duration, Result: d})
	}
	s.Event(engine.Event{Type: engine.RunFinished, Time: end, Total: len(r.Devices), Report: r})
}

// WriteJSON writes the merged JSON report: the shards' devices as each
// shard reported them, in the unsharded order, a summary of them all,
// each shard's rollout batches with "shard", and "shards", the shards it
// was merged from.
func (m *Merged) WriteJSON(path string) error {
	err := writeFileAtomic(path, fileMode, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(m.doc)
	})
	if err != nil {
		return fmt.Errorf("json report: %w", err)
	}
	return nil
}

// ShardLines describe the shards merged, one line each: "shard 1/3  2
// devices: 2 passed  in 1.2s  (reports/index-0.json)", with the shard's
// rollout batches when it had some.
func (m *Merged) ShardLines() []string {
	var out []string
	for _, r := range m.shards {
		d := r.doc
		part := engineReport(d)
		byStatus := map[string]int{}
		for _, dv := range d.Devices {
			byStatus[dv.Status]++
		}
		var counts []string
		for _, st := range statusOrder(byStatus) {
			counts = append(counts, fmt.Sprintf("%d %s", byStatus[st], st))
		}
		line := fmt.Sprintf("shard %s  %s", r.Shard(), countNoun(len(d.Devices), "device", "devices"))
		if len(counts) > 0 {
			line += ": " + strings.Join(counts, ", ")
		}
		line += "  in " + fmtDuration(part.Duration)
		if len(d.Batches) > 0 {
			notStarted := 0
			for _, b := range d.Batches {
				if !b.Started {
					notStarted++
				}
			}
			line += "  " + countNoun(len(d.Batches), "batch", "batches")
			if notStarted > 0 {
				line += fmt.Sprintf(" (%d not started)", notStarted)
			}
		}
		if d.Interrupted {
			line += "  (interrupted)"
		}
		out = append(out, line+"  ("+r.Path+")")
	}
	return out
}

// deviceStatusOrder is the order the summary line gives device statuses.
var deviceStatusOrder = []engine.Status{
	engine.DevicePassed, engine.DeviceFailed, engine.DeviceError, engine.DeviceUnreachable,
	engine.DeviceAuthFailed, engine.DeviceRolledBack, engine.DeviceRollbackFailed, engine.DeviceSkipped,
}

// statusOrder lists the statuses counted, known ones in the summary
// line's order, then any other in alphabetical order.
func statusOrder(counts map[string]int) []string {
	var out, rest []string
	for _, st := range deviceStatusOrder {
		if counts[string(st)] > 0 {
			out = append(out, string(st))
		}
	}
	for st := range counts {
		if !slices.Contains(deviceStatusOrder, engine.Status(st)) {
			rest = append(rest, st)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// countNoun is "1 device" or "3 devices".
func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
