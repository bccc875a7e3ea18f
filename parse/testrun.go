package parse

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// TestCase is one fixture of a tests tree in ntc-templates' layout:
// <platform>/<command_with_underscores>/<name>.raw with the expected
// records in <name>.yml (parsed_sample).
type TestCase struct {
	Platform, Command string
	Raw, Expected     string // file paths
}

// TestResult is the outcome of one TestCase.
type TestResult struct {
	TestCase
	Template string // template file(s) used, joined by ":"
	Err      error  // no template, a parse error, or an unreadable file
	Diff     string // first mismatch (-expected +got); "" when equal
	Skipped  bool   // no .yml with the expected records
}

// Passed reports whether the records matched.
func (r TestResult) Passed() bool { return !r.Skipped && r.Err == nil && r.Diff == "" }

// Resolver finds the templates for a platform and command, as the
// ntc-templates index (and runbook's other template directories) would.
type Resolver func(platform, command string) (ts []*Template, name string, err error)

// FindTests lists the fixtures under root, sorted by path. A .raw file
// with no .yml beside it is a case whose Expected is "": RunTests skips
// it (ntc-templates keeps a few such files).
func FindTests(root string) ([]TestCase, error) {
	var cases []TestCase
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".raw") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		parts := strings.Split(filepath.ToSlash(rel), "/")
		if len(parts) < 3 {
			return nil // not <platform>/<command>/<file>.raw
		}
		tc := TestCase{
			Platform: parts[len(parts)-3],
			Command:  strings.ReplaceAll(parts[len(parts)-2], "_", " "),
			Raw:      path,
		}
		if yml := strings.TrimSuffix(path, ".raw") + ".yml"; fileExists(yml) {
			tc.Expected = yml
		}
		cases = append(cases, tc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("%s: no test fixtures (<platform>/<command>/<name>.raw with <name>.yml)", root)
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].Raw < cases[j].Raw })
	return cases, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// RunTests runs every case, on all CPUs, and returns the results in the
// order of cases.
func RunTests(cases []TestCase, resolve Resolver) []TestResult {
	results := make([]TestResult, len(cases))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = runTest(cases[i], resolve)
			}
		}()
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

func runTest(tc TestCase, resolve Resolver) TestResult {
	res := TestResult{TestCase: tc}
	if tc.Expected == "" {
		res.Skipped = true
		return res
	}
	raw, err := os.ReadFile(tc.Raw)
	if err != nil {
		res.Err = err
		return res
	}
	want, err := readExpected(tc.Expected)
	if err != nil {
		res.Err = err
		return res
	}
	ts, name, err := resolve(tc.Platform, tc.Command)
	res.Template = name
	if err != nil {
		res.Err = err
		return res
	}
	// Python reads the file with universal newlines: "\r\n" and "\r"
	// become "\n" before TextFSM sees the text.
	text := strings.ReplaceAll(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\r", "\n")
	header, rows, err := ParseCmd(ts, text)
	if err != nil {
		res.Err = err
		return res
	}
	got := Lower(header, rows)
	res.Diff = firstMismatch(want, got)
	return res
}

// readExpected reads parsed_sample from an ntc-templates .yml file.
// Scalars are compared as the text the file holds.
func readExpected(path string) ([]map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: no parsed_sample", path)
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "parsed_sample" {
			continue
		}
		sample := top.Content[i+1]
		out := []map[string]any{}
		if sample.Kind != yaml.SequenceNode {
			return out, nil // "parsed_sample: []" or empty
		}
		for _, item := range sample.Content {
			m, ok := yamlValue(item).(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s:%d: a parsed_sample entry is not a mapping", path, item.Line)
			}
			out = append(out, m)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s: no parsed_sample", path)
}

func yamlValue(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode, yaml.AliasNode:
		if n.Kind == yaml.AliasNode {
			return yamlValue(n.Alias)
		}
		if len(n.Content) > 0 {
			return yamlValue(n.Content[0])
		}
		return nil
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			out[i] = yamlValue(c)
		}
		return out
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			out[n.Content[i].Value] = yamlValue(n.Content[i+1])
		}
		return out
	}
	if n.Tag == "!!null" {
		return nil
	}
	return n.Value
}

// firstMismatch describes the first record that differs, or a count
// mismatch; "" when want and got are equal.
func firstMismatch(want, got []map[string]any) string {
	for i := 0; i < len(want) && i < len(got); i++ {
		if d := cmp.Diff(want[i], got[i]); d != "" {
			return fmt.Sprintf("record %d of %d (-expected +got):\n%s", i+1, len(want), d)
		}
	}
	if len(want) != len(got) {
		return fmt.Sprintf("%d records expected, got %d", len(want), len(got))
	}
	return ""
}
