package engine

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// ctyToAny turns an HCL value into plain Go values (string, float64, bool,
// []any, map[string]any) for expr-lang environments. Unknown values become
// nil. JSON is the bridge because both sides already speak it exactly.
func ctyToAny(v cty.Value) any {
	v, _ = v.UnmarkDeep()
	if v.IsNull() || !v.IsWhollyKnown() {
		return nil
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil
	}
	return out
}

// anyToCty turns a step's result into an HCL value so later steps can
// reference it as step.KIND.NAME.ATTR. Plain Go values (strings, bools,
// numbers, []any, map[string]any, []map[string]any, []string, nil) are
// converted directly; the result is the value a JSON round trip through
// cty/json gives (jsonToCty): maps become objects, slices tuples, nil a
// null of dynamic type, numbers the decimal JSON writes, invalid UTF-8
// U+FFFD per byte. Any other Go type takes the JSON route, and a value
// JSON cannot write (NaN, a cycle) makes the whole result cty.DynamicVal.
func anyToCty(v any) cty.Value {
	out, ok := toCty(v, 0)
	if !ok {
		return cty.DynamicVal
	}
	return out
}

// maxDirectDepth bounds the direct conversion's recursion; deeper values
// take the JSON route, which detects cycles.
const maxDirectDepth = 100

func toCty(v any, depth int) (cty.Value, bool) {
	if depth > maxDirectDepth {
		return jsonToCty(v)
	}
	switch x := v.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType), true
	case string:
		return cty.StringVal(validUTF8(x)), true
	case bool:
		return cty.BoolVal(x), true
	case float64:
		return floatVal(x, 64)
	case float32:
		return floatVal(float64(x), 32)
	case int:
		return numberVal(strconv.FormatInt(int64(x), 10))
	case int64:
		return numberVal(strconv.FormatInt(x, 10))
	case int32:
		return numberVal(strconv.FormatInt(int64(x), 10))
	case uint:
		return numberVal(strconv.FormatUint(uint64(x), 10))
	case uint64:
		return numberVal(strconv.FormatUint(x, 10))
	case []any:
		if x == nil {
			return cty.NullVal(cty.DynamicPseudoType), true
		}
		return tupleVal(len(x), func(i int) any { return x[i] }, depth)
	case []map[string]any:
		if x == nil {
			return cty.NullVal(cty.DynamicPseudoType), true
		}
		return tupleVal(len(x), func(i int) any { return x[i] }, depth)
	case []string:
		if x == nil {
			return cty.NullVal(cty.DynamicPseudoType), true
		}
		return tupleVal(len(x), func(i int) any { return x[i] }, depth)
	case map[string]any:
		if x == nil {
			return cty.NullVal(cty.DynamicPseudoType), true
		}
		if len(x) == 0 {
			return cty.EmptyObjectVal, true
		}
		attrs := make(map[string]cty.Value, len(x))
		for k, e := range x {
			if !utf8.ValidString(k) {
				// Two keys could become one: leave it to JSON.
				return jsonToCty(x)
			}
			ev, ok := toCty(e, depth+1)
			if !ok {
				return cty.NilVal, false
			}
			attrs[k] = ev
		}
		return cty.ObjectVal(attrs), true
	}
	return jsonToCty(v)
}

func tupleVal(n int, elem func(int) any, depth int) (cty.Value, bool) {
	if n == 0 {
		return cty.EmptyTupleVal, true
	}
	vals := make([]cty.Value, n)
	for i := range vals {
		ev, ok := toCty(elem(i), depth+1)
		if !ok {
			return cty.NilVal, false
		}
		vals[i] = ev
	}
	return cty.TupleVal(vals), true
}

// numberVal parses a number as JSON wrote it, the way cty/json reads it.
func numberVal(s string) (cty.Value, bool) {
	v, err := cty.ParseNumberVal(s)
	return v, err == nil
}

// floatVal is the number encoding/json writes for f (the shortest decimal
// that reads back as f), parsed as cty/json parses it. JSON has no NaN or
// infinities.
func floatVal(f float64, bits int) (cty.Value, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return cty.NilVal, false
	}
	return numberVal(strconv.FormatFloat(f, 'g', -1, bits))
}

// validUTF8 replaces each byte that is not part of valid UTF-8 with
// U+FFFD, as encoding/json does.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// jsonToCty converts through JSON and cty/json's implied types: the
// reference behaviour, and the route for Go types anyToCty does not know.
func jsonToCty(v any) (cty.Value, bool) {
	b, err := json.Marshal(v)
	if err != nil {
		return cty.NilVal, false
	}
	ty, err := ctyjson.ImpliedType(b)
	if err != nil {
		return cty.NilVal, false
	}
	out, err := ctyjson.Unmarshal(b, ty)
	if err != nil {
		return cty.NilVal, false
	}
	return out, true
}

// ctyMapToAny converts a map of cty values.
func ctyMapToAny(m map[string]cty.Value) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = ctyToAny(v)
	}
	return out
}
