package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/runbook-dev/runbook/engine"
)

// shardOf returns the part of rep that shard k of n runs, as the engine
// would report it: the devices ShardOf gives k, in order; its own start
// and duration.
func shardOf(rep *engine.Report, k, n int) *engine.Report {
	part := *rep
	part.Devices = nil
	part.Start = rep.Start.Add(time.Duration(k) * time.Second)
	part.Duration = time.Duration(100*k) * time.Millisecond
	for _, d := range rep.Devices {
		if engine.ShardOf(d.Name, n) == k {
			part.Devices = append(part.Devices, d)
		}
	}
	return &part
}

func deviceNames(rep *engine.Report) []string {
	var out []string
	for _, d := range rep.Devices {
		out = append(out, d.Name)
	}
	return out
}

// writeReport writes rep as the JSON sink does, as shard k of n when n > 0.
func writeReport(t *testing.T, path string, rep *engine.Report, selected []string, k, n int) string {
	t.Helper()
	opts := JSONOptions{}
	if n > 0 {
		opts.Shard = &ShardInfo{Shard: engine.Shard{Index: k, Count: n}, Selected: selected}
	}
	s := NewJSON(path, opts)
	feed(s, events(rep))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeShards writes the reports of the n shards of rep into dir.
func writeShards(t *testing.T, dir string, rep *engine.Report, n int) []string {
	t.Helper()
	var paths []string
	for k := 1; k <= n; k++ {
		paths = append(paths, writeReport(t, filepath.Join(dir, fmt.Sprintf("shard-%d.json", k)), shardOf(rep, k, n), deviceNames(rep), k, n))
	}
	return paths
}

func readShards(t *testing.T, paths ...string) []*ShardReport {
	t.Helper()
	var out []*ShardReport
	for _, p := range paths {
		r, err := ReadShardReport(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func readAny(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// The merge of the shards of a run reports what the unsharded run
// reports: the same devices in the same order, each as it was reported,
// the same summary, the same console recap and JUnit report.
func TestMergeEqualsTheUnshardedRun(t *testing.T) {
	full := fixture()
	dir := t.TempDir()
	whole := writeReport(t, filepath.Join(dir, "whole.json"), full, nil, 0, 0)
	paths := writeShards(t, dir, full, 3)
	// In any order: the merge sorts them out.
	m, err := Merge(readShards(t, paths[2], paths[0], paths[1]))
	if err != nil {
		t.Fatal(err)
	}
	merged := filepath.Join(dir, "merged.json")
	if err := m.WriteJSON(merged); err != nil {
		t.Fatal(err)
	}
	want, got := readAny(t, whole), readAny(t, merged)
	for _, key := range []string{"playbook", "mode", "interrupted", "summary", "devices"} {
		if diff := cmp.Diff(want[key], got[key]); diff != "" {
			t.Errorf("merged %q differs from the unsharded run's (-unsharded +merged):\n%s", key, diff)
		}
	}
	if got["shard"] != nil {
		t.Errorf("a merged report is no shard: %v", got["shard"])
	}
	// What the console and JUnit get back from the JSON is the run as the
	// engine reported it, but for what JSON does not keep: start times,
	// and attempts when there was one.
	ignore := cmp.Options{
		cmpopts.IgnoreFields(engine.DeviceResult{}, "Start"),
		cmpopts.IgnoreFields(engine.StepResult{}, "Start", "Attempts"),
	}
	if diff := cmp.Diff(full.Devices, m.Report.Devices, ignore); diff != "" {
		t.Errorf("merged devices (-unsharded +merged):\n%s", diff)
	}
	var shards []any
	for k := 1; k <= 3; k++ {
		part := shardOf(full, k, 3)
		shards = append(shards, map[string]any{
			"index": float64(k), "count": 3.0, "report": paths[k-1],
			"started": part.Start.Format(time.RFC3339Nano), "duration_ms": float64(100 * k),
			"interrupted": false, "devices": float64(len(part.Devices)),
		})
	}
	if diff := cmp.Diff(shards, got["shards"]); diff != "" {
		t.Errorf("merged \"shards\" (-want +got):\n%s", diff)
	}
	// The run spans from the first shard's start to the last one's end.
	if got["started"] != full.Start.Add(time.Second).Format(time.RFC3339Nano) || got["duration_ms"] != 2300.0 {
		t.Errorf("merged started %v, duration_ms %v; want t0+1s and 2300", got["started"], got["duration_ms"])
	}

	// The console's recap and the JUnit report, from the merged run and
	// from the unsharded one; only times differ.
	times := regexp.MustCompile(` in [0-9.]+m?s\n$| (time|timestamp)="[^"]*"`)
	render := func(rep func(engine.Sink)) (string, string) {
		var out bytes.Buffer
		junit := filepath.Join(t.TempDir(), "r.xml")
		sink := Multi(NewConsole(&out, ConsoleOptions{Quiet: true}), NewJUnit(junit))
		rep(sink)
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
		x, err := os.ReadFile(junit)
		if err != nil {
			t.Fatal(err)
		}
		return times.ReplaceAllString(out.String(), ""), times.ReplaceAllString(string(x), "")
	}
	wantRecap, wantJUnit := render(func(s engine.Sink) { feed(s, events(full)) })
	gotRecap, gotJUnit := render(m.Replay)
	if diff := cmp.Diff(wantRecap, gotRecap); diff != "" {
		t.Errorf("merged recap (-unsharded +merged):\n%s", diff)
	}
	if diff := cmp.Diff(wantJUnit, gotJUnit); diff != "" {
		t.Errorf("merged JUnit (-unsharded +merged):\n%s", diff)
	}
	if !strings.Contains(gotRecap, "6 devices: 2 passed, 1 failed, 1 error, 1 unreachable, 1 skipped") {
		t.Errorf("recap:\n%s", gotRecap)
	}
}

// An empty shard (more shards than a small fleet fills) has a report all
// the same, and the merge needs it.
func TestMergeEmptyShard(t *testing.T) {
	full := fixture()
	full.Devices = full.Devices[:1] // core1 alone: two of the three shards are empty
	paths := writeShards(t, t.TempDir(), full, 3)
	m, err := Merge(readShards(t, paths...))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"core1"}, deviceNames(m.Report)); diff != "" {
		t.Errorf("devices (-want +got):\n%s", diff)
	}
	for _, l := range m.ShardLines() {
		if !strings.HasPrefix(l, fmt.Sprintf("shard %d/3  1 device: 1 passed  in ", engine.ShardOf("core1", 3))) && !regexp.MustCompile(`^shard \d/3  0 devices  in \d+ms  \(`).MatchString(l) {
			t.Errorf("shard line %q", l)
		}
	}
	_, err = Merge(readShards(t, paths[engine.ShardOf("core1", 3)-1]))
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("merging the one shard with a device: %v, want the empty shards missing", err)
	}
}

func TestMergeRefusesWhatIsNotOneRun(t *testing.T) {
	full := fixture()
	all := deviceNames(full)
	dir := t.TempDir()
	three := writeShards(t, dir, full, 3)
	sub := t.TempDir()
	two := writeShards(t, sub, full, 2)
	variant := func(name string, k, n int, edit func(*engine.Report), selected []string) string {
		part := shardOf(full, k, n)
		edit(part)
		return writeReport(t, filepath.Join(t.TempDir(), name), part, selected, k, n)
	}
	keep := func(*engine.Report) {}
	checkRun := variant("check.json", 2, 3, func(r *engine.Report) { r.Mode = "check" }, all)
	otherPlaybook := variant("other.json", 2, 3, func(r *engine.Report) { r.Playbook = "playbooks/backup.hcl" }, all)
	otherLimit := variant("limit.json", 2, 3, keep, all[1:])
	// Shard 1 of 2 claiming every device: five of them belong to shard 2,
	// which has them too.
	greedy := writeReport(t, filepath.Join(t.TempDir(), "greedy.json"), full, all, 1, 2)
	// Shard 1 of 3 without one of its devices.
	if len(shardOf(full, 1, 3).Devices) == 0 {
		t.Fatal("fixture: shard 1/3 is empty")
	}
	short := variant("short.json", 1, 3, func(r *engine.Report) { r.Devices = r.Devices[1:] }, all)
	// A device the selection does not have.
	stranger := variant("stranger.json", 1, 3, func(r *engine.Report) {
		d := *r.Devices[0]
		d.Name = "zz-not-selected"
		for engine.ShardOf(d.Name, 3) != 1 {
			d.Name += "x"
		}
		r.Devices = append(r.Devices, &d)
	}, all)

	for _, tt := range []struct {
		name  string
		paths []string
		want  []string
	}{
		{"missing", []string{three[0], three[2]}, []string{"shard 2/3 missing (completion index 1)"}},
		{"two missing", []string{three[1]}, []string{"shard 1/3 missing (completion index 0)\nshard 3/3 missing (completion index 2)"}},
		{"twice", []string{three[0], three[1], three[2], three[1]}, []string{"shard 2/3 is given twice: " + three[1] + " and " + three[1]}},
		{"mixed N", []string{three[0], two[1], three[1], three[2]}, []string{"mixed shard counts: " + three[0] + " is shard 1/3, " + two[1] + " is shard 2/2"}},
		{"mixed modes", []string{three[0], checkRun, three[2]}, []string{"mixed modes: " + three[0] + " is from apply, " + checkRun + " from check"}},
		{"mixed playbooks", []string{three[0], otherPlaybook, three[2]}, []string{"mixed playbooks: " + three[0] + " ran playbooks/ntp.hcl, " + otherPlaybook + " ran playbooks/backup.hcl"}},
		{"mixed selections", []string{three[0], otherLimit, three[2]}, []string{"mixed host selections: " + three[0] + " and " + otherLimit + " sharded different hosts (6 and 5 selected): were --limit or the inventory different?"}},
		{"device twice", []string{greedy, two[1]}, []string{"is in " + greedy + " (shard 1/2) and in " + two[1] + " (shard 2/2)"}},
		{"incomplete", []string{short, three[1], three[2]}, []string{"the reports hold 5 of the 6 devices the run selected: a report is incomplete"}},
		{"wrong shard", []string{greedy}, []string{"belongs to shard 2/2", "shard 2/2 missing"}},
		{"not selected", []string{stranger, three[1], three[2]}, []string{"device zz-not-selected", "its place among the selected hosts (-1 of 6) is wrong or taken"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Merge(readShards(t, tt.paths...))
			if err == nil {
				t.Fatalf("merged %d devices, want an error", len(m.Report.Devices))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nwant it to say %q", err, w)
				}
			}
		})
	}
	if _, err := Merge(nil); err == nil {
		t.Error("merging nothing is no error")
	}
	// Ten missing: all named; twelve: ten named, and how many more.
	_, err := Merge(readShards(t, variant("eleven.json", 1, 11, keep, all)))
	if err == nil || !strings.Contains(err.Error(), "shard 11/11 missing") || strings.Contains(err.Error(), "more shards missing") {
		t.Errorf("ten shards missing: %v", err)
	}
	_, err = Merge(readShards(t, variant("many.json", 1, 13, keep, all)))
	if err == nil || !strings.Contains(err.Error(), "shard 11/13 missing (completion index 10)\nand 2 more shards missing") || strings.Contains(err.Error(), "shard 12/13") {
		t.Errorf("twelve shards missing: %v", err)
	}
	// A playbook of several files is named in any order.
	a := variant("a.json", 1, 2, func(r *engine.Report) { r.Playbook = "x.hcl,y.hcl" }, all)
	b := variant("b.json", 2, 2, func(r *engine.Report) { r.Playbook = "y.hcl,x.hcl" }, all)
	if _, err := Merge(readShards(t, a, b)); err != nil {
		t.Errorf("the same files in another order: %v", err)
	}
}

func TestReadShardReportRefuses(t *testing.T) {
	full := fixture()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	unsharded := writeReport(t, filepath.Join(dir, "unsharded.json"), full, nil, 0, 0)
	shards := writeShards(t, t.TempDir(), full, 2)
	m, err := Merge(readShards(t, shards...))
	if err != nil {
		t.Fatal(err)
	}
	merged := filepath.Join(dir, "merged.json")
	if err := m.WriteJSON(merged); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(shards[0])
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(good, &doc); err != nil {
		t.Fatal(err)
	}
	edited := func(name string, edit func(map[string]any)) string {
		var d map[string]any
		_ = json.Unmarshal(good, &d)
		edit(d)
		b, _ := json.Marshal(d)
		return write(name, string(b))
	}
	shard := func(d map[string]any) map[string]any { return d["shard"].(map[string]any) }

	for _, tt := range []struct {
		path string
		want string
	}{
		{filepath.Join(dir, "nope.json"), "no such file"},
		{write("text.json", "not json"), "text.json is not a JSON report of this runbook version"},
		{write("other.json", `{"name": "x"}`), `unknown field "name"`},
		{write("nodevices.json", `{"mode": "apply"}`), "nodevices.json is not a runbook JSON report (--json)"},
		{write("twice.json", string(good)+string(good)), "more follows the report"},
		{unsharded, "unsharded.json is not a shard's report: it has no \"shard\" (it comes from a run without --shard)"},
		{merged, "merged.json is a merged report (of 2 shards): merge the shards' own reports"},
		{edited("mode.json", func(d map[string]any) { d["mode"] = "plan" }), "mode.json is not a runbook JSON report"},
		{edited("zero.json", func(d map[string]any) { shard(d)["index"] = 0 }), `its "shard" is damaged (index 0 of 2`},
		{edited("high.json", func(d map[string]any) { shard(d)["index"] = 3 }), `its "shard" is damaged (index 3 of 2`},
		{edited("count.json", func(d map[string]any) { shard(d)["count"] = 0 }), `its "shard" is damaged`},
		{edited("positions.json", func(d map[string]any) { shard(d)["positions"] = []int{} }), "positions for"},
		{edited("selected.json", func(d map[string]any) { shard(d)["selected"] = len(shard(d)["positions"].([]any)) - 1 }), `its "shard" is damaged`},
		{edited("toomany.json", func(d map[string]any) { shard(d)["count"] = engine.MaxShards + 1 }), `its "shard" is damaged`},
	} {
		_, err := ReadShardReport(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ReadShardReport(%s): %v\nwant it to say %q", filepath.Base(tt.path), err, tt.want)
		}
	}
	if _, err := ReadShardReport(shards[0]); err != nil {
		t.Errorf("a shard's report: %v", err)
	}
	// The extremes are reports too: one shard of one, holding every
	// selected device; the last of MaxShards.
	one := writeReport(t, filepath.Join(dir, "one.json"), full, deviceNames(full), 1, 1)
	last := writeReport(t, filepath.Join(dir, "last.json"), &engine.Report{Playbook: "p.hcl", Mode: "check", Start: t0}, deviceNames(full), engine.MaxShards, engine.MaxShards)
	for _, p := range []string{one, last} {
		if _, err := ReadShardReport(p); err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
		}
	}
}

// A shard's report records the shard, the selection before sharding, and
// where each of its devices stands in it.
func TestShardInJSONReport(t *testing.T) {
	full := fixture()
	all := deviceNames(full)
	part := &engine.Report{Playbook: full.Playbook, Mode: "apply", Start: t0, Devices: []*engine.DeviceResult{full.Devices[4], full.Devices[1]}}
	path := writeReport(t, filepath.Join(t.TempDir(), "s.json"), part, all, 2, 5)
	got := readAny(t, path)["shard"]
	want := map[string]any{
		"index": 2.0, "count": 5.0, "selected": 6.0,
		"selection": selectionDigest(all),
		"positions": []any{4.0, 1.0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shard (-want +got):\n%s", diff)
	}
	if selectionDigest(all) == selectionDigest(all[1:]) || selectionDigest([]string{"ab", "c"}) == selectionDigest([]string{"a", "bc"}) {
		t.Error("different selections have the same digest")
	}
	if !strings.HasPrefix(selectionDigest(all), "sha256:") || len(selectionDigest(all)) != len("sha256:")+64 {
		t.Errorf("digest %q", selectionDigest(all))
	}
	// Without --shard, no "shard" key at all.
	plain := writeReport(t, filepath.Join(t.TempDir(), "p.json"), part, nil, 0, 0)
	if _, ok := readAny(t, plain)["shard"]; ok {
		t.Error("an unsharded report has a shard")
	}
}

// Rollout batches are per shard: the merged report keeps each shard's
// with its shard; an interrupted shard makes the merged run interrupted.
func TestMergeBatchesAndInterrupts(t *testing.T) {
	full := fixture()
	all := deviceNames(full)
	dir := t.TempDir()
	var paths []string
	for k := 1; k <= 2; k++ {
		part := shardOf(full, k, 2)
		var names []string
		for _, d := range part.Devices {
			names = append(names, d.Name)
		}
		part.Batches = []*engine.BatchResult{
			{Number: 1, Devices: names[:1], Started: true, Failed: k - 1},
			{Number: 2, Devices: names[1:], Started: k == 1, Message: map[bool]string{true: "", false: "rollout stopped after batch 1: 1 of 1 device failed"}[k == 1]},
		}
		part.Interrupted = k == 2
		paths = append(paths, writeReport(t, filepath.Join(dir, fmt.Sprintf("s%d.json", k)), part, all, k, 2))
	}
	m, err := Merge(readShards(t, paths...))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "m.json")
	if err := m.WriteJSON(out); err != nil {
		t.Fatal(err)
	}
	got := readAny(t, out)
	var shards []float64
	var numbers []float64
	for _, b := range got["batches"].([]any) {
		shards = append(shards, b.(map[string]any)["shard"].(float64))
		numbers = append(numbers, b.(map[string]any)["batch"].(float64))
	}
	if diff := cmp.Diff([]float64{1, 1, 2, 2}, shards); diff != "" {
		t.Errorf("batches' shards (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float64{1, 2, 1, 2}, numbers); diff != "" {
		t.Errorf("batches' numbers (-want +got):\n%s", diff)
	}
	if got["interrupted"] != true || !m.Report.Interrupted {
		t.Errorf("one shard interrupted: merged interrupted = %v", got["interrupted"])
	}
	if len(m.Report.Batches) != 0 {
		t.Errorf("the console's report has batches: %v", m.Report.Batches)
	}
	lines := m.ShardLines()
	if len(lines) != 2 || !strings.Contains(lines[0], "2 batches  ("+paths[0]+")") ||
		!strings.Contains(lines[1], "2 batches (1 not started)  (interrupted)  ("+paths[1]+")") {
		t.Errorf("shard lines:\n%s", strings.Join(lines, "\n"))
	}
}

func TestShardLines(t *testing.T) {
	dev := func(name string, st engine.Status) *engine.DeviceResult {
		return &engine.DeviceResult{Name: name, Status: st}
	}
	// Names placed by ShardOf(_, 2): sw1 and sw2 in 2, leaf1 and core1 in 1.
	full := &engine.Report{Playbook: "p.hcl", Mode: "apply", Start: t0, Devices: []*engine.DeviceResult{
		dev("leaf1", engine.DevicePassed), dev("sw1", engine.DeviceSkipped), dev("sw2", engine.DeviceFailed),
		dev("core1", engine.DeviceRolledBack),
	}}
	if engine.ShardOf("sw1", 2) != 2 || engine.ShardOf("sw2", 2) != 2 || engine.ShardOf("leaf1", 2) != 1 || engine.ShardOf("core1", 2) != 1 {
		t.Fatal("the names are not where this test expects them")
	}
	m, err := Merge(readShards(t, writeShards(t, t.TempDir(), full, 2)...))
	if err != nil {
		t.Fatal(err)
	}
	lines := m.ShardLines()
	for i, want := range []string{
		"shard 1/2  2 devices: 1 passed, 1 rolled_back  in 100ms  (",
		"shard 2/2  2 devices: 1 failed, 1 skipped  in 200ms  (",
	} {
		if i >= len(lines) || !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d: %q, want %q...", i+1, lines, want)
		}
	}
	if got := statusOrder(map[string]int{"zeta": 1, "passed": 2, "alpha": 1, "skipped": 1}); !cmp.Equal(got, []string{"passed", "skipped", "alpha", "zeta"}) {
		t.Errorf("statusOrder = %v", got)
	}
	if countNoun(1, "device", "devices") != "1 device" || countNoun(0, "device", "devices") != "0 devices" {
		t.Error("countNoun")
	}
}
