package parse

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// BacktrackTimeout bounds one match of a pattern that runs on the
// backtracking engine (lookaround, backreferences, ...), so that one
// pathological template cannot hang a fleet run. RE2 patterns need no
// bound: they run in linear time.
const BacktrackTimeout = 2 * time.Second

// backtrackTimeout is BacktrackTimeout; the fuzz test lowers it so that a
// pathological input ends quickly.
var backtrackTimeout = BacktrackTimeout

// A parse may spend at most this many times backtrackTimeout in the
// backtracking engine over all its lines: a pattern that is slow on every
// line, without any one match timing out, still cannot hang a run.
const parseBudgetFactor = 5

// pyRegexp is a Python `re` pattern applied with re.match semantics
// (anchored at the start, not the end). It runs on Go's RE2 engine when
// the pattern means the same there, and on regexp2 (a backtracking
// engine with .NET syntax, close to Python's) when it does not.
//
// Python's \s, \d, \w are Unicode-aware and Go's are ASCII-only, so an
// RE2 pattern is compiled twice: with Go's fast ASCII classes for lines
// that are plain ASCII (where both mean the same), and with Unicode
// classes for the rest (U+00A0 is whitespace to Python).
type pyRegexp struct {
	src     string
	ascii   *regexp.Regexp // plain lines; nil when bt is used
	unicode *regexp.Regexp // other lines, compiled on first need; nil when uniBT is used
	uniSrc  string         // the Unicode form's source
	uniOnce sync.Once
	bt      *regexp2.Regexp // every line, when RE2 cannot run the pattern
	uniBT   *regexp2.Regexp // non-plain lines, when only the Unicode form needs backtracking
	groups  int             // capture groups, as Python counts them
	names   []string        // named groups in pattern order (groupdict order)
	goIdx   [][2]int        // per name: submatch index in ascii, unicode
	literal string          // text every match contains; "" if none known
	engine  string          // "re2" or "backtracking", for messages
}

// translation is a Python pattern rewritten for both engines.
type translation struct {
	ascii, unicode, dotnet string
	needBT                 string // why RE2 cannot run it, "" if it can
	uniNeedBT              bool   // the Unicode form needs backtracking (\b, [\S...])
	groups                 int
	names                  []string
	groupNames             []string // every capture group by Python number (unnamed ones get _rbgN)
}

// Python's \s as a character class body (str.isspace()), in Go syntax.
const pySpace = `\t-\r\x1c-\x20\x85\p{Z}`

func translate(pat string) (translation, error) {
	var tr translation
	var a, u, d strings.Builder
	emit := func(s string) { a.WriteString(s); u.WriteString(s); d.WriteString(s) }
	inClass := false
	classNegated, classSub, classSpace := false, false, false
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case c == '\\':
			if i+1 >= len(pat) {
				return tr, errors.New("bad escape (end of pattern)")
			}
			n := pat[i+1]
			i++
			switch n {
			case 'd', 'D', 'w', 'W', 's', 'S':
				a.WriteByte('\\')
				a.WriteByte(n)
				u.WriteString(unicodeClass(n, inClass, &tr))
				d.WriteString(dotnetClass(n, inClass, &classSub))
				classSpace = classSpace || (inClass && n == 's')
			case 'b', 'B':
				if inClass {
					if n == 'B' {
						return tr, errors.New(`bad escape \B in a character class`)
					}
					emit(`\x08`)
					continue
				}
				emit(`\` + string(n))
				tr.uniNeedBT = true
			case 'Z':
				if inClass {
					return tr, errors.New(`bad escape \Z in a character class`)
				}
				emit(`\z`)
			case 'u', 'U':
				size := 4
				if n == 'U' {
					size = 8
				}
				if i+1+size > len(pat) {
					return tr, fmt.Errorf(`incomplete escape \%c`, n)
				}
				hex := pat[i+1 : i+1+size]
				v, err := strconv.ParseUint(hex, 16, 32)
				if err != nil {
					return tr, fmt.Errorf(`incomplete escape \%c%s`, n, hex)
				}
				i += size
				a.WriteString(fmt.Sprintf(`\x{%x}`, v))
				u.WriteString(fmt.Sprintf(`\x{%x}`, v))
				d.WriteString(regexp2Char(rune(v)))
			case '1', '2', '3', '4', '5', '6', '7', '8', '9':
				if inClass {
					return tr, fmt.Errorf(`bad escape \%c in a character class`, n)
				}
				j := i + 1
				for j < len(pat) && j < i+2 && pat[j] >= '0' && pat[j] <= '9' {
					j++
				}
				a.WriteString(`\` + pat[i:j])
				u.WriteString(`\` + pat[i:j])
				// .NET numbers named groups after the unnamed ones, so
				// refer to the group by name.
				if n, _ := strconv.Atoi(pat[i:j]); n >= 1 && n <= len(tr.groupNames) {
					d.WriteString(`\k<` + tr.groupNames[n-1] + `>`)
				} else {
					d.WriteString(`\` + pat[i:j])
				}
				i = j - 1
				if tr.needBT == "" {
					tr.needBT = "a backreference"
				}
			default:
				if isASCIILetter(n) && !strings.ContainsRune("afnrtvx0AbBdDsSwWZ", rune(n)) {
					return tr, fmt.Errorf(`bad escape \%c`, n)
				}
				emit(`\` + string(n))
			}
		case inClass:
			switch {
			case c == ']':
				inClass = false
				a.WriteString("]")
				u.WriteString("]")
				if classSub && !classNegated && !classSpace {
					// .NET's \S holds \x1c-\x1f, which Python counts as space.
					d.WriteString(`-[\x1c-\x1f]`)
				}
				d.WriteString("]")
			case c == '[':
				emit(`\[`)
			default:
				emit(string(c))
			}
		case c == '[':
			inClass = true
			classNegated, classSub, classSpace = false, false, false
			emit("[")
			if i+1 < len(pat) && pat[i+1] == '^' {
				emit("^")
				classNegated = true
				i++
			}
			if i+1 < len(pat) && pat[i+1] == ']' {
				emit(`\]`)
				i++
			}
		case c == '(':
			rest := pat[i:]
			switch {
			case strings.HasPrefix(rest, "(?P<"):
				end := strings.IndexByte(rest, '>')
				if end < 0 {
					return tr, errors.New("missing >, unterminated name")
				}
				name := rest[4:end]
				if !isIdentifier(name) {
					return tr, fmt.Errorf("bad character in group name %q", name)
				}
				for _, seen := range tr.names {
					if seen == name {
						return tr, fmt.Errorf("redefinition of group name %q", name)
					}
				}
				tr.names = append(tr.names, name)
				tr.groupNames = append(tr.groupNames, name)
				tr.groups++
				a.WriteString(rest[:end+1])
				u.WriteString(rest[:end+1])
				d.WriteString("(?<" + name + ">")
				i += end
			case strings.HasPrefix(rest, "(?P="):
				end := strings.IndexByte(rest, ')')
				if end < 0 {
					return tr, errors.New("missing ), unterminated name")
				}
				name := rest[4:end]
				a.WriteString(rest[:end+1])
				u.WriteString(rest[:end+1])
				d.WriteString(`\k<` + name + `>`)
				i += end
				if tr.needBT == "" {
					tr.needBT = "a named backreference"
				}
			case strings.HasPrefix(rest, "(?#"):
				end := strings.IndexByte(rest, ')')
				if end < 0 {
					return tr, errors.New("missing ), unterminated comment")
				}
				i += end // a comment matches nothing
			case strings.HasPrefix(rest, "(?="), strings.HasPrefix(rest, "(?!"):
				emit(rest[:3])
				i += 2
				if tr.needBT == "" {
					tr.needBT = "a lookahead"
				}
			case strings.HasPrefix(rest, "(?<="), strings.HasPrefix(rest, "(?<!"):
				emit(rest[:4])
				i += 3
				if tr.needBT == "" {
					tr.needBT = "a lookbehind"
				}
			case strings.HasPrefix(rest, "(?>"), strings.HasPrefix(rest, "(?("):
				emit(rest[:3])
				i += 2
				if tr.needBT == "" {
					tr.needBT = "an atomic or conditional group"
				}
			case strings.HasPrefix(rest, "(?"):
				// Inline flags: "(?i)" or scoped "(?i:...)". Python's
				// "u" is the default for str patterns; "a", "L" and "x"
				// have no RE2 equivalent.
				j := 2
				for j < len(rest) && strings.IndexByte("aiLmsux-", rest[j]) >= 0 {
					j++
				}
				if j >= len(rest) || (rest[j] != ')' && rest[j] != ':') {
					if j < len(rest) && rest[j] == '<' {
						return tr, errors.New("unknown extension ?<" + string(rest[min(j+1, len(rest)-1)]))
					}
					return tr, fmt.Errorf("unknown extension %q", rest[:min(j+1, len(rest))])
				}
				if rest[j] == ')' && i != 0 {
					// Python 3.11 rejects "^(?i)x": global flags must open the pattern.
					return tr, errors.New("global flags not at the start of the expression")
				}
				flags := strings.ReplaceAll(rest[2:j], "u", "")
				if strings.ContainsAny(flags, "aLx") && tr.needBT == "" {
					tr.needBT = "the inline flag (?" + flags + ")"
				}
				if flags == "" && rest[j] == ')' {
					i += j
					continue
				}
				if flags == "" {
					emit("(?:")
				} else {
					emit("(?" + flags + string(rest[j]))
				}
				i += j
			default:
				tr.groups++
				a.WriteString("(")
				u.WriteString("(")
				name := fmt.Sprintf("_rbg%d", tr.groups)
				tr.groupNames = append(tr.groupNames, name)
				d.WriteString("(?<" + name + ">")
			}
		case c == '{':
			// A counted repeat: Python reads "{,n}" as {0,n}; anything
			// that is not a repeat is a literal "{" in both engines.
			end := strings.IndexByte(pat[i:], '}')
			if end < 0 {
				emit(`\{`)
				continue
			}
			body := pat[i+1 : i+end]
			lo, hi, isRange := strings.Cut(body, ",")
			if !digits(lo) && !(lo == "" && isRange) || !digits(hi) && hi != "" || (!isRange && lo == "") {
				emit(`\{`)
				continue
			}
			if lo == "" {
				lo = "0"
			}
			rep := "{" + lo
			if isRange {
				rep += "," + hi
			}
			rep += "}"
			emit(rep)
			for _, n := range []string{lo, hi} {
				if v, err := strconv.Atoi(n); err == nil && v > 1000 && tr.needBT == "" {
					tr.needBT = "a repeat count over 1000"
				}
			}
			i += end
			if i+1 < len(pat) && pat[i+1] == '+' && tr.needBT == "" {
				tr.needBT = "a possessive repeat"
			}
		case (c == '*' || c == '+' || c == '?') && i+1 < len(pat) && pat[i+1] == '+':
			emit(string(c))
			if tr.needBT == "" {
				tr.needBT = "a possessive repeat"
			}
		default:
			if c >= 0x80 {
				// Copy a whole multi-byte rune.
				j := i + 1
				for j < len(pat) && pat[j]&0xC0 == 0x80 {
					j++
				}
				emit(pat[i:j])
				i = j - 1
				continue
			}
			emit(string(c))
		}
	}
	if inClass {
		return tr, errors.New("unterminated character set")
	}
	tr.ascii, tr.unicode, tr.dotnet = a.String(), u.String(), d.String()
	return tr, nil
}

// unicodeClass spells Python's Unicode \d \w \s (and negations) for RE2.
// Negated \S and \W cannot be put inside a character class in RE2, so a
// pattern that does so runs its Unicode form on the backtracking engine.
func unicodeClass(n byte, inClass bool, tr *translation) string {
	body := map[byte]string{'d': `\p{Nd}`, 'w': `\p{L}\p{N}_`, 's': pySpace}
	switch n {
	case 'd', 'w', 's':
		if inClass || n == 'd' {
			return body[n]
		}
		return "[" + body[n] + "]"
	case 'D':
		return `\P{Nd}`
	}
	lower := n + ('a' - 'A')
	if inClass {
		tr.uniNeedBT = true
		return `\` + string(n)
	}
	return "[^" + body[lower] + "]"
}

// dotnetClass spells Python's \d \w \s (and negations) for regexp2,
// whose \s lacks \x1c-\x1f and whose \w differs in marks and numbers.
func dotnetClass(n byte, inClass bool, classSub *bool) string {
	switch n {
	case 's':
		if inClass {
			return `\s\x1c-\x1f`
		}
		return `[\s\x1c-\x1f]`
	case 'S':
		if inClass {
			*classSub = true
			return `\S`
		}
		return `[^\s\x1c-\x1f]`
	case 'w':
		if inClass {
			return `\p{L}\p{N}_`
		}
		return `[\p{L}\p{N}_]`
	case 'W':
		if inClass {
			return `\W`
		}
		return `[^\p{L}\p{N}_]`
	}
	return `\` + string(n)
}

func regexp2Char(r rune) string {
	if r <= 0xFFFF {
		return fmt.Sprintf(`\u%04x`, r)
	}
	return regexp.QuoteMeta(string(r))
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return false
	}
	return true
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// compilePy compiles a Python pattern. The error reads like Python's
// re.error where the pattern is invalid.
func compilePy(pat string) (*pyRegexp, error) {
	tr, err := translate(pat)
	if err != nil {
		return nil, err
	}
	r := &pyRegexp{src: pat, groups: tr.groups, names: tr.names, engine: "re2"}
	if tr.needBT == "" {
		r.ascii, err = regexp.Compile(`^(?:` + tr.ascii + `)`)
		if err != nil {
			// RE2 rejects some patterns Python accepts (nested repeats
			// such as "a**" are errors in both); try the other engine.
			tr.needBT = "a construct RE2 rejects (" + strings.TrimPrefix(err.Error(), "error parsing regexp: ") + ")"
		}
	}
	if tr.needBT != "" {
		r.ascii = nil
		r.engine = "backtracking"
		r.bt, err = compileBT(tr.dotnet)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	switch {
	case tr.uniNeedBT:
		if r.uniBT, err = compileBT(tr.dotnet); err != nil {
			return nil, err
		}
	case tr.unicode == tr.ascii:
		r.unicode = r.ascii
	default:
		// Most output is plain ASCII: compile the Unicode form when a
		// line first needs it. Its syntax is the ASCII form's with other
		// classes, so it compiles whenever that one does.
		r.uniSrc = `^(?:` + tr.unicode + `)`
	}
	r.goIdx = make([][2]int, len(r.names))
	for i, name := range r.names {
		// Both forms number their groups alike (only classes differ).
		r.goIdx[i][0] = r.ascii.SubexpIndex(name)
		r.goIdx[i][1] = r.goIdx[i][0]
	}
	r.literal = requiredLiteral(tr.ascii)
	return r, nil
}

func compileBT(pat string) (*regexp2.Regexp, error) {
	re, err := regexp2.Compile(`\A(?:`+pat+`)`, regexp2.None)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = backtrackTimeout
	return re, nil
}

// groupValue is one named group of a match: Python's group(name), where
// a group that took no part in the match is None (set = false).
type groupValue struct {
	value string
	set   bool
}

// plain reports whether every byte of s means the same to Go's ASCII
// classes as to Python's Unicode ones.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if notPlain[s[i]] {
			return false
		}
	}
	return true
}

var notPlain = func() (t [256]bool) {
	for c := 0x80; c < 256; c++ {
		t[c] = true
	}
	for _, c := range []byte{0x0b, 0x0c, 0x1c, 0x1d, 0x1e, 0x1f} {
		t[c] = true
	}
	return t
}()

// matches reports whether the pattern matches at the start of s, for
// callers that need no groups (index columns). A backtracking match that
// times out counts as no match.
func (r *pyRegexp) matches(s string, isPlain bool) bool {
	if len(r.names) == 0 {
		ok, _ := r.match(s, isPlain, nil)
		return ok
	}
	ok, _ := r.match(s, isPlain, make([]groupValue, len(r.names)))
	return ok
}

// backtracks reports whether match runs on the backtracking engine for a
// line that is (or is not) plain.
func (r *pyRegexp) backtracks(isPlain bool) bool {
	return r.bt != nil || (!isPlain && r.uniBT != nil)
}

// match applies the pattern at the start of s. On a match it fills dst
// (len(names)) with the named groups. isPlain is plain(s), computed once
// per line by the caller.
func (r *pyRegexp) match(s string, isPlain bool, dst []groupValue) (bool, error) {
	if r.bt != nil || (!isPlain && r.uniBT != nil) {
		re := r.bt
		if re == nil {
			re = r.uniBT
		}
		return matchBT(re, r.names, s, dst)
	}
	if r.literal != "" && !strings.Contains(s, r.literal) {
		return false, nil
	}
	re, col := r.ascii, 0
	if !isPlain {
		r.uniOnce.Do(func() {
			if r.unicode == nil {
				r.unicode = regexp.MustCompile(r.uniSrc)
			}
		})
		re, col = r.unicode, 1
	}
	if len(r.names) == 0 {
		return re.MatchString(s), nil
	}
	loc := re.FindStringSubmatchIndex(s)
	if loc == nil {
		return false, nil
	}
	for i := range r.names {
		g := r.goIdx[i][col]
		if loc[2*g] < 0 {
			dst[i] = groupValue{}
			continue
		}
		dst[i] = groupValue{value: s[loc[2*g]:loc[2*g+1]], set: true}
	}
	return true, nil
}

func matchBT(re *regexp2.Regexp, names []string, s string, dst []groupValue) (bool, error) {
	m, err := re.FindStringMatch(s)
	if err != nil {
		return false, fmt.Errorf("backtracking regex gave up after %v (a pathological pattern or input): %w", backtrackTimeout, err)
	}
	if m == nil {
		return false, nil
	}
	for i, name := range names {
		g := m.GroupByName(name)
		if g == nil || len(g.Captures) == 0 {
			dst[i] = groupValue{}
			continue
		}
		dst[i] = groupValue{value: g.String(), set: true}
	}
	return true, nil
}

// requiredLiteral returns the longest case-sensitive literal that every
// match of pat must contain, so that most lines a rule cannot match are
// rejected by strings.Contains without running the regex.
func requiredLiteral(pat string) string {
	re, err := syntax.Parse(pat, syntax.Perl)
	if err != nil {
		return ""
	}
	lit := mustContain(re)
	if len(lit) < 2 {
		return ""
	}
	return lit
}

func mustContain(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return ""
		}
		return string(re.Rune)
	case syntax.OpCapture, syntax.OpPlus:
		return mustContain(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return mustContain(re.Sub[0])
		}
	case syntax.OpConcat:
		best := ""
		for _, s := range re.Sub {
			if l := mustContain(s); len(l) > len(best) {
				best = l
			}
		}
		return best
	}
	return ""
}
