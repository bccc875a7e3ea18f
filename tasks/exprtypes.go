package tasks

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/agext/levenshtein"
	"github.com/expr-lang/expr"
	"github.com/zclconf/go-cty/cty"
)

// ExprTypes describes what `assert` and `when` expressions of a playbook
// can see, so that validate checks every name and type before anything
// connects: `vars.ntp_server` (a typo), `steps.prre.output`, a record
// field the template does not have, `vars.dry_run + 1`. It builds Go
// struct types at run time (reflect.StructOf) whose fields are the known
// names; expr-lang then checks member access and operators against them.
// Values of unknown shape are `any` and are checked at run time only.
type ExprTypes struct {
	vars     reflect.Type
	hostVars reflect.Type
	host     reflect.Type
	steps    reflect.Type
	labels   map[reflect.Type]typeLabel
	envs     map[string]any // typed environments by this step's record fields
}

// typeLabel names a generated struct type in messages.
type typeLabel struct {
	name   string   // "vars", "host.vars", "steps", "steps.pre", "a record of result"
	fields []string // its names, for did-you-mean
}

// StepShape is what an earlier step exposes to expressions.
type StepShape struct {
	// Names are the ways an expression reaches the step: "kind.name", and
	// the bare name when only one kind uses it.
	Names []string
	// Fields are the record fields of its parse block, nil when unknown
	// (no parse block, or a template known only at run time).
	Fields []RecordField
}

// RecordField is one field of a parsed record.
type RecordField struct {
	Name string
	List bool
}

var (
	anyType    = reflect.TypeOf((*any)(nil)).Elem()
	anyList    = reflect.TypeOf([]any{})
	stringType = reflect.TypeOf("")
	boolType   = reflect.TypeOf(false)
	floatType  = reflect.TypeOf(float64(0))
)

// NewExprTypes builds the types of vars (from the declared variables'
// values or types), host.vars (the union of the hosts' vars; a key is
// known when any host has it) and steps.
func NewExprTypes(vars map[string]cty.Value, varTypes map[string]cty.Type, hostVars []map[string]cty.Value, steps []StepShape) *ExprTypes {
	et := &ExprTypes{labels: map[reflect.Type]typeLabel{}}
	vfields := map[string]reflect.Type{}
	for name, v := range vars {
		t := et.ctyValueType(v, "vars."+name)
		if vt, ok := varTypes[name]; ok && vt != cty.DynamicPseudoType && (v.IsNull() || !v.IsKnown()) {
			t = et.ctyType(vt, "vars."+name)
		}
		vfields[name] = t
	}
	et.vars = et.structOf("vars", vfields)

	hfields := map[string]reflect.Type{}
	for _, hv := range hostVars {
		for k, v := range hv {
			t := et.ctyValueType(v, "host.vars."+k)
			if prev, ok := hfields[k]; ok && prev != t {
				t = anyType // hosts disagree on its type
			}
			hfields[k] = t
		}
	}
	et.hostVars = et.structOf("host.vars", hfields)

	sfields := map[string]reflect.Type{}
	for _, s := range steps {
		rec := et.recordType("a record of steps."+s.Names[0]+".result", s.Fields)
		line := et.structOf("a line of steps."+s.Names[0]+".lines", map[string]reflect.Type{
			"command": stringType, "output": stringType, "failed": boolType,
		})
		st := et.structOf("steps."+s.Names[0], map[string]reflect.Type{
			"output":  stringType,
			"result":  reflect.SliceOf(rec),
			"changed": boolType,
			"failed":  boolType,
			"status":  stringType,
			"path":    stringType,
			"lines":   reflect.SliceOf(line),
		})
		for _, n := range s.Names {
			sfields[n] = st
		}
	}
	et.steps = et.structOf("steps", sfields)
	et.host = et.structOf("host", map[string]reflect.Type{
		"name": stringType, "address": stringType, "port": reflect.TypeOf(0), "platform": stringType,
		"groups": reflect.TypeOf([]string{}), "tags": reflect.TypeOf([]string{}), "vars": et.hostVars,
	})
	return et
}

// recordType is the type of a parsed record with these fields (strings,
// lists for List values), or any when the fields are unknown (nil).
func (et *ExprTypes) recordType(label string, fields []RecordField) reflect.Type {
	if fields == nil {
		return anyType
	}
	rf := map[string]reflect.Type{}
	for _, f := range fields {
		rf[f.Name] = stringType
		if f.List {
			rf[f.Name] = anyList
		}
	}
	return et.structOf(label, rf)
}

// structOf makes a struct type whose fields expr-lang sees under names
// (via the expr tag) and remembers how to call it in messages.
func (et *ExprTypes) structOf(label string, fields map[string]reflect.Type) reflect.Type {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	sf := make([]reflect.StructField, len(names))
	for i, n := range names {
		sf[i] = reflect.StructField{Name: fmt.Sprintf("F%d_%s", i, goIdent(n)), Type: fields[n], Tag: reflect.StructTag(`expr:"` + n + `"`)}
	}
	// A marker field makes every generated type distinct (StructOf would
	// return one type for two steps of the same shape, and messages must
	// name the right one); expr-lang ignores fields tagged "-".
	sf = append(sf, reflect.StructField{Name: fmt.Sprintf("Zrunbook%d", len(et.labels)), Type: reflect.TypeOf(struct{}{}), Tag: `expr:"-"`})
	t := reflect.StructOf(sf)
	et.labels[t] = typeLabel{name: label, fields: names}
	return t
}

// goIdent keeps the letters and digits of a name so that the generated
// field name is a valid Go identifier (the expr tag holds the real name).
func goIdent(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (et *ExprTypes) ctyValueType(v cty.Value, label string) reflect.Type {
	v, _ = v.UnmarkDeep() // sensitive values: only their shape is used here
	if v.IsNull() || !v.IsKnown() {
		return et.ctyType(v.Type(), label)
	}
	t := v.Type()
	switch {
	case t.IsObjectType() || t.IsMapType() && v.LengthInt() > 0 && !t.ElementType().IsPrimitiveType():
		fields := map[string]reflect.Type{}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			fields[k.AsString()] = et.ctyValueType(ev, label+"."+k.AsString())
		}
		return et.structOf(label, fields)
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		var elem reflect.Type
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			et := et.ctyValueType(ev, label+"[]")
			if elem != nil && elem != et {
				elem = anyType
				break
			}
			elem = et
		}
		if elem == nil {
			if t.IsListType() || t.IsSetType() {
				elem = et.ctyType(t.ElementType(), label+"[]")
			} else {
				elem = anyType
			}
		}
		return reflect.SliceOf(elem)
	}
	return et.ctyType(t, label)
}

func (et *ExprTypes) ctyType(t cty.Type, label string) reflect.Type {
	switch {
	case t == cty.String:
		return stringType
	case t == cty.Number:
		return floatType
	case t == cty.Bool:
		return boolType
	case t.IsListType() || t.IsSetType():
		return reflect.SliceOf(et.ctyType(t.ElementType(), label+"[]"))
	case t.IsMapType():
		return reflect.MapOf(stringType, et.ctyType(t.ElementType(), label+"[]"))
	case t.IsObjectType():
		fields := map[string]reflect.Type{}
		for k, at := range t.AttributeTypes() {
			fields[k] = et.ctyType(at, label+"."+k)
		}
		return et.structOf(label, fields)
	}
	return anyType
}

// checkEnv is the zero value of the typed environment: ExprEnv with vars,
// steps and host.vars replaced by the generated types.
func (et *ExprTypes) checkEnv(result []RecordField) any {
	key := "?"
	if result != nil {
		var b strings.Builder
		for _, f := range result {
			fmt.Fprintf(&b, "%s/%t,", f.Name, f.List)
		}
		key = b.String()
	}
	if env, ok := et.envs[key]; ok {
		return env
	}
	env := et.structOf("the environment", map[string]reflect.Type{
		"output": stringType,
		"result": reflect.SliceOf(et.recordType("a record of result", result)),
		"steps":  et.steps,
		"vars":   et.vars,
		"host":   et.host,
	})
	if et.envs == nil {
		et.envs = map[string]any{}
	}
	et.envs[key] = reflect.New(env).Elem().Interface()
	return et.envs[key]
}

// Check compiles source against the typed environment: a name that no
// variable, host, step or record field has, or an operator on the wrong
// types, is an error that says where and suggests the nearest name.
// result gives this step's record fields (nil when unknown).
func (et *ExprTypes) Check(source string, result []RecordField) error {
	opts := append([]expr.Option{expr.Env(et.checkEnv(result)), expr.AsBool()}, exprFunctions()...)
	_, err := expr.Compile(source, opts...)
	if err == nil {
		return nil
	}
	return et.explain(err)
}

var noField = regexp.MustCompile(`type (.+?) has no field (\S+)`)

// explain rewrites expr-lang's message, which names the generated Go
// types, into the playbook's names, with a did-you-mean.
func (et *ExprTypes) explain(err error) error {
	msg := err.Error()
	if m := noField.FindStringSubmatchIndex(msg); m != nil {
		typ, field := msg[m[2]:m[3]], msg[m[4]:m[5]]
		for t, l := range et.labels {
			if t.String() != typ {
				continue
			}
			repl := fmt.Sprintf("%s has no %q", l.name, field)
			switch s := suggest(field, l.fields); {
			case s != "":
				repl += fmt.Sprintf("; did you mean %q?", s)
			case len(l.fields) == 0:
				repl += " (it has no names at all)"
			case len(l.fields) <= 15:
				repl += " (it has " + strings.Join(l.fields, ", ") + ")"
			}
			msg = msg[:m[0]] + repl + msg[m[1]:]
			break
		}
	}
	for t, l := range et.labels {
		msg = strings.ReplaceAll(msg, t.String(), l.name)
	}
	msg = strings.ReplaceAll(msg, "interface {}", "any")
	return errors.New(msg)
}

// suggest returns the name closest to got, if it is close enough to be
// a likely typo.
func suggest(got string, names []string) string {
	best, bestD := "", 0
	for _, n := range names {
		d := levenshtein.Distance(got, n, nil)
		if best == "" || d < bestD {
			best, bestD = n, d
		}
	}
	if best != "" && bestD <= max(2, len(got)/3) {
		return best
	}
	return ""
}
