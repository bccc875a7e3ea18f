package lab

import (
	"regexp"
	"strings"
	"sync"
)

// platformImpl is one CLI personality. Every method runs on the session's
// goroutine; device state is shared and must be accessed under dev.mu.
type platformImpl interface {
	login(s *session)
	prompt(s *session) string
	handle(s *session, line string) error
	control(s *session, key error) error // Ctrl-Z / Ctrl-C at the prompt
	exec(s *session, cmd string) int     // an SSH exec request; returns the exit status
	moreMarker() string
}

// loadPlatforms builds the platforms' command tables and grammars, once,
// when the first device needs them: a runbook run against real devices
// does not pay for them (4 MB and 8 ms at every start).
func loadPlatforms() {
	platformsBuilt.Do(func() {
		initIOS()
		initNXOS()
		initEOS()
		initASA()
		initJunos()
		initXR()
		vrpStyleConfig = newVRPStyleConfig()
		comwarePlatform = newComwarePlatform()
		vrpPlatform = newVRPPlatform()
		routerosPlatform = newRouterOSPlatform()
	})
}

var platformsBuilt sync.Once

func platformFor(p string) platformImpl {
	loadPlatforms()
	switch p {
	case CiscoNXOS:
		return nxosPlatform
	case AristaEOS:
		return eosPlatform
	case JuniperJunos:
		return junosPlatform{}
	case Linux:
		return linuxPlatform{}
	case CiscoXR:
		return xrPlatform{}
	case CiscoASA:
		return asaPlatform
	case HPComware:
		return comwarePlatform
	case HuaweiVRP:
		return vrpPlatform
	case MikrotikRouterOS:
		return routerosPlatform
	}
	return iosPlatform
}

// cmdFunc answers a matched command: args are the words that matched
// argument slots, in order.
type cmdFunc func(s *session, args []string) (string, error)

// cmdNode is a command trie. Keywords match by unique prefix, as on the
// real CLIs; an argument slot matches any word, a rest slot the remaining line.
type cmdNode struct {
	word     string
	arg      bool
	rest     bool
	children []*cmdNode
	fn       cmdFunc
}

// add registers a pattern like "show ip interface brief", "terminal length <n>"
// or "ping <...>".
func (n *cmdNode) add(pattern string, fn cmdFunc) {
	cur := n
	for _, w := range strings.Fields(pattern) {
		var next *cmdNode
		for _, c := range cur.children {
			if c.word == w {
				next = c
				break
			}
		}
		if next == nil {
			next = &cmdNode{word: w}
			if strings.HasPrefix(w, "<") {
				next.arg = true
				next.rest = w == "<...>"
			}
			cur.children = append(cur.children, next)
		}
		cur = next
	}
	cur.fn = fn
}

type matchKind int

const (
	matchOK matchKind = iota
	matchInvalid
	matchAmbiguous
	matchIncomplete
)

type matchResult struct {
	kind  matchKind
	fn    cmdFunc
	args  []string
	pos   int    // byte offset in the line of the offending word
	word  string // the offending word (ambiguous)
	cands []string
}

type token struct {
	s   string
	pos int
}

func tokenize(line string) []token {
	var out []token
	i := 0
	for i < len(line) {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i >= len(line) {
			break
		}
		j := i
		for j < len(line) && line[j] != ' ' {
			j++
		}
		out = append(out, token{line[i:j], i})
		i = j
	}
	return out
}

func (n *cmdNode) match(line string) matchResult {
	toks := tokenize(line)
	cur := n
	var args []string
	for _, t := range toks {
		lw := strings.ToLower(t.s)
		var exact, argc *cmdNode
		var cands []*cmdNode
		for _, c := range cur.children {
			if c.arg {
				argc = c
				continue
			}
			if c.word == lw {
				exact = c
			} else if strings.HasPrefix(c.word, lw) {
				cands = append(cands, c)
			}
		}
		switch {
		case exact != nil:
			cur = exact
		case len(cands) == 1:
			cur = cands[0]
		case len(cands) > 1:
			names := make([]string, len(cands))
			for k, c := range cands {
				names[k] = c.word
			}
			return matchResult{kind: matchAmbiguous, pos: t.pos, word: t.s, cands: names}
		case argc != nil:
			cur = argc
			if argc.rest {
				args = append(args, strings.TrimSpace(line[t.pos:]))
				if cur.fn == nil {
					return matchResult{kind: matchIncomplete, pos: len(line)}
				}
				return matchResult{kind: matchOK, fn: cur.fn, args: args}
			}
			args = append(args, t.s)
		default:
			return matchResult{kind: matchInvalid, pos: t.pos, word: t.s}
		}
	}
	if cur.fn == nil {
		return matchResult{kind: matchIncomplete, pos: len(line)}
	}
	return matchResult{kind: matchOK, fn: cur.fn, args: args}
}

// resolveWord expands w against keywords by unique prefix.
// It returns the keyword, or "" with ambiguous set when several match.
func resolveWord(w string, keywords []string) (kw string, ambiguous bool) {
	lw := strings.ToLower(w)
	var found []string
	for _, k := range keywords {
		if k == lw {
			return k, false
		}
		if strings.HasPrefix(k, lw) {
			found = append(found, k)
		}
	}
	if len(found) == 1 {
		return found[0], false
	}
	return "", len(found) > 1
}

// applyPipes runs IOS-style output filters: include, exclude, begin,
// section, count. filters are the texts after each "|".
func applyPipes(out string, filters []string) (string, bool) {
	for _, f := range filters {
		words := strings.Fields(f)
		if len(words) == 0 {
			return "", false
		}
		kw, _ := resolveWord(words[0], []string{"include", "exclude", "begin", "section", "count"})
		if kw == "" {
			return "", false
		}
		expr := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(f), words[0]))
		if expr == "" && kw != "count" {
			return "", false
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			re = regexp.MustCompile(regexp.QuoteMeta(expr))
		}
		lines := splitLines(out)
		var b strings.Builder
		switch kw {
		case "include", "exclude":
			for _, l := range lines {
				if re.MatchString(l) == (kw == "include") {
					b.WriteString(l + "\n")
				}
			}
		case "begin":
			on := false
			for _, l := range lines {
				on = on || re.MatchString(l)
				if on {
					b.WriteString(l + "\n")
				}
			}
		case "section":
			// A section is a top-level line and the indented lines under it;
			// it is shown whole when any of its lines matches.
			for i := 0; i < len(lines); {
				j := i + 1
				for j < len(lines) && strings.HasPrefix(lines[j], " ") {
					j++
				}
				hit := false
				for _, l := range lines[i:j] {
					if re.MatchString(l) {
						hit = true
						break
					}
				}
				if hit && !strings.HasPrefix(lines[i], " ") {
					for _, l := range lines[i:j] {
						b.WriteString(l + "\n")
					}
				}
				i = j
			}
		case "count":
			n := 0
			for _, l := range lines {
				if re.MatchString(l) {
					n++
				}
			}
			b.WriteString("Number of lines which match regexp = " + itoa(n) + "\n")
		}
		out = b.String()
	}
	return out, true
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// pipeRE finds output pipes: a "|" standing alone as a word, so that a
// regex alternation like "include ntp|logging" stays one argument.
var pipeRE = regexp.MustCompile(`\s\|\s`)

// splitPipe separates "cmd | filter | filter".
func splitPipe(line string) (string, []string) {
	locs := pipeRE.FindAllStringIndex(line, -1)
	if len(locs) == 0 {
		return line, nil
	}
	cmd := line[:locs[0][0]]
	var filters []string
	for i, l := range locs {
		end := len(line)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		filters = append(filters, line[l[1]:end])
	}
	return cmd, filters
}
