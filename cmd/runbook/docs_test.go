package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/lab"
)

// docExample is one `runbook …` command from a fenced shell block of the
// README or docs/.
type docExample struct {
	file      string // path relative to the repository root
	line      int
	text      string // the command as written (continuations joined)
	env       map[string]string
	args      []string // after "runbook" / "go run ./cmd/runbook"
	wantExit  int
	syntaxErr string // shell syntax the test cannot run (pipes, redirections)
}

// docExampleSkips are the examples the docs test does not run, each with
// the reason. An entry that matches no example fails the test, so the
// list cannot outlive the docs.
var docExampleSkips = map[string]string{
	"NTC_TEMPLATES_DIR=~/ntc-templates/ntc_templates/templates runbook parse --test ~/ntc-templates/tests": "needs a checkout of ntc-templates in ~/ntc-templates",
}

// Every fenced shell example in README.md and docs/*.md that runs runbook
// is run in-process, in a copy of the repository's playbooks, and must
// exit as the docs say: 0, unless a comment on or right above the command
// ("# exits 2: …"), or for a block of one command the paragraph right
// after it ("… and exits 0."), says otherwise. Examples that need devices
// use --lab; the few that need what a test cannot have are in
// docExampleSkips with a reason.
func TestDocExamples(t *testing.T) {
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files := append([]string{"../../README.md"}, docs...)
	var examples []docExample
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		examples = append(examples, extractDocExamples(strings.TrimPrefix(f, "../../"), string(src))...)
	}
	if len(examples) < 10 {
		t.Fatalf("found only %d examples in %v: is the extraction broken?", len(examples), files)
	}

	work := copyPlaybooks(t)
	t.Chdir(work) // the examples' paths are relative to the repository root

	used := map[string]bool{}
	for _, ex := range examples {
		name := fmt.Sprintf("%s:%d", ex.file, ex.line)
		t.Run(name, func(t *testing.T) {
			if reason, ok := docExampleSkips[ex.text]; ok {
				used[ex.text] = true
				t.Skipf("%s: %s", ex.text, reason)
			}
			if ex.syntaxErr != "" {
				t.Fatalf("%s\n%s: the test cannot run this; rewrite it or add it to docExampleSkips with a reason", ex.text, ex.syntaxErr)
			}
			for _, a := range ex.args {
				if filepath.IsAbs(a) || strings.HasPrefix(a, "~") {
					t.Fatalf("%s\nargument %q is outside the repository: add the example to docExampleSkips with a reason", ex.text, a)
				}
			}
			if len(ex.args) > 0 && (ex.args[0] == "apply" || ex.args[0] == "check") && !slices.Contains(ex.args, "--lab") {
				t.Fatalf("%s\nneeds real devices: write it with --lab, or add it to docExampleSkips with a reason", ex.text)
			}
			for k, v := range ex.env {
				t.Setenv(k, v)
			}
			code, stdout, stderr := runDocExample(t, ex.args)
			if code != ex.wantExit {
				t.Errorf("%s\nexit %d, the docs say %d\nstdout:\n%s\nstderr:\n%s", ex.text, code, ex.wantExit, stdout, stderr)
			}
		})
	}
	for text := range docExampleSkips {
		if !used[text] {
			t.Errorf("docExampleSkips has %q, which no doc example is any more: remove it", text)
		}
	}
}

// runDocExample runs one example in-process. `lab serve` runs until
// Ctrl+C: it is interrupted once it says it is up, as a reader would.
func runDocExample(t *testing.T, args []string) (int, string, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	out := &lockedBuffer{b: &stdout}
	if len(args) >= 2 && args[0] == "lab" && args[1] == "serve" {
		if port := flagValue(args, "--base-port"); port != "" {
			n, _ := strconv.Atoi(port)
			devices, _ := strconv.Atoi(flagValue(args, "--devices"))
			for i := range max(devices, 1) {
				l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(n+i)))
				if err != nil {
					t.Skipf("port %d is taken on this machine (%v): cannot run %v", n+i, err, args)
				}
				l.Close()
			}
		}
		out.onWrite = func(s string) {
			if strings.Contains(s, "press Ctrl+C to stop") {
				cancel()
			}
		}
	}
	code := run(ctx, args, out, &stderr)
	if ctx.Err() == context.DeadlineExceeded {
		t.Errorf("%v did not end within its deadline", args)
	}
	return code, out.String(), stderr.String()
}

// lockedBuffer is a writer that can report what has been written so far.
type lockedBuffer struct {
	mu      sync.Mutex
	b       *bytes.Buffer
	onWrite func(all string)
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.b.Write(p)
	if w.onWrite != nil {
		w.onWrite(w.b.String())
	}
	return n, err
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

var (
	fenceRE      = regexp.MustCompile("^\\s*```\\s*([A-Za-z0-9_-]*)")
	commentExit  = regexp.MustCompile(`\b[Ee]xits (\d+)\b`)
	prosExit     = regexp.MustCompile(`\bexits (\d+)\b`)
	envAssign    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)
	shellLangs   = []string{"", "sh", "bash", "shell", "console", "zsh"}
	shellSpecial = []string{"|", "||", "&&", ";", ">", ">>", "<", "2>", "2>&1", "&"}
)

// extractDocExamples finds the runbook commands of the fenced shell blocks
// of one markdown file.
func extractDocExamples(file, src string) []docExample {
	lines := strings.Split(src, "\n")
	var out []docExample
	for i := 0; i < len(lines); i++ {
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		lang := m[1]
		// Find the end of the block.
		end := i + 1
		for end < len(lines) && !fenceRE.MatchString(lines[end]) {
			end++
		}
		if !slices.Contains(shellLangs, lang) {
			i = end
			continue
		}
		var block []docExample
		var comments []string // comment lines right above the next command
		for j := i + 1; j < end; j++ {
			first := j + 1 // 1-based line number
			text := strings.TrimSpace(lines[j])
			for strings.HasSuffix(text, "\\") && j+1 < end {
				j++
				text = strings.TrimSpace(strings.TrimSuffix(text, "\\")) + " " + strings.TrimSpace(lines[j])
			}
			text = strings.TrimPrefix(text, "$ ")
			if text == "" {
				comments = nil
				continue
			}
			if strings.HasPrefix(text, "#") {
				comments = append(comments, text)
				continue
			}
			words, comment, err := shellWords(text)
			ex := docExample{file: file, line: first, env: map[string]string{}, wantExit: -1}
			for len(words) > 0 && envAssign.MatchString(words[0]) {
				k, v, _ := strings.Cut(words[0], "=")
				ex.env[k] = v
				words = words[1:]
			}
			switch {
			case len(words) >= 1 && words[0] == "runbook":
				ex.args = words[1:]
			case len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/runbook":
				ex.args = words[3:]
			default:
				comments = nil
				continue
			}
			ex.text = text
			if i := strings.Index(text, " #"); i >= 0 && comment != "" {
				ex.text = strings.TrimSpace(text[:i])
			}
			if err != nil {
				ex.syntaxErr = err.Error()
			}
			for _, w := range ex.args {
				if slices.Contains(shellSpecial, w) {
					ex.syntaxErr = fmt.Sprintf("shell syntax %q", w)
				}
			}
			for _, c := range append(comments, comment) {
				if m := commentExit.FindStringSubmatch(c); m != nil {
					ex.wantExit, _ = strconv.Atoi(m[1])
				}
			}
			comments = nil
			block = append(block, ex)
		}
		// A lone command: the paragraph right after the block may say
		// how it exits.
		if len(block) == 1 && block[0].wantExit < 0 {
			var para []string
			for k := end + 1; k < len(lines); k++ {
				if strings.TrimSpace(lines[k]) == "" {
					if len(para) > 0 {
						break
					}
					continue
				}
				para = append(para, lines[k])
			}
			if m := prosExit.FindStringSubmatch(strings.Join(para, " ")); m != nil {
				block[0].wantExit, _ = strconv.Atoi(m[1])
			}
		}
		for _, ex := range block {
			if ex.wantExit < 0 {
				ex.wantExit = 0
			}
			out = append(out, ex)
		}
		i = end
	}
	return out
}

// shellWords splits a command line as a POSIX shell would for the simple
// commands the docs show: blanks separate words, single quotes keep
// everything, double quotes keep all but \" and \\, a backslash escapes
// one character, and a word starting with # begins a comment.
func shellWords(line string) (words []string, comment string, err error) {
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '#' && !inWord:
			return words, strings.TrimSpace(line[i+1:]), nil
		case c == '\'':
			inWord = true
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, "", fmt.Errorf("unterminated single quote")
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			inWord = true
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) && (line[i+1] == '"' || line[i+1] == '\\') {
					i++
				}
				if line[i] == '$' || line[i] == '`' {
					return nil, "", fmt.Errorf("shell expansion in double quotes")
				}
				cur.WriteByte(line[i])
			}
			if i >= len(line) {
				return nil, "", fmt.Errorf("unterminated double quote")
			}
		case c == '\\' && i+1 < len(line):
			inWord = true
			i++
			cur.WriteByte(line[i])
		case c == '$' || c == '`':
			return nil, "", fmt.Errorf("shell expansion %q", string(c))
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, "", nil
}

func TestExtractDocExamples(t *testing.T) {
	md := "intro\n\n" +
		"```sh\n" +
		"# exits 1: sw2 fails\n" +
		"runbook apply --lab --lab-fault 'sw2:reject_config=^ntp' playbooks/ntp.hcl\n" +
		"runbook plan --limit core3 playbooks/ntp.hcl   # exits 2: no such host\n" +
		"ls -l\n" +
		"FOO=bar \\\n  runbook validate \"play books/x.hcl\"\n" +
		"runbook parse --platform p --command c x | jq .\n" +
		"```\n\n" +
		"```hcl\nrunbook = 1\n```\n\n" +
		"```\ngo run ./cmd/runbook apply --lab playbooks/ntp.hcl\n```\n\n" +
		"The command above exits 3.\n"
	got := extractDocExamples("x.md", md)
	type row struct {
		Line      int
		Text      string
		Env       map[string]string
		Args      []string
		Exit      int
		SyntaxErr bool
	}
	var rows []row
	for _, ex := range got {
		rows = append(rows, row{ex.line, ex.text, ex.env, ex.args, ex.wantExit, ex.syntaxErr != ""})
	}
	want := []row{
		{5, "runbook apply --lab --lab-fault 'sw2:reject_config=^ntp' playbooks/ntp.hcl", map[string]string{}, []string{"apply", "--lab", "--lab-fault", "sw2:reject_config=^ntp", "playbooks/ntp.hcl"}, 1, false},
		{6, "runbook plan --limit core3 playbooks/ntp.hcl", map[string]string{}, []string{"plan", "--limit", "core3", "playbooks/ntp.hcl"}, 2, false},
		{8, `FOO=bar runbook validate "play books/x.hcl"`, map[string]string{"FOO": "bar"}, []string{"validate", "play books/x.hcl"}, 0, false},
		{10, "runbook parse --platform p --command c x | jq .", map[string]string{}, []string{"parse", "--platform", "p", "--command", "c", "x", "|", "jq", "."}, 0, true},
		{18, "go run ./cmd/runbook apply --lab playbooks/ntp.hcl", map[string]string{}, []string{"apply", "--lab", "playbooks/ntp.hcl"}, 3, false},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("examples (-want +got):\n%s", diff)
	}
}

// The platform tables of docs/playbook-language.md and docs/driver.md say
// what the loader and the driver accept; they must agree with the code.
func TestDocPlatformAliases(t *testing.T) {
	lang := readDoc(t, "playbook-language.md")
	drv := readDoc(t, "driver.md")

	// The loader's aliases, as both pages list them.
	wantLoader := hcl.PlatformAliases()
	for _, d := range []struct{ name, section string }{
		{"playbook-language.md", section(t, lang, "### Platforms", "## ")},
		{"driver.md", section(t, drv, "| in a playbook | platform |", "\n\n")},
	} {
		got := map[string]string{}
		for _, row := range tableRows(d.section) {
			if len(row) != 2 {
				continue
			}
			platform := strings.Trim(row[1], "` ")
			for _, alias := range codeSpans(row[0]) {
				got[alias] = platform
			}
		}
		if diff := cmp.Diff(wantLoader, got); diff != "" {
			t.Errorf("%s: alias table differs from hcl.PlatformAliases() (-code +doc):\n%s", d.name, diff)
		}
	}

	// The driver's table: every platform with all its aliases.
	got := map[string][]string{}
	for _, row := range tableRows(section(t, drv, "| name            | aliases", "\n\n")) {
		if len(row) < 2 || !strings.HasPrefix(row[0], "`") {
			continue
		}
		var aliases []string
		for a := range strings.SplitSeq(row[1], ",") {
			aliases = append(aliases, strings.TrimSpace(a))
		}
		got[strings.Trim(row[0], "` ")] = aliases
	}
	want := map[string][]string{}
	var rejected []string // driver names a playbook does not accept
	for _, name := range driver.Platforms() {
		p, _ := driver.LookupPlatform(name)
		want[name] = p.Aliases
		for _, a := range p.Aliases {
			if _, ok := hcl.CanonicalPlatform(a); !ok {
				rejected = append(rejected, a)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("driver.md platform table differs from the driver (-code +doc):\n%s", diff)
	}
	i := strings.Index(drv, "work with the driver as a library but")
	if i < 0 {
		t.Fatal("driver.md no longer says which driver aliases a playbook rejects")
	}
	start, end := strings.LastIndex(drv[:i], "\n\n"), i+strings.Index(drv[i:], "\n\n")
	named := codeSpans(drv[start:end])
	sort.Strings(rejected)
	sort.Strings(named)
	if diff := cmp.Diff(rejected, named); diff != "" {
		t.Errorf("driver.md names these driver aliases as rejected by a playbook (-code +doc):\n%s", diff)
	}
}

// docs/lab.md names the devices `lab serve` starts.
func TestDocLabDeviceNames(t *testing.T) {
	doc := readDoc(t, "lab.md")
	spec, err := lab.FleetSpecFor(lab.ServeOptions{Devices: 6, Platform: "mixed"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range spec.Devices {
		names = append(names, "`"+d.Name+"`")
	}
	claim := "`--platform mixed` gives " + strings.Join(names, ", ")
	if !strings.Contains(strings.Join(strings.Fields(doc), " "), claim) {
		t.Errorf("docs/lab.md does not say %q", claim)
	}
	spec, _ = lab.FleetSpecFor(lab.ServeOptions{Devices: 3})
	claim = "`--devices 3` gives `" + spec.Devices[0].Name + "`, `" + spec.Devices[1].Name + "`, `" + spec.Devices[2].Name + "`"
	if !strings.Contains(strings.Join(strings.Fields(doc), " "), claim) {
		t.Errorf("docs/lab.md does not say %q", claim)
	}
}

func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../docs", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// section is the text from start up to the next end after it.
func section(t *testing.T, doc, start, end string) string {
	t.Helper()
	i := strings.Index(doc, start)
	if i < 0 {
		t.Fatalf("the doc has no %q", start)
	}
	rest := doc[i+len(start):]
	if j := strings.Index(rest, end); j >= 0 {
		rest = rest[:j]
	}
	return start + rest
}

// tableRows returns the cells of the markdown table rows in text, header
// and separator rows left out.
func tableRows(text string) [][]string {
	var rows [][]string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") || strings.Trim(line, "|-: ") == "" {
			continue
		}
		var cells []string
		for c := range strings.SplitSeq(strings.Trim(line, "|"), "|") {
			cells = append(cells, strings.TrimSpace(c))
		}
		rows = append(rows, cells)
	}
	return rows
}

var codeSpanRE = regexp.MustCompile("`([^`]+)`")

func codeSpans(s string) []string {
	var out []string
	for _, m := range codeSpanRE.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// clusterCommands are the kubectl and docker commands of the fenced shell
// blocks of a doc, continuation lines joined, each cut at a pipe or ;.
func clusterCommands(doc string) []string {
	var out []string
	lines := strings.Split(doc, "\n")
	cmdRE := regexp.MustCompile(`\b(kubectl|docker) [^|;&]*`)
	for i := 0; i < len(lines); i++ {
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		end := i + 1
		for end < len(lines) && !fenceRE.MatchString(lines[end]) {
			end++
		}
		if slices.Contains(shellLangs, m[1]) {
			for j := i + 1; j < end; j++ {
				text := strings.TrimSpace(lines[j])
				for strings.HasSuffix(text, "\\") && j+1 < end {
					j++
					text = strings.TrimSpace(strings.TrimSuffix(text, "\\")) + " " + strings.TrimSpace(lines[j])
				}
				if strings.HasPrefix(text, "#") {
					continue
				}
				for _, c := range cmdRE.FindAllString(text, -1) {
					out = append(out, strings.TrimSpace(c))
				}
			}
		}
		i = end
	}
	return out
}

// The cluster commands of docs/scale.md cannot run in a test; what they
// name must exist: the Dockerfile, the kustomization and manifests they
// apply, the Jobs they wait for, read and delete, the Secret the Jobs
// read.
func TestDocClusterCommands(t *testing.T) {
	objs := readDeploy(t)
	secrets := map[string]bool{}
	for _, j := range objs.jobs {
		for _, e := range j.Spec.Template.Spec.Containers[0].Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				secrets[e.ValueFrom.SecretKeyRef.Name] = true
			}
		}
	}
	exists := func(cmd, path string) {
		if _, err := os.Stat(filepath.Join("../..", path)); err != nil {
			t.Errorf("%s: %v", cmd, err)
		}
	}
	job := func(cmd, name string) {
		if objs.jobs[name] == nil {
			t.Errorf("%s: deploy/kubernetes has no Job %q", cmd, name)
		}
	}
	cmds := clusterCommands(readDoc(t, "scale.md"))
	for _, cmd := range cmds {
		w := strings.Fields(cmd)
		switch {
		case len(w) == 5 && w[0] == "docker" && w[1] == "build" && w[2] == "-t" && w[4] == ".":
			exists(cmd, "Dockerfile")
		case len(w) == 4 && w[1] == "apply" && w[2] == "-k":
			exists(cmd, filepath.Join(w[3], "kustomization.yaml"))
		case len(w) == 4 && w[1] == "apply" && w[2] == "-f":
			exists(cmd, w[3])
		case len(w) >= 5 && w[1] == "create" && w[2] == "secret" && w[3] == "generic":
			if !secrets[w[4]] {
				t.Errorf("%s: no Job reads the Secret %s", cmd, w[4])
			}
		case len(w) >= 4 && (w[1] == "get" || w[1] == "delete") && w[2] == "job":
			for _, name := range w[3:] {
				if strings.HasPrefix(name, "-") {
					break
				}
				job(cmd, name)
			}
		case len(w) >= 3 && w[1] == "logs" && strings.HasPrefix(w[len(w)-1], "job/"):
			job(cmd, strings.TrimPrefix(w[len(w)-1], "job/"))
		default:
			t.Errorf("%s: the test does not know this command; teach TestDocClusterCommands", cmd)
		}
	}
	if len(cmds) < 6 {
		t.Errorf("found %d cluster commands in docs/scale.md: is the extraction broken?\n%s", len(cmds), strings.Join(cmds, "\n"))
	}
}
