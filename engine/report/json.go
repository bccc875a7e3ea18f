package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/runbook-dev/runbook/engine"
)

// JSONOptions tune the JSON report.
type JSONOptions struct {
	// NoOutput leaves raw device output and parsed records out (--no-output):
	// they can be large, and may hold configuration the report's readers
	// should not see.
	NoOutput bool
	// ConfigBodies keeps the output of steps whose output is a device's
	// configuration (backup): it holds password hashes, SNMP communities
	// and keys, so it is left out unless asked for (--report-output all).
	ConfigBodies bool
	// Shard, for a --shard run, goes into the report as "shard", so that
	// `runbook report merge` can check that the shards' reports fit.
	Shard *ShardInfo
}

type jsonSink struct {
	path   string
	opts   JSONOptions
	col    collector
	closed bool
}

// NewJSON returns a sink that writes the run's report as JSON to path when
// closed. It uses the Report carried by RunFinished; if Close comes without
// one (an interrupted run), it reports what it saw, marked interrupted.
func NewJSON(path string, opts JSONOptions) engine.Sink {
	return &jsonSink{path: path, opts: opts}
}

func (s *jsonSink) Event(ev engine.Event) { s.col.add(ev) }

func (s *jsonSink) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	doc := buildJSON(s.col.report(), s.opts)
	err := writeFileAtomic(s.path, fileMode, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	})
	if err != nil {
		return fmt.Errorf("json report: %w", err)
	}
	return nil
}

// The JSON document. Keys are always present (empty arrays, not null) so that
// tools like jq need no guards; only output and records come and go, with
// --no-output and with whether the step parsed anything.
type jsonReport struct {
	Playbook    string    `json:"playbook"`
	Mode        string    `json:"mode"`
	Started     time.Time `json:"started"`
	DurationMS  int64     `json:"duration_ms"`
	Interrupted bool      `json:"interrupted"`
	Summary     summary   `json:"summary"`
	// Batches are the rollout's batches; empty without a rollout block.
	Batches []jsonBatch  `json:"batches"`
	Devices []jsonDevice `json:"devices"`
	// Shard: which shard of a --shard run this is (absent otherwise).
	Shard *jsonShard `json:"shard,omitempty"`
	// Shards: in a merged report, the shards it was merged from.
	Shards []jsonShardRun `json:"shards,omitempty"`
}

type jsonBatch struct {
	Batch   int      `json:"batch"`
	Devices []string `json:"devices"`
	Started bool     `json:"started"`
	Failed  int      `json:"failed"`
	Message string   `json:"message"`
	// Shard: in a merged report, the shard that ran the batch.
	Shard int `json:"shard,omitempty"`
}

type jsonDevice struct {
	Name     string `json:"name"`
	Address  string `json:"address"`
	Platform string `json:"platform"`
	Status   string `json:"status"`
	Message  string `json:"message"`
	// Batch is the device's rollout batch, from 1 (every device is in
	// batch 1 without a rollout block).
	Batch      int        `json:"batch"`
	DurationMS int64      `json:"duration_ms"`
	Steps      []jsonStep `json:"steps"`
}

type jsonStep struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Status     string `json:"status"`
	DurationMS int64  `json:"duration_ms"`
	Message    string `json:"message"`
	Attempts   int    `json:"attempts,omitempty"`
	// WouldChange: check mode's lines apply would send.
	WouldChange []string `json:"would_change,omitempty"`
	// Diff: the step's diff of the running configuration, unified style
	// (redacted); in check mode the predicted one. Always present when
	// the step has one, whatever --report-output says.
	Diff   string  `json:"diff,omitempty"`
	Output *string `json:"output,omitempty"`
	// OutputOmitted says why output is missing when it is not for
	// --no-output: "configuration" for a configuration body.
	OutputOmitted string            `json:"output_omitted,omitempty"`
	Records       *[]map[string]any `json:"records,omitempty"`
	Assertions    []jsonAssertion   `json:"assertions"`
}

type jsonAssertion struct {
	Name    string `json:"name"`
	Passed  bool   `json:"passed"`
	Message string `json:"message"`
}

func buildJSON(rep *engine.Report, opts JSONOptions) jsonReport {
	doc := jsonReport{
		Playbook:    rep.Playbook,
		Mode:        rep.Mode,
		Started:     rep.Start,
		DurationMS:  rep.Duration.Milliseconds(),
		Interrupted: rep.Interrupted,
		Summary:     summarize(rep),
		Batches:     make([]jsonBatch, 0, len(rep.Batches)),
		Devices:     make([]jsonDevice, 0, len(rep.Devices)),
	}
	for _, b := range rep.Batches {
		doc.Batches = append(doc.Batches, jsonBatch{Batch: b.Number, Devices: b.Devices, Started: b.Started, Failed: b.Failed, Message: b.Message})
	}
	for _, d := range rep.Devices {
		jd := jsonDevice{
			Name:       d.Name,
			Address:    d.Address,
			Platform:   d.Platform,
			Status:     string(d.Status),
			Message:    d.Message,
			Batch:      d.Batch,
			DurationMS: d.Duration.Milliseconds(),
			Steps:      make([]jsonStep, 0, len(d.Steps)),
		}
		for _, st := range d.Steps {
			js := jsonStep{
				Name:        stepName(st),
				Kind:        st.Kind,
				Status:      string(st.Status),
				DurationMS:  st.Duration.Milliseconds(),
				Message:     st.Message,
				Assertions:  make([]jsonAssertion, 0, len(st.Asserts)),
				WouldChange: st.WouldChange,
				Diff:        st.Diff,
			}
			if st.Attempts > 1 {
				js.Attempts = st.Attempts
			}
			switch {
			case opts.NoOutput:
			case engine.IsConfigBody(st.Kind) && !opts.ConfigBodies, st.OutputOmitted != "":
				if st.Output != "" || st.OutputOmitted != "" {
					js.OutputOmitted = engine.OmittedConfiguration
				}
			default:
				out := st.Output
				js.Output = &out
				// nil means the step did not parse; an empty slice means it
				// parsed and found nothing, which tools may care about.
				if st.Records != nil {
					recs := st.Records
					js.Records = &recs
				}
			}
			for _, a := range st.Asserts {
				js.Assertions = append(js.Assertions, jsonAssertion{Name: a.Name, Passed: a.Passed, Message: a.Message})
			}
			jd.Steps = append(jd.Steps, js)
		}
		doc.Devices = append(doc.Devices, jd)
	}
	doc.Shard = opts.Shard.json(doc.Devices)
	return doc
}
