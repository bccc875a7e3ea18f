package parse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The reference implementation is Python's textfsm (Debian's
// python3-textfsm). These tests run it and runbook on the same inputs and
// require the same records. They skip when no Python with textfsm is
// found, unless RUNBOOK_REQUIRE_TEXTFSM=1 (CI sets it).

// referenceScript reads jobs (JSON) on stdin and prints one result per
// job: a template run with TextFSM.ParseText, or an index lookup run with
// clitable as ntc-templates' parse_output does.
const referenceScript = `
import json, sys
import textfsm
from textfsm import clitable

def run(job):
    try:
        if 'template' in job:
            with open(job['template']) as f:
                fsm = textfsm.TextFSM(f)
            return {'header': fsm.header, 'rows': fsm.ParseText(job['text'])}
        table = clitable.CliTable('index', job['dir'])
        table.ParseCmd(job['text'], {'Platform': job['platform'], 'Command': job['command']})
        return {'header': list(table.header), 'rows': [list(r) for r in table]}
    except Exception as e:
        return {'error': type(e).__name__ + ': ' + str(e)}

print(json.dumps([run(j) for j in json.load(sys.stdin)]))
`

type refJob struct {
	Template string `json:"template,omitempty"`
	Dir      string `json:"dir,omitempty"`
	Platform string `json:"platform,omitempty"`
	Command  string `json:"command,omitempty"`
	Text     string `json:"text"`
}

type refResult struct {
	Header []string `json:"header"`
	Rows   [][]any  `json:"rows"`
	Error  string   `json:"error"`
}

// pythonTextFSM returns a Python interpreter that can import textfsm.
func pythonTextFSM(t testing.TB) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import textfsm").Run() == nil {
			return py
		}
	}
	if os.Getenv("RUNBOOK_REQUIRE_TEXTFSM") == "1" {
		t.Fatal("no python3 with textfsm (apt-get install python3-textfsm)")
	}
	t.Skip("no python3 with textfsm; install Debian's python3-textfsm to run the reference comparison")
	return ""
}

func runReference(t testing.TB, py string, jobs []refJob) []refResult {
	t.Helper()
	in, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", referenceScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python textfsm: %v\n%s", err, stderr.String())
	}
	var res []refResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if len(res) != len(jobs) {
		t.Fatalf("python gave %d results for %d jobs", len(res), len(jobs))
	}
	return res
}

// ntcDir is the ntc-templates checkout the tests use:
// RUNBOOK_TEST_NTC_DIR, or the copy beside the repository. (Not
// NTC_TEMPLATES_DIR, which would change what "auto" finds in the other
// packages' tests.)
func ntcDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("RUNBOOK_TEST_NTC_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "ntc-templates", "templates")
	}
	if _, err := os.Stat(filepath.Join(dir, "index")); err != nil {
		if os.Getenv("RUNBOOK_REQUIRE_NTC") == "1" {
			t.Fatalf("ntc-templates not found at %s", dir)
		}
		t.Skipf("ntc-templates not found at %s (set RUNBOOK_TEST_NTC_DIR)", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// normalize turns our rows into what JSON gives for Python's.
func normalize(rows [][]any) [][]any {
	b, _ := json.Marshal(rows)
	var out [][]any
	_ = json.Unmarshal(b, &out)
	if out == nil {
		out = [][]any{}
	}
	return out
}

// TestReferenceEveryNTCTemplate runs every ntc-templates template over
// inputs generated from its own rules (several random variants, with
// Unicode spaces and odd characters mixed in) with both implementations.
// The records, or the fact of an error, must be the same.
func TestReferenceEveryNTCTemplate(t *testing.T) {
	py := pythonTextFSM(t)
	dir := ntcDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.textfsm"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates in %s", dir)
	}
	variants := 4
	if n, err := strconv.Atoi(os.Getenv("RUNBOOK_REFERENCE_VARIANTS")); err == nil && n > 0 {
		variants = n // more generated inputs per template, for a longer hunt
	}
	var jobs []refJob
	type ours struct {
		file   string
		rows   [][]any
		header []string
		err    error
	}
	var results []ours
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tm, err := Compile(filepath.Base(f), string(src))
		if err != nil {
			t.Errorf("%s does not compile: %v", filepath.Base(f), err)
			continue
		}
		for v := range variants {
			text := generateInput(tm, uint64(v))
			jobs = append(jobs, refJob{Template: f, Text: text})
			rows, err := tm.ParseText(text)
			results = append(results, ours{file: filepath.Base(f), rows: rows, header: tm.Header(), err: err})
		}
	}
	ref := runReference(t, py, jobs)
	mismatches := 0
	errorf := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format, args...)
		if mismatches++; mismatches >= 20 {
			t.Fatal("stopping after 20 mismatches")
		}
	}
	for i, r := range ref {
		o := results[i]
		switch {
		case r.Error != "" && o.err == nil:
			errorf("%s: python failed (%s), runbook did not; input:\n%s", o.file, r.Error, jobs[i].Text)
		case r.Error == "" && o.err != nil:
			errorf("%s: runbook failed (%v), python did not; input:\n%s", o.file, o.err, jobs[i].Text)
		case r.Error == "":
			if d := cmp.Diff(r.Rows, normalize(o.rows)); d != "" || !cmp.Equal(r.Header, o.header) {
				errorf("%s: records differ from python (-python +runbook):\n%s\ninput:\n%s", o.file, d, jobs[i].Text)
			}
		}
	}
	if !t.Failed() {
		t.Logf("%d templates x %d generated inputs agree with python textfsm", len(files), variants)
	}
}

// generateInput writes text that drives a template: for each state, a
// line generated from each rule's regex, in template order, then the same
// lines shuffled. Lines get Unicode spaces, tabs and stray characters at
// random, so that where the engines differ the records would too.
func generateInput(t *Template, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var lines []string
	states := make([]string, 0, len(t.states))
	for s := range t.states {
		states = append(states, s)
	}
	sort.Strings(states)
	for _, s := range states {
		for _, r := range t.states[s] {
			for range 1 + rng.IntN(2) {
				lines = append(lines, generateLine(r.regex.src, rng))
			}
		}
	}
	shuffled := append([]string(nil), lines...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	return strings.Join(append(lines, shuffled...), "\n") + "\n"
}

func generateLine(pat string, rng *rand.Rand) string {
	tr, err := translate(stripLookaround(pat))
	if err != nil {
		return "x"
	}
	re, err := syntax.Parse(`(?:`+tr.ascii+`)`, syntax.Perl)
	if err != nil {
		return "garbage line"
	}
	var b strings.Builder
	gen(&b, re, rng, 0)
	return b.String()
}

// stripLookaround removes (?=...), (?!...), (?<=...), (?<!...) groups and
// backreferences, which the generator (Go's syntax package) cannot read.
func stripLookaround(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			if p[i+1] >= '1' && p[i+1] <= '9' {
				i++
				continue
			}
			b.WriteString(p[i : i+2])
			i++
			continue
		}
		if strings.HasPrefix(p[i:], "(?=") || strings.HasPrefix(p[i:], "(?!") || strings.HasPrefix(p[i:], "(?<=") || strings.HasPrefix(p[i:], "(?<!") || strings.HasPrefix(p[i:], "(?P=") {
			depth := 0
			for ; i < len(p); i++ {
				if p[i] == '\\' {
					i++
					continue
				}
				if p[i] == '(' {
					depth++
				}
				if p[i] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

var oddRunes = []rune{'\u00a0', '\t', '\u2003', 'é', '\x1f', '-', '*', ' '}

func gen(b *strings.Builder, re *syntax.Regexp, rng *rand.Rand, depth int) {
	if depth > 40 {
		return
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && rng.IntN(2) == 0 {
				r = []rune(strings.ToUpper(string(r)))[0]
			}
			b.WriteRune(r)
		}
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return
		}
		if rng.IntN(12) == 0 {
			b.WriteRune(oddRunes[rng.IntN(len(oddRunes))])
			return
		}
		i := rng.IntN(len(re.Rune)/2) * 2
		lo, hi := re.Rune[i], re.Rune[i+1]
		if hi > 0x7e && lo < 0x7e {
			hi = 0x7e
		}
		if hi-lo > 1000 {
			hi = lo + 1000
		}
		r := lo + rune(rng.IntN(int(hi-lo)+1))
		if r == '\n' || r == '\r' || r == 0x0b || r == 0x0c || r == 0x1c || r == 0x1d || r == 0x1e || r == 0x85 || r == 0x2028 || r == 0x2029 || r >= 0xd800 && r <= 0xdfff {
			r = ' '
		}
		b.WriteRune(r)
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		if rng.IntN(8) == 0 {
			b.WriteRune(oddRunes[rng.IntN(len(oddRunes))])
			return
		}
		b.WriteRune(rune('!' + rng.IntN(94)))
	case syntax.OpCapture:
		gen(b, re.Sub[0], rng, depth+1)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			gen(b, s, rng, depth+1)
		}
	case syntax.OpAlternate:
		gen(b, re.Sub[rng.IntN(len(re.Sub))], rng, depth+1)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, 3
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
			if hi < 0 || hi > lo+3 {
				hi = lo + 3
			}
		}
		if lo > 20 {
			lo = 20
		}
		if hi < lo {
			hi = lo
		}
		for range lo + rng.IntN(hi-lo+1) {
			gen(b, re.Sub[0], rng, depth+1)
		}
	}
}

// TestReferenceNTCIndex looks up every platform and command the ntc
// index names (each row's command written out in full) through
// clitable and through runbook, on generated input for the row's
// template: same template chosen, same records.
func TestReferenceNTCIndex(t *testing.T) {
	py := pythonTextFSM(t)
	dir := ntcDir(t)
	d, err := OpenDir("ntc", dir)
	if err != nil {
		t.Fatal(err)
	}
	if w := d.Index().CompileAll(); len(w) > 0 {
		t.Errorf("index rows skipped: %v", w)
	}
	var jobs []refJob
	type ours struct {
		header []string
		rows   [][]any
		err    error
	}
	var results []ours
	for _, row := range d.Index().Rows() {
		platform := row.platform
		command := fullCommand(row.command)
		tm, err := d.Template(row.Templates[0])
		if err != nil {
			t.Errorf("%s: %v", row.Templates[0], err)
			continue
		}
		text := generateInput(tm, uint64(row.Line))
		jobs = append(jobs, refJob{Dir: dir, Platform: platform, Command: command, Text: text})
		_, ts, ok, err := d.Lookup(platform, command)
		var o ours
		switch {
		case err != nil:
			o.err = err
		case !ok:
			o.err = fmt.Errorf("no template for %q %q", platform, command)
		default:
			o.header, o.rows, o.err = ParseCmd(ts, text)
		}
		results = append(results, o)
	}
	ref := runReference(t, py, jobs)
	bad := 0
	errorf := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format, args...)
		if bad++; bad >= 20 {
			t.Fatal("stopping after 20 mismatches")
		}
	}
	for i, r := range ref {
		o, j := results[i], jobs[i]
		switch {
		case (r.Error != "") != (o.err != nil):
			errorf("%s / %q: python error %q, runbook error %v", j.Platform, j.Command, r.Error, o.err)
		case r.Error == "":
			if d := cmp.Diff(r.Rows, normalize(o.rows)); d != "" || !cmp.Equal(r.Header, o.header) {
				errorf("%s / %q: records differ (-python +runbook):\n%s", j.Platform, j.Command, d)
			}
		}
	}
	if !t.Failed() {
		t.Logf("%d index rows agree with clitable", len(jobs))
	}
}

// fullCommand writes out an index Command regex as a command a user
// would type: completions in full, regex syntax for the first branch.
func fullCommand(expanded string) string {
	re, err := syntax.Parse(expanded, syntax.Perl)
	if err != nil {
		return expanded
	}
	var b strings.Builder
	longest(&b, re)
	return strings.TrimSpace(b.String())
}

func longest(b *strings.Builder, re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		if len(re.Rune) > 0 {
			r := re.Rune[0]
			if r < ' ' {
				r = ' '
			}
			b.WriteRune(r)
		}
	case syntax.OpCapture, syntax.OpQuest, syntax.OpPlus:
		longest(b, re.Sub[0])
	case syntax.OpRepeat:
		for range max(re.Min, 1) {
			longest(b, re.Sub[0])
		}
	case syntax.OpConcat:
		for _, s := range re.Sub {
			longest(b, s)
		}
	case syntax.OpAlternate:
		longest(b, re.Sub[0])
	}
}

// TestReferenceLabOutputs parses what the lab answers (recorded in
// tasks/testdata/parse) with ntc-templates through clitable and through
// runbook: same template, same records, or the same failure.
func TestReferenceLabOutputs(t *testing.T) {
	py := pythonTextFSM(t)
	dir := ntcDir(t)
	d, err := OpenDir("ntc", dir)
	if err != nil {
		t.Fatal(err)
	}
	raws, _ := filepath.Glob(filepath.Join("..", "tasks", "testdata", "parse", "*", "*.raw"))
	if len(raws) < 20 {
		t.Fatalf("only %d lab recordings", len(raws))
	}
	var jobs []refJob
	var ours []refResult
	for _, raw := range raws {
		b, err := os.ReadFile(raw)
		if err != nil {
			t.Fatal(err)
		}
		platform := filepath.Base(filepath.Dir(raw))
		command := strings.ReplaceAll(strings.TrimSuffix(filepath.Base(raw), ".raw"), "_", " ")
		jobs = append(jobs, refJob{Dir: dir, Platform: platform, Command: command, Text: string(b)})
		var o refResult
		_, ts, ok, err := d.Lookup(platform, command)
		switch {
		case err != nil:
			o.Error = err.Error()
		case !ok:
			o.Error = "no template"
		default:
			var rows [][]any
			o.Header, rows, err = ParseCmd(ts, string(b))
			if err != nil {
				o.Error = err.Error()
			}
			o.Rows = normalize(rows)
		}
		ours = append(ours, o)
	}
	for i, r := range runReference(t, py, jobs) {
		o, j := ours[i], jobs[i]
		if (r.Error != "") != (o.Error != "") {
			t.Errorf("%s %q: python error %q, runbook error %q", j.Platform, j.Command, r.Error, o.Error)
			continue
		}
		if d := cmp.Diff(r.Rows, o.Rows); r.Error == "" && (d != "" || !cmp.Equal(r.Header, o.Header)) {
			t.Errorf("%s %q: records differ (-python +runbook):\n%s", j.Platform, j.Command, d)
		}
	}
}
