package engine

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/tasks"
)

// sameValue reports how a and b differ (types, or values; numbers exactly,
// to every bit of their big.Float), or "" when they are the same.
func sameValue(a, b cty.Value) string {
	if !a.Type().Equals(b.Type()) {
		return fmt.Sprintf("type %s, want %s", a.Type().FriendlyName(), b.Type().FriendlyName())
	}
	if a.IsKnown() != b.IsKnown() || !a.IsKnown() {
		if a.IsKnown() != b.IsKnown() {
			return fmt.Sprintf("known %v, want %v", a.IsKnown(), b.IsKnown())
		}
		return ""
	}
	if a.IsNull() || b.IsNull() {
		if a.IsNull() != b.IsNull() {
			return fmt.Sprintf("null %v, want %v", a.IsNull(), b.IsNull())
		}
		return ""
	}
	ty := a.Type()
	switch {
	case ty == cty.Number:
		x, y := a.AsBigFloat(), b.AsBigFloat()
		if x.Cmp(y) != 0 || x.Prec() != y.Prec() {
			return fmt.Sprintf("number %s (prec %d), want %s (prec %d)", x.Text('g', 200), x.Prec(), y.Text('g', 200), y.Prec())
		}
	case ty == cty.String:
		if a.AsString() != b.AsString() {
			return fmt.Sprintf("string %q, want %q", a.AsString(), b.AsString())
		}
	case ty == cty.Bool:
		if a.True() != b.True() {
			return fmt.Sprintf("bool %v, want %v", a.True(), b.True())
		}
	case ty.IsObjectType():
		for k := range ty.AttributeTypes() {
			if d := sameValue(a.GetAttr(k), b.GetAttr(k)); d != "" {
				return k + ": " + d
			}
		}
	case ty.IsTupleType():
		for i := range ty.TupleElementTypes() {
			if d := sameValue(a.Index(cty.NumberIntVal(int64(i))), b.Index(cty.NumberIntVal(int64(i)))); d != "" {
				return fmt.Sprintf("[%d]: %s", i, d)
			}
		}
	default:
		if !a.RawEquals(b) {
			return fmt.Sprintf("%#v, want %#v", a, b)
		}
	}
	return ""
}

// nested returns n levels of map[string]any around a string.
func nested(n int) any {
	var v any = "leaf"
	for range n {
		v = map[string]any{"in": v}
	}
	return v
}

// TestAnyToCtyMatchesJSON converts each value directly and through the
// JSON round trip the engine used before, and wants the same type and
// value, down to every bit of every number.
func TestAnyToCtyMatchesJSON(t *testing.T) {
	type rec = map[string]any
	cycle := map[string]any{}
	cycle["self"] = cycle
	tests := []struct {
		name string
		v    any
	}{
		{"nil", nil},
		{"empty string", ""},
		{"string", "show version"},
		{"multi-line output", "line 1\r\nline 2\n\ttab <b> & \"q\" \u2028"},
		{"invalid UTF-8", "a\xffb\xe2\x28\xa1c\xed\xa0\x80"},
		{"not NFC", "e\u0301"},
		{"true", true},
		{"false", false},
		{"int zero", 0},
		{"int", 42},
		{"negative int", -7},
		{"int64 max", int64(math.MaxInt64)},
		{"int64 min", int64(math.MinInt64)},
		{"int32", int32(-5)},
		{"uint", uint(7)},
		{"uint64 max", uint64(math.MaxUint64)},
		{"float", 1.5},
		{"float 0.1", 0.1},
		{"float third", 1.0 / 3},
		{"float negative zero", math.Copysign(0, -1)},
		{"float tiny", 1e-7},
		{"float huge", 1e21},
		{"float max", math.MaxFloat64},
		{"float smallest", math.SmallestNonzeroFloat64},
		{"float32", float32(0.1)},
		{"float32 huge", float32(3e38)},
		{"empty list", []any{}},
		{"nil list", []any(nil)},
		{"list of nil", []any{nil}},
		{"mixed list", []any{"a", 1, true, nil, []any{}, rec{}}},
		{"empty map", rec{}},
		{"nil map", rec(nil)},
		{"map with nil", rec{"a": nil, "b": "x"}},
		{"records", []map[string]any{{"intf": "Gi0/1", "vlans": []any{"10", "20"}}, {"intf": "Gi0/2", "vlans": []any{}}}},
		{"empty records", []map[string]any{}},
		{"nil records", []map[string]any(nil)},
		{"records with a nil record", []map[string]any{nil, {"a": "b"}}},
		{"string list", []string{"a", "b"}},
		{"empty string list", []string{}},
		{"nil string list", []string(nil)},
		{"nested records", rec{"result": []any{rec{"neighbors": []any{rec{"ip": "10.0.0.1", "up": true, "pfx": 12}}}}}},
		{"invalid UTF-8 key", rec{"a\xff": "x", "b": 1}},
		{"keys that differ only in invalid bytes", rec{"a\xff": "x", "a\xfe": "x"}},
		{"keys that differ only in invalid bytes and types", rec{"a\xff": "x", "a\xfe": 1}},
		{"other Go type: struct", struct{ A string }{"x"}},
		{"other Go type: time", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"other Go type: int8 in a map", rec{"n": int8(3)}},
		{"other Go type: map of strings", map[string]string{"k": "v"}},
		{"NaN", math.NaN()},
		{"infinity in a record", []map[string]any{{"x": math.Inf(1)}}},
		{"NaN deep in a list", []any{"a", []any{float32(math.NaN())}}},
		{"deep nesting", nested(maxDirectDepth + 5)},
		{"cycle", cycle},
		{"step result", (&tasks.Result{Output: "ok", Changed: true, Path: "/b/r1.cfg"}).Value()},
		{"step result with lines", (&tasks.Result{Lines: []*driver.Response{{Command: "ntp server 1.1.1.1", Output: "% Invalid input", Failed: true}}}).Value()},
		{"benchmark result", benchResult()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, ok := jsonToCty(tc.v)
			if !ok {
				want = cty.DynamicVal
			}
			got := anyToCty(tc.v)
			if d := sameValue(got, want); d != "" {
				t.Errorf("anyToCty(%s): %s", tc.name, d)
			}
		})
	}
}

// TestAnyToCtyValues pins what the conversion gives, so that the
// reference and the direct route cannot drift together.
func TestAnyToCtyValues(t *testing.T) {
	tenth, _, _ := big.ParseFloat("0.1", 10, 512, big.ToNearestEven)
	tests := []struct {
		name string
		v    any
		want cty.Value
	}{
		{"nil", nil, cty.NullVal(cty.DynamicPseudoType)},
		{"string", "x", cty.StringVal("x")},
		{"invalid bytes, one U+FFFD each", "a\xff\xfeb", cty.StringVal("a\uFFFD\uFFFDb")},
		{"bool", true, cty.True},
		{"int", 3, cty.NumberVal(new(big.Float).SetPrec(512).SetInt64(3))},
		{"float as its shortest decimal", 0.1, cty.NumberVal(tenth)},
		{"empty list is an empty tuple", []any{}, cty.EmptyTupleVal},
		{"empty map is an empty object", map[string]any{}, cty.EmptyObjectVal},
		{"nil list is null", []any(nil), cty.NullVal(cty.DynamicPseudoType)},
		{"records are a tuple of objects", []map[string]any{{"a": "1"}, {"b": []any{"x"}}}, cty.TupleVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("1")}),
			cty.ObjectVal(map[string]cty.Value{"b": cty.TupleVal([]cty.Value{cty.StringVal("x")})}),
		})},
		{"string list is a tuple", []string{"a"}, cty.TupleVal([]cty.Value{cty.StringVal("a")})},
		{"NaN makes the whole value unknown", map[string]any{"ok": "x", "bad": math.NaN()}, cty.DynamicVal},
		{"uint64", uint64(18446744073709551615), cty.MustParseNumberVal("18446744073709551615")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := sameValue(anyToCty(tc.v), tc.want); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestValidUTF8(t *testing.T) {
	for in, want := range map[string]string{
		"":               "",
		"plain":          "plain",
		"h\u00e9":        "h\u00e9",
		"\xff":           "\uFFFD",
		"a\xe2\x28\xa1b": "a\uFFFD(\uFFFDb",
	} {
		if got := validUTF8(in); got != want {
			t.Errorf("validUTF8(%q) = %q, want %q", in, got, want)
		}
	}
	if s := strings.Repeat("x", 10); validUTF8(s) != s {
		t.Error("a valid string changed")
	}
}
