package config

import (
	"strings"
)

// parseIndented reads IOS-style configuration: a line's parent is the
// nearest line above it with less indentation, at any depth. Comment
// lines ("!"), the preamble, blank lines, "end" and section exits
// ("exit-address-family") carry no state and are dropped; a banner is one
// node whatever its length.
func parseIndented(root *Node, p *Platform, text string) {
	type frame struct {
		indent int
		n      *Node
	}
	var stack []frame
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		raw := strings.TrimRight(lines[i], " \t\r")
		t := strings.TrimSpace(raw)
		if t == "" || p.isComment(t) || (len(stack) == 0 && p.isPreamble(t)) {
			continue
		}
		indent := len(raw) - len(strings.TrimLeft(raw, " \t"))
		if t == p.End && indent == 0 {
			stack = stack[:0]
			continue
		}
		if p.isExit(t) {
			continue
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		parent := root
		if len(stack) > 0 {
			parent = stack[len(stack)-1].n
		}
		if strings.HasPrefix(t, "banner ") {
			text, key, n := readBanner(lines[i:])
			parent.add(text, key)
			i += n - 1
			continue
		}
		stack = append(stack, frame{indent, parent.add(t, normalize(t))})
	}
}

// readBanner reads a banner that starts at lines[0]: "banner motd ^C" ...
// "^C" (IOS prints the delimiter as ^C whatever was typed), "banner motd
// #text#" on one line, or EOS's "banner motd" ... "EOF". It returns the
// banner's text, its key ("banner motd" and the message lines, so that a
// banner typed with another delimiter compares equal) and how many lines
// it took.
func readBanner(lines []string) (text, key string, n int) {
	first := strings.TrimSpace(strings.TrimRight(lines[0], "\r"))
	w := strings.Fields(first)
	if len(w) < 2 {
		return first, normalize(first), 1
	}
	head := w[0] + " " + w[1]
	rest := strings.TrimLeft(first[len(w[0]):], " \t") // starts with w[1]
	rest = strings.TrimSpace(rest[len(w[1]):])
	var body []string
	n = 1
	switch {
	case rest == "":
		// EOS: the message follows, up to a line "EOF".
		for ; n < len(lines); n++ {
			l := strings.TrimRight(lines[n], " \t\r")
			if strings.TrimSpace(l) == "EOF" {
				n++
				break
			}
			body = append(body, l)
		}
	default:
		delim := rest[:1]
		if strings.HasPrefix(rest, "^C") {
			delim = "^C"
		}
		rest = rest[len(delim):]
		if end := strings.Index(rest, delim); end >= 0 {
			body = append(body, rest[:end])
			break
		}
		body = append(body, rest)
		for ; n < len(lines); n++ {
			l := strings.TrimRight(lines[n], " \t\r")
			if end := strings.Index(l, delim); end >= 0 {
				body = append(body, l[:end])
				n++
				break
			}
			body = append(body, l)
		}
	}
	for len(body) > 0 && strings.TrimSpace(body[0]) == "" {
		body = body[1:]
	}
	for len(body) > 0 && strings.TrimSpace(body[len(body)-1]) == "" {
		body = body[:len(body)-1]
	}
	if n > len(lines) {
		n = len(lines)
	}
	raw := make([]string, n)
	for i := range raw {
		raw[i] = strings.TrimRight(lines[i], " \t\r")
	}
	for i := range body {
		body[i] = strings.TrimRight(body[i], " \t")
	}
	return strings.TrimSpace(strings.Join(raw, "\n")), head + "\n" + strings.Join(body, "\n"), n
}

// token is a Junos lexeme: a word (quoted strings unquoted) or one of
// { } ; [ ].
type token struct {
	text  string
	punct bool
}

// lexJunos splits Junos configuration text into tokens. "#" comment lines
// and /* annotations */ are skipped.
func lexJunos(s string) []token {
	var out []token
	lineStart := true
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\n':
			lineStart = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '#' && lineStart:
			for i < len(s) && s[i] != '\n' {
				i++
			}
			continue
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return out
			}
			i += end + 4
			continue
		}
		lineStart = false
		switch c {
		case '{', '}', ';', '[', ']':
			out = append(out, token{text: string(c), punct: true})
			i++
		case '"':
			var b strings.Builder
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
				i++
			}
			i++ // the closing quote
			out = append(out, token{text: b.String()})
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n{};[]\"", rune(s[j])) {
				j++
			}
			out = append(out, token{text: s[i:j]})
			i = j
		}
	}
	return out
}

// junosTokens are the words of one statement, brackets dropped.
func junosTokens(s string) []string {
	var out []string
	for _, t := range lexJunos(s) {
		if !t.punct {
			out = append(out, t.text)
		}
	}
	return out
}

// expand turns one statement into paths: "members [ a b ]" is "members a"
// and "members b". The "inactive:" and "protect:" markers are dropped.
func expand(toks []token) [][]string {
	var head, list []string
	inList, hasList := false, false
	for _, t := range toks {
		switch {
		case t.punct && t.text == "[":
			inList, hasList = true, true
		case t.punct && t.text == "]":
			inList = false
		case t.punct:
		case inList:
			list = append(list, t.text)
		case len(head) == 0 && (t.text == "inactive:" || t.text == "protect:"):
		default:
			head = append(head, t.text)
		}
	}
	if !hasList {
		if len(head) == 0 {
			return nil
		}
		return [][]string{head}
	}
	out := make([][]string, 0, len(list))
	for _, v := range list {
		out = append(out, append(append([]string(nil), head...), v))
	}
	return out
}

func addPath(root *Node, path []string) *Node {
	n := root
	for _, w := range path {
		n = n.add(w, w)
	}
	return n
}

// parseJunos reads `show configuration` (braces) or its `| display set`
// form into one tree of words.
func parseJunos(root *Node, p *Platform, text string) {
	if isSetForm(p, text) {
		for _, l := range strings.Split(text, "\n") {
			l = strings.TrimSpace(l)
			if rest, ok := strings.CutPrefix(l, "set "); ok {
				for _, path := range expand(lexJunos(rest)) {
					addPath(root, path)
				}
			}
		}
		return
	}
	var stack [][]string
	var cur []token
	prefix := func() []string {
		var p []string
		for _, s := range stack {
			p = append(p, s...)
		}
		return p
	}
	for _, t := range lexJunos(text) {
		if !t.punct || t.text == "[" || t.text == "]" {
			cur = append(cur, t)
			continue
		}
		switch t.text {
		case "{":
			var words []string
			for _, path := range expand(cur) {
				words = path
			}
			stack = append(stack, words)
			addPath(root, prefix())
		case ";":
			for _, path := range expand(cur) {
				addPath(root, append(prefix(), path...))
			}
		case "}":
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
		cur = nil
	}
}

// isSetForm: the first statement line is a set (or deactivate) command.
func isSetForm(p *Platform, text string) bool {
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || p.isComment(l) {
			continue
		}
		return strings.HasPrefix(l, "set ") || strings.HasPrefix(l, "deactivate ") || strings.HasPrefix(l, "delete ")
	}
	return false
}

// quoteWord quotes a Junos word when it needs it.
func quoteWord(w string) string {
	if w != "" && !strings.ContainsAny(w, " \t;{}[]\"#") {
		return w
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w) + `"`
}

// junosSetLines renders the statements at and under n in set form.
func junosSetLines(n *Node) []string {
	if len(n.Children) == 0 {
		words := n.Path()
		for i, w := range words {
			words[i] = quoteWord(w)
		}
		return []string{"set " + strings.Join(words, " ")}
	}
	var out []string
	for _, c := range n.Children {
		out = append(out, junosSetLines(c)...)
	}
	return out
}
