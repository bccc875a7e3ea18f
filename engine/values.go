package engine

import (
	"encoding/json"

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
// reference it as step.KIND.NAME.ATTR.
func anyToCty(v any) cty.Value {
	b, err := json.Marshal(v)
	if err != nil {
		return cty.DynamicVal
	}
	ty, err := ctyjson.ImpliedType(b)
	if err != nil {
		return cty.DynamicVal
	}
	out, err := ctyjson.Unmarshal(b, ty)
	if err != nil {
		return cty.DynamicVal
	}
	return out
}

// ctyMapToAny converts a map of cty values.
func ctyMapToAny(m map[string]cty.Value) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = ctyToAny(v)
	}
	return out
}
