package tasks

import (
	"strings"
	"testing"
)

// testEnv holds values as the engine passes them: records and variables
// as JSON gives them (plain maps and []any).
func testEnv() ExprEnv {
	return ExprEnv{
		Output: "ntp server 10.0.1.100\nntp server 10.0.1.102\n",
		Result: []any{
			map[string]any{"interface": "Gi0/0", "status": "up"},
			map[string]any{"interface": "Gi0/1", "status": "down"},
			map[string]any{"interface": "Gi0/2", "status": "administratively down"},
		},
		Steps: map[string]any{
			"pre":                  map[string]any{"output": "12.2(55)SE", "changed": false},
			"send_command.pre":     map[string]any{"output": "12.2(55)SE", "changed": false},
			"send_config_set.push": map[string]any{"changed": true, "failed": false},
		},
		Vars: map[string]any{"ntp_servers": []any{"10.0.1.100", "10.0.1.101"}, "min_up": 2.0},
		Host: ExprHost{
			Name: "core1", Address: "127.0.0.1", Port: 2222, Platform: "cisco_ios",
			Groups: []string{"core"}, Tags: []string{"dc1"}, Vars: map[string]any{"site": "ams"},
		},
	}
}

func TestAssert(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		message string
		passed  bool
		want    []string // substrings of the failure message
	}{
		{name: "contains", src: `output contains "10.0.1.100"`, passed: true},
		{name: "host facts", src: `host.name == "core1" && "core" in host.groups && host.vars.site == "ams" && host.port == 2222`, passed: true},
		{name: "steps by name and address", src: `steps.pre.output == steps["send_command.pre"].output && steps["send_config_set.push"].changed`, passed: true},
		{name: "records", src: `len(result) == 3 && result[0].status == "up"`, passed: true},
		{name: "all fails", src: `all(result, {.status == "up"})`, message: "interfaces down",
			want: []string{"interfaces down: ", `expected all(result, {.status == "up"}) but 2 of 3 elements failed: [{"interface":"Gi0/1","status":"down"}, {"interface":"Gi0/2","status":"administratively down"}]`}},
		{name: "all over vars", src: `all(vars.ntp_servers, {output contains #})`, message: "an NTP server is missing",
			want: []string{`but 1 of 2 elements failed: ["10.0.1.101"]`}},
		{name: "none fails", src: `none(result, {.status == "down"})`,
			want: []string{"assertion none(result, {.status == \"down\"}) is false", `1 of 3 elements matched: [{"interface":"Gi0/1","status":"down"}]`}},
		{name: "any fails", src: `any(result, {.status == "testing"})`,
			want: []string{"but none of 3 elements matched"}},
		{name: "values shown", src: `steps.pre.output startsWith "15." && host.platform == "cisco_ios"`, message: "old IOS",
			want: []string{`old IOS: steps.pre.output = "12.2(55)SE"; host.platform = "cisco_ios"`}},
		{name: "count vs var", src: `count(result, {.status == "up"}) >= vars.min_up`,
			want: []string{"vars.min_up = 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := CompileAssert("a", tt.src, tt.message)
			if err != nil {
				t.Fatal(err)
			}
			out, err := a.Eval(testEnv())
			if err != nil {
				t.Fatal(err)
			}
			if out.Passed != tt.passed {
				t.Fatalf("Passed = %v, want %v (message %q)", out.Passed, tt.passed, out.Message)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.Message, w) {
					t.Errorf("message %q\ndoes not contain %q", out.Message, w)
				}
			}
		})
	}
}

func TestAssertLongValuesTruncated(t *testing.T) {
	a, err := CompileAssert("a", `output contains "x"`, "")
	if err != nil {
		t.Fatal(err)
	}
	env := testEnv()
	env.Output = strings.Repeat("y", 10000)
	out, err := a.Eval(env)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Message) > 500 || !strings.Contains(out.Message, "more bytes)") {
		t.Errorf("message not truncated (%d bytes): %.200q", len(out.Message), out.Message)
	}
	env.Result = make([]any, 50)
	for i := range env.Result {
		env.Result[i] = i
	}
	a, _ = CompileAssert("a", `all(result, {# < 0})`, "")
	out, _ = a.Eval(env)
	if !strings.Contains(out.Message, "50 of 50 elements failed: [0, 1, 2, 3, 4, ... and 45 more]") {
		t.Errorf("message = %q", out.Message)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`outptu contains "x"`, "unknown name outptu"},
		{`host.nmae == "x"`, "nmae"},
		{`len(output)`, "bool"},
		{`output contains`, "unexpected"},
	}
	for _, tt := range tests {
		_, err := CompileAssert("a", tt.src, "")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CompileAssert(%q) = %v, want an error containing %q", tt.src, err, tt.want)
		}
		_, err = CompileCondition(tt.src)
		if err == nil {
			t.Errorf("CompileCondition(%q): want an error", tt.src)
		}
		if err != nil && strings.Contains(err.Error(), "tasks.") {
			t.Errorf("error leaks Go type names: %v", err)
		}
	}
}

func TestCondition(t *testing.T) {
	c, err := CompileCondition(`host.platform == "cisco_ios" && !steps.pre.changed`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Eval(testEnv())
	if err != nil || !got {
		t.Errorf("Eval = %v, %v; want true", got, err)
	}
	env := testEnv()
	env.Steps = map[string]any{"pre": map[string]any{"changed": true}}
	got, err = c.Eval(env)
	if err != nil || got {
		t.Errorf("Eval = %v, %v; want false", got, err)
	}
	// Runtime type errors are errors, not false.
	c, err = CompileCondition(`vars.min_up`)
	if err != nil {
		t.Fatal(err)
	}
	got, err = c.Eval(testEnv())
	if err == nil {
		t.Fatalf("Eval = %v, nil; want an error for a non-bool result", got)
	}
	if got {
		t.Error("Eval of a non-bool result returned true with its error")
	}
	// The error names the expression, the type at fault, and its values.
	for _, want := range []string{`"vars.min_up" cannot be evaluated`, "bool(float64)", "vars.min_up = 2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Eval error = %q, want it to contain %q", err, want)
		}
	}
}
