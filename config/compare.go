package config

import (
	"strings"
)

// Kind says what an intended line is.
type Kind int

const (
	// Set is a configuration line: in effect when the device has it.
	Set Kind = iota
	// Negation undoes a line ("no X", "default X", Junos "delete X"): in
	// effect when X is absent.
	Negation
	// Navigation moves between sections or commits ("exit",
	// "exit-address-family", "end", Junos "commit"): it holds no state and
	// is sent only around lines that are sent.
	Navigation
	// Comment is a blank or comment line: never sent.
	Comment
)

// Line is one line of an intended set, as Compare placed and judged it.
type Line struct {
	Index int    // position in the lines given to Compare
	Text  string // the line without surrounding white space
	Kind  Kind
	// Parent is the index of the section line this line applies under,
	// -1 at the top level. For a Navigation line it is the section the line
	// leaves (-1: none).
	Parent int
	// Pending: the line is not in effect on the device. Lines under a
	// section that does not exist yet are all pending, negations included.
	Pending bool
}

// Comparison is an intended set of lines judged against a configuration.
type Comparison struct {
	Lines []Line
}

// Pending returns the indexes of the lines that are not in effect.
func (c *Comparison) Pending() []int {
	var out []int
	for _, l := range c.Lines {
		if l.Pending {
			out = append(out, l.Index)
		}
	}
	return out
}

// Send returns the indexes of the lines to send so that every pending line
// takes effect, in their order: the pending lines, the section lines they
// need before them (sending "description x" needs "interface Gi0/1"
// first, even when the interface exists), and the exits that close a
// section something was sent in. Nothing when nothing is pending.
func (c *Comparison) Send() []int {
	send := make([]bool, len(c.Lines))
	for i, l := range c.Lines {
		if !l.Pending {
			continue
		}
		for j := i; j >= 0 && !send[j]; j = c.Lines[j].Parent {
			send[j] = true
		}
	}
	sent := false
	var out []int
	for i, l := range c.Lines {
		if l.Kind == Navigation {
			if l.Parent >= 0 {
				send[i] = send[l.Parent]
			} else {
				send[i] = sent
			}
		}
		if send[i] {
			sent = true
			out = append(out, i)
		}
	}
	return out
}

// Pending returns the indexes of the lines not in effect in c; see Compare.
func (c *Config) Pending(lines []string) []int {
	return c.Compare(lines).Pending()
}

// Compare judges an intended set of lines, as a playbook sends them in
// configuration mode, against the configuration.
//
// On the IOS family a line applies under the section line before it: an
// indented line under the nearest line above it with less indentation; a
// line without indentation after a section line stays in that section
// unless the configuration has it (or a line it negates, or a line of the
// same kind) at an outer level, or it opens a top-level section
// ("interface", "router"...). A line is in effect when the section has
// it; "no X" when the section has no X (or shows "no X" itself); "default
// X" when it has neither. In an ordered section (access lists) lines
// without sequence numbers are in effect only when all of them are there,
// in that order; otherwise all of them are pending.
//
// On Junos, `set P` is in effect when the path P is configured, `delete
// P` when it is not; any other line is pending (it is never hidden).
//
// Lines take effect in order: "no ntp server X" then "ntp server X" are
// both pending when X is configured.
//
// A line may hold a whole multi-line block (a banner with its delimiters,
// as a playbook sends it in one piece): it is judged as its lines, and is
// pending when any of them is.
func (c *Config) Compare(lines []string) *Comparison {
	flat, owner := expandBlocks(lines)
	if len(flat) == len(lines) {
		return c.compareFlat(lines)
	}
	fc := c.compareFlat(flat)
	cmp := &Comparison{Lines: make([]Line, len(lines))}
	seen := make([]bool, len(lines))
	for k, fl := range fc.Lines {
		i := owner[k]
		l := &cmp.Lines[i]
		if !seen[i] {
			seen[i] = true
			*l = Line{Index: i, Text: strings.TrimSpace(lines[i]), Kind: fl.Kind, Parent: -1}
			if fl.Parent >= 0 && owner[fl.Parent] != i {
				l.Parent = owner[fl.Parent]
			}
		}
		l.Pending = l.Pending || fl.Pending
	}
	return cmp
}

// expandBlocks splits lines holding newlines into their lines; owner maps
// each resulting line to the line it came from.
func expandBlocks(lines []string) (flat []string, owner []int) {
	for i, l := range lines {
		for _, part := range strings.Split(l, "\n") {
			flat = append(flat, part)
			owner = append(owner, i)
		}
	}
	return flat, owner
}

func (c *Config) compareFlat(lines []string) *Comparison {
	work := c.Clone()
	cmp := &Comparison{Lines: make([]Line, len(lines))}
	if c.platform.Syntax == Junos {
		compareJunos(work.root, c.platform, lines, cmp)
	} else {
		compareIndented(work.root, c.platform, lines, cmp)
	}
	return cmp
}

func compareJunos(root *Node, p *Platform, lines []string, cmp *Comparison) {
	for i, raw := range lines {
		t := strings.TrimSpace(raw)
		l := &cmp.Lines[i]
		*l = Line{Index: i, Text: t, Parent: -1}
		switch {
		case t == "" || p.isComment(t):
			l.Kind = Comment
		case p.isNavigation(t):
			l.Kind = Navigation
		case strings.HasPrefix(t, "set "):
			for _, path := range expand(lexJunos(t[len("set "):])) {
				if root.walk(path) == nil {
					l.Pending = true
					addPath(root, path)
				}
			}
		case strings.HasPrefix(t, p.Negate):
			l.Kind = Negation
			if n := root.walk(junosTokens(t[len(p.Negate):])); n != nil {
				l.Pending = true
				n.parent.remove(n)
			}
		default:
			// edit, activate, rename...: not judged, so never hidden.
			l.Pending = true
		}
	}
}

type frame struct {
	idx          int   // the section line's index
	indent       int   // its indentation
	node         *Node // its node in the working tree
	created      bool  // the section did not exist: everything under it is sent
	indentedKids bool  // lines under it came indented
	ordered      bool
}

func leadingSpace(s string) int { return len(s) - len(strings.TrimLeft(s, " \t")) }

func compareIndented(root *Node, p *Platform, lines []string, cmp *Comparison) {
	var stack []frame
	var orderedFrames []frame
	found := make([]*Node, len(lines)) // the node of a line in effect
	for i := 0; i < len(lines); i++ {
		raw := strings.TrimRight(lines[i], " \t\r")
		t := strings.TrimSpace(raw)
		l := &cmp.Lines[i]
		*l = Line{Index: i, Text: t, Parent: -1}
		switch {
		case t == "" || p.isComment(t):
			l.Kind = Comment
			continue
		case t == p.End:
			l.Kind = Navigation
			if len(stack) > 0 {
				l.Parent = stack[0].idx
			}
			stack = stack[:0]
			continue
		case p.isExit(t):
			l.Kind = Navigation
			if len(stack) > 0 {
				l.Parent = stack[len(stack)-1].idx
				stack = stack[:len(stack)-1]
			}
			continue
		}
		indent := leadingSpace(raw)
		for len(stack) > 0 && stack[len(stack)-1].indent > indent {
			stack = stack[:len(stack)-1]
		}
		for len(stack) > 0 && stack[len(stack)-1].indent == indent && (indent > 0 || stack[len(stack)-1].indentedKids) {
			stack = stack[:len(stack)-1]
		}
		level := len(stack)
		if indent > 0 && level > 0 {
			stack[level-1].indentedKids = true
		} else {
			level = placeFlat(p, root, stack, t)
			stack = stack[:level]
		}
		parent, created, ordered := root, false, false
		if level > 0 {
			f := stack[level-1]
			parent, created, ordered = f.node, f.created, f.ordered
			l.Parent = f.idx
		}

		if strings.HasPrefix(t, "banner ") {
			_, key, n := readBanner(lines[i:])
			l.Pending = created || parent.child(key) == nil
			if l.Pending {
				parent.add(t, key)
			}
			for j := 1; j < n; j++ {
				cmp.Lines[i+j] = Line{Index: i + j, Text: strings.TrimSpace(lines[i+j]), Parent: i, Pending: l.Pending}
			}
			i += n - 1
			continue
		}

		if target, reset, neg := p.negation(t); neg {
			l.Kind = Negation
			gone := negated(p, parent, t, target, reset)
			l.Pending = created || len(gone) > 0
			for _, g := range gone {
				parent.remove(g)
			}
			continue // a negation opens no section
		}

		n := lookup(parent, t, ordered)
		if n == nil && level == 0 && p.FlatInSections {
			n = lookupNested(parent, t)
		}
		isNew := n == nil
		if isNew {
			l.Pending = true
			n = parent.add(t, normalize(t))
		}
		found[i] = n
		if opensSection(p, n, t, level, indent, lines[i+1:]) {
			f := frame{idx: i, indent: indent, node: n, created: created || isNew, ordered: p.isOrdered(t)}
			stack = append(stack, f)
			if f.ordered && !f.created {
				orderedFrames = append(orderedFrames, f)
			}
		}
	}
	for _, f := range orderedFrames {
		checkOrder(cmp, f, found)
	}
}

// lookupNested finds a flat line "A B..." shown as "B..." under a
// top-level section "A" (Platform.FlatInSections).
func lookupNested(root *Node, t string) *Node {
	head, rest, ok := strings.Cut(t, " ")
	if !ok {
		return nil
	}
	sec := root.child(normalize(head))
	if sec == nil {
		return nil
	}
	return lookup(sec, strings.TrimSpace(rest), false)
}

// lookup finds the child with line t. In an ordered section a line
// without a sequence number also matches the entry the device shows with
// one ("permit ip any any" is "10 permit ip any any" on EOS and NX-OS).
func lookup(parent *Node, t string, ordered bool) *Node {
	key := normalize(t)
	if n := parent.child(key); n != nil || !ordered || hasSeq(key) {
		return n
	}
	for _, c := range parent.Children {
		if _, rest, ok := strings.Cut(c.key, " "); ok && hasSeq(c.key) && rest == key {
			return c
		}
	}
	return nil
}

func hasSeq(line string) bool {
	w, _, _ := strings.Cut(line, " ")
	if w == "" {
		return false
	}
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// checkOrder: the unnumbered entries given for an existing ordered section
// are in effect only when all are present in that order; sending one
// alone would append it after entries it must precede.
func checkOrder(cmp *Comparison, f frame, found []*Node) {
	var kids []int
	for i, l := range cmp.Lines {
		if l.Parent == f.idx && l.Kind == Set && !hasSeq(normalize(l.Text)) {
			kids = append(kids, i)
		}
	}
	pos := func(n *Node) int {
		for i, c := range f.node.Children {
			if c == n {
				return i
			}
		}
		return -1
	}
	inOrder, last := true, -1
	for _, i := range kids {
		if cmp.Lines[i].Pending {
			inOrder = false
			break
		}
		p := pos(found[i])
		if p <= last {
			inOrder = false
			break
		}
		last = p
	}
	if !inOrder {
		for _, i := range kids {
			cmp.Lines[i].Pending = true
		}
	}
}

// negated returns the children a negation removes; none means it is in
// effect already. "no X" removes X and the lines that start with X ("no
// ntp server A" removes "ntp server A prefer"); a section that shows "no
// X" itself has it in effect. "default X" also removes "no X".
func negated(p *Platform, parent *Node, t, target string, reset bool) []*Node {
	if !reset && parent.child(normalize(t)) != nil {
		return nil
	}
	tb := normalize(target)
	var out []*Node
	for _, c := range parent.Children {
		b, _, isNeg := p.negation(c.key)
		if isNeg && !reset {
			continue
		}
		if hasWordPrefix(b, tb) {
			out = append(out, c)
		}
	}
	return out
}

// knows: the section has the line, a line that starts with it, or the
// line it negates.
func knows(p *Platform, n *Node, base string) bool {
	for _, c := range n.Children {
		if hasWordPrefix(p.base(c.key), base) {
			return true
		}
	}
	return false
}

// sharesWords: the section has a line of the same kind (the same first
// two words: "ntp server", "ip route").
func sharesWords(p *Platform, n *Node, base string) bool {
	w := strings.Fields(base)
	if len(w) > 2 {
		w = w[:2]
	}
	prefix := strings.Join(w, " ")
	for _, c := range n.Children {
		if hasWordPrefix(p.base(c.key), prefix) {
			return true
		}
	}
	return false
}

// placeFlat chooses the level of a line given without indentation: the
// innermost open section that has it (or what it negates), else the
// top level for a top-level section line, else the innermost section with
// a line of the same kind, else the innermost section (as on the device,
// where the submode takes it), but never under a line of its own kind
// (an interface does not nest in an interface).
func placeFlat(p *Platform, root *Node, stack []frame, t string) int {
	node := func(level int) *Node {
		if level == 0 {
			return root
		}
		return stack[level-1].node
	}
	base := normalize(p.base(t))
	for lv := len(stack); lv >= 0; lv-- {
		if knows(p, node(lv), base) {
			return lv
		}
	}
	if t == base && hasAnyPrefix(t, p.Sections) {
		return 0
	}
	for lv := len(stack); lv >= 0; lv-- {
		if sharesWords(p, node(lv), base) {
			return lv
		}
	}
	first, _, _ := strings.Cut(base, " ")
	lv := len(stack)
	for lv > 0 {
		w, _, _ := strings.Cut(stack[lv-1].node.key, " ")
		if w != first {
			break
		}
		lv--
	}
	return lv
}

// opensSection: later lines can apply under this one.
func opensSection(p *Platform, n *Node, t string, level, indent int, rest []string) bool {
	if len(n.Children) > 0 {
		return true
	}
	if level == 0 && hasAnyPrefix(t, p.Sections) {
		return true
	}
	if level > 0 && hasAnyPrefix(t, p.SubSections) {
		return true
	}
	for _, r := range rest {
		r = strings.TrimRight(r, " \t\r")
		if t := strings.TrimSpace(r); t == "" || p.isComment(t) {
			continue
		}
		return leadingSpace(r) > indent
	}
	return false
}
