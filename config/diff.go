package config

import "strings"

// Op is what happened to a line.
type Op byte

const (
	Removed Op = '-'
	Added   Op = '+'
)

// Change is one line added or removed.
type Change struct {
	Op Op
	// Path is the section lines the line is under, outermost first; empty
	// at the top level and on Junos, whose lines are whole set statements.
	Path []string
	Line string
}

// Diff returns the lines removed from before and added in after, section
// by section: a section present in both is compared line by line, a
// section only in one is reported with every line under it. In ordered
// sections (access lists) entries are compared in order, so an entry
// that moved is removed and added. On Junos the lines are set statements.
// Both configurations should be of the same platform; before's rules
// apply.
func Diff(before, after *Config) []Change {
	var out []Change
	diffNodes(before.platform, before.root, after.root, nil, &out)
	return out
}

func diffNodes(p *Platform, b, a *Node, path []string, out *[]Change) {
	if p.Syntax == Indented && len(path) > 0 && p.isOrdered(path[len(path)-1]) {
		diffOrdered(p, b, a, path, out)
		return
	}
	// In after's order, each removed line where it stood in before.
	pos := make(map[*Node]int, len(b.Children))
	for i, c := range b.Children {
		pos[c] = i
	}
	next := 0
	removedUntil := func(end int) {
		for ; next < end; next++ {
			if bc := b.Children[next]; a.child(bc.key) == nil {
				emitTree(p, Removed, bc, path, out)
			}
		}
	}
	for j, ac := range a.Children {
		bc := b.child(ac.key)
		if bc == nil {
			// A replaced line reads "-" old, "+" new: first the lines
			// removed before the next line both have.
			end := len(b.Children)
			for _, later := range a.Children[j+1:] {
				if m := b.child(later.key); m != nil && pos[m] >= next {
					end = pos[m]
					break
				}
			}
			removedUntil(end)
			emitTree(p, Added, ac, path, out)
			continue
		}
		if i := pos[bc]; i >= next {
			removedUntil(i)
			next = i + 1
		}
		diffNodes(p, bc, ac, append(path[:len(path):len(path)], bc.Text), out)
	}
	removedUntil(len(b.Children))
}

// diffOrdered compares children in order: the longest common subsequence
// stays, the rest is removed and added.
func diffOrdered(p *Platform, b, a *Node, path []string, out *[]Change) {
	bs, as := b.Children, a.Children
	lcs := make([][]int, len(bs)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(as)+1)
	}
	for i := len(bs) - 1; i >= 0; i-- {
		for j := len(as) - 1; j >= 0; j-- {
			if bs[i].key == as[j].key {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(bs) || j < len(as) {
		switch {
		case i < len(bs) && j < len(as) && bs[i].key == as[j].key:
			diffNodes(p, bs[i], as[j], append(path[:len(path):len(path)], bs[i].Text), out)
			i++
			j++
		case j == len(as) || (i < len(bs) && lcs[i+1][j] >= lcs[i][j+1]):
			emitTree(p, Removed, bs[i], path, out)
			i++
		default:
			emitTree(p, Added, as[j], path, out)
			j++
		}
	}
}

func emitTree(p *Platform, op Op, n *Node, path []string, out *[]Change) {
	if p.Syntax == Junos {
		for _, l := range junosSetLines(n) {
			*out = append(*out, Change{Op: op, Line: l})
		}
		return
	}
	*out = append(*out, Change{Op: op, Path: append([]string(nil), path...), Line: n.Text})
	sub := append(path[:len(path):len(path)], n.Text)
	for _, c := range n.Children {
		emitTree(p, op, c, sub, out)
	}
}

// FormatDiff renders changes as a unified diff of the configuration: the
// section lines for context (unmarked), then "-" and "+" lines, indented
// one space per level.
//
//	  interface GigabitEthernet0/1
//	-  description old
//	+  description new
//	+ ntp server 10.0.1.101
func FormatDiff(changes []Change) string {
	var b strings.Builder
	var shown []string // the section lines printed last, outermost first
	for _, c := range changes {
		common := 0
		for common < len(shown) && common < len(c.Path) && shown[common] == c.Path[common] {
			common++
		}
		for d := common; d < len(c.Path); d++ {
			b.WriteString("  " + strings.Repeat(" ", d) + c.Path[d] + "\n")
		}
		b.WriteString(string(c.Op) + " " + strings.Repeat(" ", len(c.Path)) + c.Line + "\n")
		shown = append(append(shown[:0:0], c.Path...), c.Line)
	}
	return b.String()
}
