package lab

import (
	"sort"
	"strings"
)

// Context help: "?" typed at a prompt of the Cisco-style CLIs lists what
// may come next in the current mode, without Enter, and the device
// retypes the line after the prompt. "show ?" lists the words after show
// (and <cr> where the command may end); "sh?" lists the words starting
// with "sh"; a word that fits nothing gets "% Unrecognized command". The
// lists come from the lab's own command tables, so they show exactly what
// the lab accepts in that mode; the devices also print a description per
// word, which the lab does not (see docs/lab.md).

type helper interface {
	help(s *session, line string) string
}

// helpList formats the choices: one per line after a space, all on one
// line after a partial word.
func helpList(words []string, partial bool) string {
	if len(words) == 0 {
		return "% Unrecognized command\n"
	}
	sort.SliceStable(words, func(i, j int) bool {
		if (words[i] == "<cr>") != (words[j] == "<cr>") {
			return words[j] == "<cr>"
		}
		return words[i] < words[j]
	})
	if partial {
		return strings.Join(words, "  ") + "  \n\n"
	}
	var b strings.Builder
	for _, w := range words {
		b.WriteString("  " + w + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

// cmdHelp walks a command trie to the words of line.
func cmdHelp(t *cmdNode, line string) string {
	words, partial, ok := cmdWords(t, line)
	if !ok {
		return "% Unrecognized command\n"
	}
	return helpList(words, partial)
}

// cmdWords lists what may follow line in a command trie (the words a
// partial last word may become); ok is false when line fits nothing.
func cmdWords(t *cmdNode, line string) (words []string, partial, ok bool) {
	partial = line != "" && !strings.HasSuffix(line, " ")
	toks := tokenize(line)
	last := ""
	if partial {
		last = strings.ToLower(toks[len(toks)-1].s)
		toks = toks[:len(toks)-1]
	}
	cur := t
	for _, tk := range toks {
		lw := strings.ToLower(tk.s)
		var next, arg *cmdNode
		var cands []*cmdNode
		for _, c := range cur.children {
			switch {
			case c.arg:
				arg = c
			case c.word == lw:
				next = c
			case strings.HasPrefix(c.word, lw):
				cands = append(cands, c)
			}
		}
		if next == nil && len(cands) == 1 {
			next = cands[0]
		}
		if next == nil {
			next = arg
		}
		if next == nil {
			return nil, partial, false
		}
		if next.rest {
			return []string{"<cr>"}, false, true
		}
		cur = next
	}
	var out []string
	for _, c := range cur.children {
		switch {
		case partial && !c.arg && strings.HasPrefix(c.word, last):
			out = append(out, c.word)
		case !partial && c.arg && c.rest:
			out = append(out, "LINE")
		case !partial && c.arg:
			out = append(out, "WORD")
		case !partial:
			out = append(out, c.word)
		}
	}
	if !partial && cur.fn != nil {
		out = append(out, "<cr>")
	}
	return out, partial, len(out) > 0
}

// help: Junos answers '?' with "Possible completions:" and one word a
// line, or "No valid completions", then retypes the line.
func (junosPlatform) help(s *session, line string) string {
	t := junosOpTree
	if s.inConfig {
		t = junosCfgTree
	}
	words, _, ok := cmdWords(t, line)
	if !ok {
		return "No valid completions\n"
	}
	sort.SliceStable(words, func(i, j int) bool {
		if (words[i] == "<cr>") != (words[j] == "<cr>") {
			return words[i] == "<cr>"
		}
		return words[i] < words[j]
	})
	var b strings.Builder
	b.WriteString("Possible completions:\n")
	for _, w := range words {
		if w == "<cr>" {
			w = "<[Enter]>"
		}
		b.WriteString("  " + w + "\n")
	}
	return b.String()
}

// gramHelp lists what a configuration grammar takes after line; extra are
// first words the mode takes besides its grammar.
func gramHelp(g *grammar, line string, ac argCtx, extra []string) string {
	partial := line != "" && !strings.HasSuffix(line, " ")
	toks := tokenize(line)
	last := ""
	if partial {
		last = strings.ToLower(toks[len(toks)-1].s)
		toks = toks[:len(toks)-1]
	}
	var out []string
	if g != nil {
		words, ok := g.helpAt(toks, ac)
		if !ok {
			if len(toks) > 0 {
				if kw, _ := resolveWord(toks[0].s, extra); kw != "" {
					// A command outside the modelled areas: any words.
					return helpList([]string{"LINE", "<cr>"}, false)
				}
			}
			return "% Unrecognized command\n"
		}
		out = words
	}
	if len(toks) == 0 {
		out = append(out, extra...)
	}
	seen := map[string]bool{}
	var keep []string
	for _, w := range out {
		if seen[w] || partial && (!strings.HasPrefix(strings.ToLower(w), last) || strings.HasPrefix(w, "<") || w == strings.ToUpper(w)) {
			continue
		}
		seen[w] = true
		keep = append(keep, w)
	}
	return helpList(keep, partial)
}

func (p *iosLike) help(s *session, line string) string {
	if !s.inConfig {
		t := p.userTree
		if s.priv {
			t = p.privTree
		}
		return cmdHelp(t, line)
	}
	mode := ""
	if n := len(s.cfgStack); n > 0 {
		mode = s.cfgStack[n-1].mode
	}
	var g *grammar
	if m := p.modes[mode]; m != nil {
		g = m.gram
	}
	extra := []string{"do", "end", "exit", "no"}
	if mode == "" {
		extra = append(extra, p.globalWords()...)
	}
	if strings.HasPrefix(strings.ToLower(strings.TrimLeft(line, " ")), "no ") {
		line = strings.TrimLeft(line, " ")[3:]
	}
	if g == nil && mode != "" {
		return helpList([]string{"LINE", "<cr>"}, false)
	}
	return gramHelp(g, line, p.argCtx(s), extra)
}

func (p xrPlatform) help(s *session, line string) string {
	if !s.inConfig {
		return cmdHelp(xrExecTree, line)
	}
	mode := ""
	if n := len(s.cfgStack); n > 0 {
		mode = s.cfgStack[n-1].mode
	}
	m := xrModes[mode]
	if m == nil || m.gram == nil {
		return helpList([]string{"LINE", "<cr>"}, false)
	}
	extra := []string{"abort", "commit", "do", "end", "exit", "no", "root", "show"}
	if strings.HasPrefix(strings.ToLower(strings.TrimLeft(line, " ")), "no ") {
		line = strings.TrimLeft(line, " ")[3:]
	}
	return gramHelp(m.gram, line, argCtx{ifName: xrIfName, ports: iosPorts}, extra)
}
