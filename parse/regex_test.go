package parse

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// regexCases are Python re patterns applied with re.match to inputs. The
// expected results in testdata/regex.json were written by Python
// (go test ./parse -run RegexAsPython -record-python), not by this
// package.
var regexCases = []struct {
	pattern string
	inputs  []string
}{
	{`(?P<a>\s+)x`, []string{" x", "\u00a0x", "\u2003\tx", "\x1fx", "\x0bx", "x", "\u200bx"}},
	{`(?P<a>\S+)`, []string{"ab c", "\u00a0a", "é\u00a0", "\x1fa"}},
	{`(?P<a>\d+)`, []string{"123a", "\u0663\u0664x", "a1"}},
	{`(?P<a>\D+)`, []string{"ab1", "\u0663"}},
	{`(?P<a>\w+)`, []string{"café-x", "a_b1 ", "\u00b2x", "-"}},
	{`(?P<a>\W+)`, []string{"-- a", "é"}},
	{`(?P<a>[\s,]+)`, []string{" ,\u00a0x"}},
	{`(?P<a>[\S]+)`, []string{"ab\u00a0", "\x1f"}},
	{`(?P<a>[\S\s]+)`, []string{"a \x1f\u00a0b"}},
	{`(?P<a>[\w.]+)`, []string{"é.b c"}},
	{`(?P<a>[^\d]+)`, []string{"ab\u06631"}},
	{`(?P<a>[^\s]+)`, []string{"ab\u00a0c"}},
	{`(?P<a>\d{,2})x`, []string{"12x", "x", "123x"}},
	{`(?P<a>\d{2,})`, []string{"1", "123"}},
	{`(?P<a>a{2})`, []string{"aaa", "a"}},
	{`a{x}(?P<a>.)`, []string{"a{x}b"}},
	{`a{,}(?P<a>.)`, []string{"a{,}b"}},
	{`(?P<a>x{1,1001})`, []string{"xxx"}},
	{`(?P<a>\S+)\Z`, []string{"ab", "ab c"}},
	{`(?P<a>\u00e9+)`, []string{"éé!"}},
	{`(?P<q>['"])(?P<a>\w+)(?P=q)`, []string{`'x'`, `"x'`}},
	{`(?P<a>(\w)\2)`, []string{"aab", "ab"}},
	{`(?P<a>\w+)(?=!)`, []string{"ab!", "ab?"}},
	{`(?P<a>\w+)(?!!)`, []string{"ab!", "ab?"}},
	{`(?P<a>..)(?<=b)`, []string{"ab", "ba"}},
	{`(?P<a>..)(?<!b)`, []string{"ab", "ba"}},
	{`(?P<a>(?>a+))b`, []string{"aab"}},
	{`(?P<a>a*+)b`, []string{"aab"}},
	{`(?P<a>x)(?#a comment)y`, []string{"xy"}},
	{`(?i)(?P<a>abc)`, []string{"ABC", "abd"}},
	{`(?P<a>(?i:ab)c)`, []string{"ABc", "ABC"}},
	{`(?P<a>x)(?i)`, []string{"x"}},
	{`(?P<a>[]x]+)`, []string{"]x]"}},
	{`(?P<a>[^]x]+)`, []string{"ab]"}},
	{`(?P<a>[[x]+)`, []string{"[x["}},
	{`(?P<a>\bfoo\b)`, []string{"foo bar", "foobar"}},
	{`a|(?P<a>b)`, []string{"xb", "b", "a"}},
	{`(?P<a>x)?(?P<b>y)`, []string{"y", "xy"}},
	{`(?P<a>\x41\t)`, []string{"A\t"}},
	{`(?P<a>\q)`, []string{"q"}},
	{`(?P<a>[x)`, []string{"x"}},
	{`(?P<a>x)(?P<a>y)`, []string{"xy"}},
	{`(?P<1a>x)`, []string{"x"}},
	{`(?P<a>\\)`, []string{`\`}},
	{`(?P<a>[\b]x)`, []string{"\bx"}},
	{`(?P<a>\u00)`, []string{"x"}},
	{`(?P<a>\U0001F600+)`, []string{"\U0001F600\U0001F600x"}},
	{`(?P<a>x{1000})`, []string{"xx"}},
	{`(?P<a>x{0,1000}+)y`, []string{"xxy"}},
	{`(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(?P<a>\10)`, []string{"abcdefghijj", "abcdefghija0"}},
	{`(?P<a1_>x)(?P<é>y)`, []string{"xy"}},
	{`(?P<a>[^]]+)`, []string{"ab]"}},
	{`(?P<a>[^^]+)`, []string{"ab^"}},
	{`(?P<a>[\d-]+)`, []string{"1-\u0663x"}},
	{`(?P<a>[\W]+)`, []string{"-\u00a0é"}},
}

// Patterns RE2 runs exactly as Python must stay on RE2 (linear time, no
// match-time limit needed); the others need the backtracking engine.
func TestEngineChoice(t *testing.T) {
	for pat, want := range map[string]string{
		`x{1000}`: "re2", `x{,5}`: "re2", `\S+\Z`: "re2", `[\S]+`: "re2", `(?i)ab`: "re2", `a(?#c)b`: "re2",
		`x{1001}`: "backtracking", `x{,1001}`: "backtracking", `(?=a)a`: "backtracking", `(?<!a)b`: "backtracking",
		`(a)\1`: "backtracking", `(?P<q>a)(?P=q)`: "backtracking", `a*+`: "backtracking", `a{1,2}+`: "backtracking",
		`(?>a)`: "backtracking", `(?x) a`: "backtracking",
	} {
		re, err := compilePy(pat)
		if err != nil {
			t.Errorf("%s: %v", pat, err)
			continue
		}
		if re.engine != want {
			t.Errorf("%s runs on %s, want %s", pat, re.engine, want)
		}
	}
	// Only non-ASCII lines need the Unicode form; [\S] there needs the
	// backtracking engine, \s does not.
	if re, _ := compilePy(`[\S]+`); re.uniBT == nil {
		t.Error(`[\S]+: no backtracking form for non-ASCII lines`)
	}
	if re, _ := compilePy(`\s+`); re.uniBT != nil || re.uniSrc == "" {
		t.Error(`\s+: want an RE2 Unicode form`)
	}
}

// regexResult is re.match's outcome: the named groups (nil for a group
// that did not take part), no match, or a compile error.
type regexResult struct {
	Error   bool                 `json:"error,omitempty"`
	Matches []map[string]*string `json:"matches"` // per input; nil entry: no match
}

const regexScript = `
import json, re, sys
out = []
for case in json.load(sys.stdin):
    try:
        r = re.compile(case['pattern'])
    except re.error:
        out.append({'error': True, 'matches': None})
        continue
    res = []
    for s in case['inputs']:
        m = r.match(s)
        res.append(None if m is None else m.groupdict())
    out.append({'matches': res})
print(json.dumps(out))
`

func TestRegexAsPython(t *testing.T) {
	golden := filepath.Join("testdata", "regex.json")
	if *recordPython {
		py := pythonTextFSM(t)
		var jobs []map[string]any
		for _, c := range regexCases {
			jobs = append(jobs, map[string]any{"pattern": c.pattern, "inputs": c.inputs})
		}
		in, _ := json.Marshal(jobs)
		cmd := exec.Command(py, "-c", regexScript)
		cmd.Stdin = bytes.NewReader(in)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		var res []regexResult
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatal(err)
		}
		want := map[string]regexResult{}
		for i, r := range res {
			want[regexCases[i].pattern] = r
		}
		b, _ := json.MarshalIndent(want, "", "  ")
		if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]regexResult
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	for _, c := range regexCases {
		w, ok := want[c.pattern]
		if !ok {
			t.Errorf("%s: not in %s (run with -record-python)", c.pattern, golden)
			continue
		}
		re, err := compilePy(c.pattern)
		if err != nil {
			if !w.Error {
				t.Errorf("%s: %v; Python compiles it", c.pattern, err)
			}
			continue
		}
		if w.Error {
			t.Errorf("%s: compiles; Python rejects it", c.pattern)
			continue
		}
		got := regexResult{}
		for _, s := range c.inputs {
			groups := make([]groupValue, len(re.names))
			ok, err := re.match(s, plain(s), groups)
			if err != nil {
				t.Errorf("%s on %q: %v", c.pattern, s, err)
			}
			if !ok {
				got.Matches = append(got.Matches, nil)
				continue
			}
			m := map[string]*string{}
			for i, name := range re.names {
				if groups[i].set {
					v := groups[i].value
					m[name] = &v
				} else {
					m[name] = nil
				}
			}
			got.Matches = append(got.Matches, m)
		}
		if d := cmp.Diff(w, got); d != "" {
			t.Errorf("%s (%s engine): differs from Python (-python +runbook):\n%s", c.pattern, re.engine, d)
		}
	}
}
