package tasks

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/expr-lang/expr"
)

// exprFunctions are the functions runbook adds to expr-lang's builtins;
// both the run (compileOpts) and validate (ExprTypes.Check) use them.
func exprFunctions() []expr.Option {
	return []expr.Option{
		expr.Function("diff", func(params ...any) (any, error) {
			if len(params) != 3 {
				return nil, fmt.Errorf("diff takes 3 arguments (before, after, key fields), not %d", len(params))
			}
			return RecordDiff(params[0], params[1], params[2])
		}, new(func(any, any, any) map[string]any)),
	}
}

// RecordDiff is the expression function diff(before, after, keys): it
// compares two lists of parsed records (an earlier step's result and this
// one's, say) as pyATS/Genie's diff does, matching records by the values
// of the key fields (a field name or a list of them). It returns
//
//   - added: the records of after whose key is not in before, in after's
//     order;
//   - removed: the records of before whose key is not in after, in before's
//     order;
//   - changed: for each key in both whose records differ, a map with key
//     (the key fields and their values), fields (the names of the fields
//     that differ, sorted), before and after (those fields' values; a
//     field one record lacks is nil).
//
// A record without a key field, two records of one list with the same
// key, or no key field at all is an error: the comparison would be a
// guess.
func RecordDiff(before, after, keys any) (map[string]any, error) {
	ks, err := keyFields(keys)
	if err != nil {
		return nil, err
	}
	b, err := records(before, "before", ks)
	if err != nil {
		return nil, err
	}
	a, err := records(after, "after", ks)
	if err != nil {
		return nil, err
	}
	inB := make(map[string]map[string]any, len(b))
	for _, r := range b {
		inB[r.id] = r.rec
	}
	inA := make(map[string]bool, len(a))
	added, removed, changed := []any{}, []any{}, []any{}
	for _, r := range a {
		inA[r.id] = true
		old, ok := inB[r.id]
		if !ok {
			added = append(added, r.rec)
			continue
		}
		if c := changedFields(old, r.rec); len(c) > 0 {
			key := map[string]any{}
			for _, k := range ks {
				key[k] = r.rec[k]
			}
			fields := make([]any, len(c))
			was, is := map[string]any{}, map[string]any{}
			for i, f := range c {
				fields[i] = f
				was[f], is[f] = old[f], r.rec[f]
			}
			changed = append(changed, map[string]any{"key": key, "fields": fields, "before": was, "after": is})
		}
	}
	for _, r := range b {
		if !inA[r.id] {
			removed = append(removed, r.rec)
		}
	}
	return map[string]any{"added": added, "removed": removed, "changed": changed}, nil
}

func keyFields(keys any) ([]string, error) {
	var out []string
	switch k := keys.(type) {
	case string:
		out = []string{k}
	case nil:
	default:
		v := reflect.ValueOf(keys)
		if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
			return nil, fmt.Errorf("diff: the key fields are a field name or a list of them, not %s", describeType(keys))
		}
		for i := range v.Len() {
			s, ok := v.Index(i).Interface().(string)
			if !ok {
				return nil, fmt.Errorf("diff: key field %d is %s, not a field name", i+1, describeType(v.Index(i).Interface()))
			}
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("diff: give at least one key field, e.g. diff(steps.pre.result, result, [\"interface\"])")
	}
	return out, nil
}

type keyedRecord struct {
	id  string
	rec map[string]any
}

// records reads a list of records (maps of field to value) and keys them.
func records(list any, which string, keys []string) ([]keyedRecord, error) {
	if list == nil {
		return nil, nil
	}
	v := reflect.ValueOf(list)
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return nil, fmt.Errorf("diff: %s is %s, not a list of records", which, describeType(list))
	}
	out := make([]keyedRecord, 0, v.Len())
	seen := map[string]bool{}
	for i := range v.Len() {
		rec, ok := v.Index(i).Interface().(map[string]any)
		if !ok {
			return nil, fmt.Errorf("diff: %s[%d] is %s, not a record", which, i, describeType(v.Index(i).Interface()))
		}
		parts := make([]string, len(keys))
		shown := make([]string, len(keys))
		for j, k := range keys {
			kv, ok := rec[k]
			if !ok {
				return nil, fmt.Errorf("diff: %s[%d] has no key field %q (its fields: %s)", which, i, k, strings.Join(fieldNames(rec), ", "))
			}
			parts[j] = fmt.Sprintf("%#v", kv)
			shown[j] = fmt.Sprintf("%s=%v", k, kv)
		}
		id := strings.Join(parts, "\x00")
		if seen[id] {
			return nil, fmt.Errorf("diff: two records of %s have the key %s: add key fields to tell them apart", which, strings.Join(shown, " "))
		}
		seen[id] = true
		out = append(out, keyedRecord{id: id, rec: rec})
	}
	return out, nil
}

// changedFields returns the fields whose values differ (a field only one
// record has included), sorted.
func changedFields(a, b map[string]any) []string {
	var out []string
	for k, av := range a {
		if bv, ok := b[k]; !ok || !reflect.DeepEqual(av, bv) {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func fieldNames(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
