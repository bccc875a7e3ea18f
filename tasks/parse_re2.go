package tasks

import (
	"strconv"
	"strings"
)

// maxRepeat is RE2's limit on a counted repetition such as {1,1000}.
const maxRepeat = 1000

// checkRE2 finds the regex constructs in a template that Go's RE2 engine
// rejects or reads differently from Python's re module, and reports the
// first with the template, line and construct. gotextfsm would reject
// some of them with a bare regexp error, and would silently misread
// others: "{,4}" is a literal in Go but {0,4} in Python, so a template
// using it would simply never match.
func checkRE2(src, name string) error {
	inStates := false
	for i, line := range strings.Split(src, "\n") {
		line = strings.TrimRight(line, " \t\r")
		var re string
		switch {
		case !inStates && line == "":
			inStates = true
			continue
		case !inStates:
			f := strings.Fields(line)
			if len(f) < 3 || f[0] != "Value" {
				continue
			}
			// The regex is the rest of the line after the name.
			at := 2
			if !strings.HasPrefix(f[2], "(") {
				at = 3
			}
			if at >= len(f) {
				continue
			}
			re = strings.Join(f[at:], " ")
		default:
			rest := strings.TrimLeft(line, " \t")
			if rest == line || !strings.HasPrefix(rest, "^") {
				continue // state names, comments
			}
			re = rest
			if m := matchAction.FindStringSubmatch(rest); m != nil {
				re = m[1]
			}
		}
		if c, why := unsupportedConstruct(re); c != "" {
			return &TemplateError{Template: name, Line: i + 1, Construct: c, Detail: why}
		}
	}
	return nil
}

// unsupportedConstruct scans one regex (with TextFSM's ${VALUE} and $$)
// and returns the first construct RE2 cannot run as Python does, with an
// explanation. Escapes and character classes are skipped, since "(?=" or
// "{,4}" inside [...] are literal characters.
func unsupportedConstruct(re string) (construct, why string) {
	inClass := false
	for i := 0; i < len(re); i++ {
		c := re[i]
		switch {
		case c == '\\' && i+1 < len(re):
			n := re[i+1]
			if !inClass && n >= '1' && n <= '9' {
				return re[i : i+2], "a backreference, which Go's RE2 regular expressions do not support"
			}
			if !inClass && n == 'Z' {
				return `\Z`, `Python's end-of-text anchor, which Go spells \z (or $)`
			}
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			// A "]" right after "[" or "[^" is a literal member.
			if i+1 < len(re) && re[i+1] == '^' {
				i++
			}
			if i+1 < len(re) && re[i+1] == ']' {
				i++
			}
		case c == '$' && i+1 < len(re) && re[i+1] == '$':
			i++ // TextFSM's escaped "$"
		case c == '$' && i+1 < len(re) && re[i+1] == '{':
			if j := strings.IndexByte(re[i:], '}'); j > 0 {
				i += j // a ${VALUE} reference
			}
		case c == '(' && strings.HasPrefix(re[i:], "(?="):
			return "(?=", "a lookahead, which Go's RE2 regular expressions do not support"
		case c == '(' && strings.HasPrefix(re[i:], "(?!"):
			return "(?!", "a negative lookahead, which Go's RE2 regular expressions do not support"
		case c == '(' && strings.HasPrefix(re[i:], "(?<="):
			return "(?<=", "a lookbehind, which Go's RE2 regular expressions do not support"
		case c == '(' && strings.HasPrefix(re[i:], "(?<!"):
			return "(?<!", "a negative lookbehind, which Go's RE2 regular expressions do not support"
		case c == '(' && strings.HasPrefix(re[i:], "(?P="):
			return "(?P=", "a named backreference, which Go's RE2 regular expressions do not support"
		case c == '(' && strings.HasPrefix(re[i:], "(?("):
			return "(?(", "a conditional group, which Go's RE2 regular expressions do not support"
		case c == '{':
			j := strings.IndexByte(re[i:], '}')
			if j < 0 {
				continue
			}
			body := re[i+1 : i+j]
			lo, hi, isRange := strings.Cut(body, ",")
			if !isDigits(lo, true) || !isDigits(hi, true) || (!isRange && lo == "") {
				continue // not a repetition: a literal "{" in both engines
			}
			rep := re[i : i+j+1]
			if lo == "" && isRange {
				return rep, "a repetition with no lower bound, which Python reads as {0," + hi + "} but Go as literal text; write {0," + hi + "}"
			}
			for _, n := range []string{lo, hi} {
				if v, err := strconv.Atoi(n); err == nil && v > maxRepeat {
					return rep, "a repetition count over 1000, which Go's RE2 regular expressions reject"
				}
			}
			i += j
		}
	}
	return "", ""
}

func isDigits(s string, emptyOK bool) bool {
	if s == "" {
		return emptyOK
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
