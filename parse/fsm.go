package parse

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// A record cell is what Python's textfsm gives: a string for a plain
// value ("" where Python's None became ""), or for a List value a []any
// whose items are strings, nil (Python's None: the value's group took no
// part in the match) or map[string]any (a List regex with named groups;
// nil for a group that did not match).

// valueState is one Value while parsing: Python's TextFSMValue.value and
// its options' private state.
type valueState struct {
	def   *valueDef
	value any   // nil, string, or []any after a List's OnSaveRecord
	fill  any   // Filldown's _myvar
	list  []any // List's _value
}

type fsm struct {
	t       *Template
	values  []valueState
	result  [][]any
	groups  []groupValue
	btSpent time.Duration // time in the backtracking engine so far
}

// ParseText runs the template over text and returns the records, each
// aligned with Header. It is Python's TextFSM.ParseText(text) with a
// fresh FSM.
func (t *Template) ParseText(text string) ([][]any, error) {
	f := &fsm{t: t, values: make([]valueState, len(t.values))}
	for i, v := range t.values {
		f.values[i].def = v
	}
	f.clearAll()
	state, stateName := t.states["Start"], "Start"
	err := splitLines(text, func(line string) (bool, error) {
		next, err := f.checkLine(state, line)
		if err != nil {
			return false, err
		}
		if next != "" {
			stateName = next
			if next == "End" || next == "EOF" {
				return false, nil
			}
			state = t.states[next]
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if stateName != "End" && !t.hasEOF {
		if err := f.appendRecord(); err != nil {
			return nil, err
		}
	}
	return f.result, nil
}

// ParseTextToDicts is ParseText with each record as a map keyed by the
// Value names.
func (t *Template) ParseTextToDicts(text string) ([]map[string]any, error) {
	rows, err := t.ParseText(text)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(rows))
	for i, row := range rows {
		m := make(map[string]any, len(row))
		for j, v := range t.values {
			m[v.name] = row[j]
		}
		out[i] = m
	}
	return out, nil
}

// splitLines calls fn for each line as Python's str.splitlines() splits
// them, until fn returns false.
func splitLines(text string, fn func(string) (bool, error)) error {
	start := 0
	for i := 0; i < len(text); {
		c := text[i]
		size := 1
		brk := false
		switch {
		case c == '\n' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e:
			brk = true
		case c == '\r':
			brk = true
			if i+1 < len(text) && text[i+1] == '\n' {
				size = 2
			}
		case c >= 0x80:
			r, n := utf8.DecodeRuneInString(text[i:])
			size = n
			brk = r == 0x85 || r == 0x2028 || r == 0x2029
		}
		if !brk {
			i += size
			continue
		}
		goOn, err := fn(text[start:i])
		if err != nil || !goOn {
			return err
		}
		i += size
		start = i
	}
	if start < len(text) {
		_, err := fn(text[start:])
		return err
	}
	return nil
}

// checkLine is Python's _CheckLine: it returns the new state's name, or
// "" to stay.
func (f *fsm) checkLine(state []*rule, line string) (string, error) {
	isPlain := plain(line)
	for _, r := range state {
		if cap(f.groups) < len(r.assign) {
			f.groups = make([]groupValue, len(r.assign))
		}
		groups := f.groups[:len(r.assign)]
		var start time.Time
		bt := r.regex.backtracks(isPlain)
		if bt {
			start = time.Now()
		}
		ok, err := r.regex.match(line, isPlain, groups)
		if err != nil {
			return "", &ParseError{Template: f.t.name, Msg: fmt.Sprintf("rule line %d: %v", r.line, err)}
		}
		if bt {
			f.btSpent += time.Since(start)
			if budget := parseBudgetFactor * backtrackTimeout; f.btSpent > budget {
				return "", &ParseError{Template: f.t.name, Msg: fmt.Sprintf("rule line %d: the backtracking patterns took more than %v on this output (a pathological pattern or input)", r.line, budget)}
			}
		}
		if !ok {
			continue
		}
		for i, vi := range r.assign {
			if vi < 0 {
				continue
			}
			var v any
			if groups[i].set {
				v = groups[i].value
			}
			if err := f.assign(vi, v); err != nil {
				return "", err
			}
		}
		next, err := f.operations(r, line)
		if err != nil {
			return "", err
		}
		if next {
			return r.newState, nil
		}
	}
	return "", nil
}

// operations is Python's _Operations; it reports whether to move on to
// the next line (false for Continue).
func (f *fsm) operations(r *rule, line string) (bool, error) {
	switch r.recordOp {
	case "Record":
		if err := f.appendRecord(); err != nil {
			return false, err
		}
	case "Clear":
		f.clear()
	case "Clearall":
		f.clearAll()
	}
	switch r.lineOp {
	case "Error":
		if r.newState != "" {
			return false, &ParseError{Template: f.t.name, Msg: fmt.Sprintf("Error: %s. Rule Line: %d. Input Line: %s.", r.newState, r.line, line)}
		}
		return false, &ParseError{Template: f.t.name, Msg: fmt.Sprintf("State Error raised. Rule Line: %d. Input Line: %s", r.line, line)}
	case "Continue":
		return false, nil
	}
	return true, nil
}

func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	}
	return true
}

// assign is Python's AssignVar with each option's OnAssignVar in order.
func (f *fsm) assign(i int, v any) error {
	s := &f.values[i]
	s.value = v
	for _, o := range s.def.options {
		switch o {
		case optFilldown:
			s.fill = s.value
		case optFillup:
			if truthy(s.value) {
				for r := len(f.result) - 1; r >= 0; r-- {
					if truthy(f.result[r][i]) {
						break
					}
					f.result[r][i] = s.value
				}
			}
		case optList:
			item := s.value
			if s.def.nested != nil {
				str, ok := s.value.(string)
				if !ok {
					return &ParseError{Template: f.t.name, Msg: fmt.Sprintf("List value %s: nested match on a group that did not match", s.def.name)}
				}
				groups := make([]groupValue, len(s.def.nested.names))
				ok, err := s.def.nested.match(str, plain(str), groups)
				if err != nil {
					return &ParseError{Template: f.t.name, Msg: err.Error()}
				}
				if ok && len(groups) > 0 {
					m := make(map[string]any, len(groups))
					for j, name := range s.def.nested.names {
						if groups[j].set {
							m[name] = groups[j].value
						} else {
							m[name] = nil
						}
					}
					item = m
				}
			}
			s.list = append(s.list, item)
		}
	}
	return nil
}

// clear is Python's _ClearRecord.
func (f *fsm) clear() {
	for i := range f.values {
		s := &f.values[i]
		s.value = nil
		for _, o := range s.def.options {
			switch o {
			case optFilldown:
				s.value = s.fill
			case optList:
				if !s.def.hasFill {
					s.list = nil
				}
			}
		}
	}
}

// clearAll is Python's _ClearAllRecord.
func (f *fsm) clearAll() {
	for i := range f.values {
		s := &f.values[i]
		s.value = nil
		for _, o := range s.def.options {
			switch o {
			case optFilldown:
				s.fill = nil
			case optList:
				s.list = nil
			}
		}
	}
}

// appendRecord is Python's _AppendRecord.
func (f *fsm) appendRecord() error {
	if len(f.values) == 0 {
		return nil
	}
	rec := make([]any, 0, len(f.values))
	empty := 0
	for i := range f.values {
		s := &f.values[i]
		for _, o := range s.def.options {
			switch o {
			case optRequired:
				if !truthy(s.value) {
					f.clear()
					return nil
				}
			case optList:
				list := make([]any, len(s.list))
				copy(list, s.list)
				s.value = list
			}
		}
		if v, isList := s.value.([]any); s.value == nil || isList && len(v) == 0 {
			empty++
		}
		rec = append(rec, s.value)
	}
	if empty == len(rec) {
		return nil
	}
	for i, v := range rec {
		if v == nil {
			rec[i] = ""
		}
	}
	f.result = append(f.result, rec)
	f.clear()
	return nil
}

// Lower returns records as maps keyed by lower-cased Value names, as
// ntc-templates' parse_output returns them.
func Lower(header []string, rows [][]any) []map[string]any {
	out := make([]map[string]any, len(rows))
	for i, row := range rows {
		m := make(map[string]any, len(header))
		for j, h := range header {
			m[strings.ToLower(h)] = row[j]
		}
		out[i] = m
	}
	return out
}
