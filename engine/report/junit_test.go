package report

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// What a CI system reads back, decoded independently of the writer's types.
type xSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []xSuite `xml:"testsuite"`
}

type xSuite struct {
	Name     string  `xml:"name,attr"`
	Tests    int     `xml:"tests,attr"`
	Failures int     `xml:"failures,attr"`
	Errors   int     `xml:"errors,attr"`
	Skipped  int     `xml:"skipped,attr"`
	Time     string  `xml:"time,attr"`
	Cases    []xCase `xml:"testcase"`
}

type xCase struct {
	Classname string    `xml:"classname,attr"`
	Name      string    `xml:"name,attr"`
	Failure   *xProblem `xml:"failure"`
	Error     *xProblem `xml:"error"`
	Skipped   *xProblem `xml:"skipped"`
}

type xProblem struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// outcome is a testcase in one word, for compact comparisons.
func (c xCase) outcome() string {
	switch {
	case c.Failure != nil:
		return "failure"
	case c.Error != nil:
		return "error"
	case c.Skipped != nil:
		return "skipped"
	}
	return "pass"
}

func TestJUnit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junit.xml")
	s := NewJUnit(path)
	feed(s, events(fixture()))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "<?xml") {
		t.Errorf("no XML declaration: %.60s", b)
	}
	var doc xSuites
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not valid XML: %v\n%s", err, b)
	}

	type counts struct{ Tests, Failures, Errors, Skipped int }
	got := map[string]counts{}
	cases := map[string][]string{}
	for _, su := range doc.Suites {
		got[su.Name] = counts{su.Tests, su.Failures, su.Errors, su.Skipped}
		for _, c := range su.Cases {
			if c.Classname != su.Name {
				t.Errorf("testcase %q has classname %q, want %q", c.Name, c.Classname, su.Name)
			}
			cases[su.Name] = append(cases[su.Name], c.Name+"="+c.outcome())
		}
	}
	want := map[string]counts{
		"core1": {5, 0, 0, 0},
		"core2": {6, 2, 0, 0},
		"core3": {4, 0, 1, 3},
		"dist1": {4, 0, 1, 2},
		"edge1": {5, 0, 0, 1},
		"edge2": {1, 0, 0, 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suite counts (-want +got):\n%s", diff)
	}
	if doc.Tests != 25 || doc.Failures != 2 || doc.Errors != 2 || doc.Skipped != 7 {
		t.Errorf("totals = %d tests %d failures %d errors %d skipped, want 25/2/2/7", doc.Tests, doc.Failures, doc.Errors, doc.Skipped)
	}
	wantCases := map[string][]string{
		"core2": {
			"send_command.pre=pass", "send_config_set.push=pass", "save.config=pass",
			"send_command.verify=failure",
			"send_command.verify assert all_servers_present=failure",
			"send_command.verify assert no_garbage=pass",
		},
		"core3": {"send_command.pre=error", "send_config_set.push=skipped", "save.config=skipped", "send_command.verify=skipped"},
		"edge2": {"device=skipped"},
	}
	for dev, want := range wantCases {
		if diff := cmp.Diff(want, cases[dev]); diff != "" {
			t.Errorf("%s testcases (-want +got):\n%s", dev, diff)
		}
	}

	// The assertion's failure carries its message with the values.
	var core2 xSuite
	for _, su := range doc.Suites {
		if su.Name == "core2" {
			core2 = su
		}
	}
	a := core2.Cases[4].Failure
	wantMsg := fixture().Devices[1].Steps[3].Asserts[0].Message
	if a == nil || a.Message != wantMsg || a.Text != wantMsg {
		t.Errorf("assertion failure = %+v, want message %q", a, wantMsg)
	}
}

// An unreachable device with no step to blame still shows as an error.
func TestJUnitUnreachableWithoutSteps(t *testing.T) {
	rep := fixture()
	rep.Devices[2].Steps = nil
	doc := buildJUnit(rep)
	su := doc.Suites[2]
	if len(su.Cases) != 1 || su.Cases[0].Name != "connect" || su.Cases[0].Error == nil || su.Errors != 1 {
		t.Errorf("core3 suite = %+v, want one connect error", su)
	}
}

// Device output can hold control characters that XML 1.0 forbids; the file
// must still parse.
func TestJUnitControlCharacters(t *testing.T) {
	rep := fixture()
	rep.Devices[3].Steps[1].Message = "timed out; last output: \x1b[K\x08--More--\x00"
	path := filepath.Join(t.TempDir(), "junit.xml")
	s := NewJUnit(path)
	feed(s, events(rep))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var doc xSuites
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("not valid XML: %v", err)
	}
}
