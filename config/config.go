// Package config models a device configuration as a tree, per platform:
// IOS-style indented running-configs (IOS, IOS-XE, NX-OS, EOS) with
// sections at any depth, and Junos in its braces hierarchy or `set` form.
// It answers three questions without a device: is a line in effect
// (Contains), which lines of an intended set are not in effect yet
// (Compare, Pending), and what changed between two configurations (Diff).
//
// The OS rules are data (Platform): how a line is negated, which lines
// open sections, which sections are ordered. The package imports only the
// standard library and knows nothing of SSH or playbooks.
package config

import (
	"strings"
	"unicode/utf8"
)

// Node is one configuration line and the lines under it. On Junos a node
// is one word of a statement path (`set system ntp server 10.0.1.1` is
// the path system > ntp > server > 10.0.1.1).
type Node struct {
	// Text is the line as the device shows it, without indentation (on
	// Junos: the word, unquoted).
	Text     string
	Children []*Node
	parent   *Node
	key      string
	index    map[string]*Node // the children by key, once there are indexFrom
}

// Parent is the section the node is in; nil at the top level.
func (n *Node) Parent() *Node {
	if n.parent == nil || n.parent.parent == nil {
		return nil
	}
	return n.parent
}

// Child returns the child with this line (white space runs count as
// one space), or nil.
func (n *Node) Child(line string) *Node {
	return n.child(normalize(line))
}

// indexFrom is how many children a node has before it keeps a map of
// them by key: most sections have a few lines, and a map for each made
// parsing and cloning a running configuration allocate about twice as
// much.
const indexFrom = 9

// child returns the child with this key, or nil.
func (n *Node) child(key string) *Node {
	if n == nil {
		return nil
	}
	if n.index != nil {
		return n.index[key]
	}
	for _, c := range n.Children {
		if c.key == key {
			return c
		}
	}
	return nil
}

// adopt appends c, whose key no child has.
func (n *Node) adopt(c *Node) {
	n.Children = append(n.Children, c)
	switch {
	case n.index != nil:
		n.index[c.key] = c
	case len(n.Children) >= indexFrom:
		n.indexChildren()
	}
}

func (n *Node) indexChildren() {
	n.index = make(map[string]*Node, 2*len(n.Children))
	for _, c := range n.Children {
		n.index[c.key] = c
	}
}

// Path is the node's line and its parents', outermost first.
func (n *Node) Path() []string {
	var p []string
	for m := n; m != nil && m.parent != nil; m = m.parent {
		p = append(p, m.Text)
	}
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// add returns the child with key, creating it at the end.
func (n *Node) add(text, key string) *Node {
	if c := n.child(key); c != nil {
		return c
	}
	c := &Node{Text: text, key: key, parent: n}
	n.adopt(c)
	return c
}

func (n *Node) remove(c *Node) {
	delete(n.index, c.key)
	for i, x := range n.Children {
		if x == c {
			n.Children = append(n.Children[:i:i], n.Children[i+1:]...)
			return
		}
	}
}

func (n *Node) clone(parent *Node) *Node {
	m := &Node{Text: n.Text, key: n.key, parent: parent}
	if len(n.Children) > 0 {
		m.Children = make([]*Node, len(n.Children))
		for i, c := range n.Children {
			m.Children[i] = c.clone(m)
		}
		if n.index != nil {
			m.indexChildren()
		}
	}
	return m
}

// Config is a parsed configuration.
type Config struct {
	platform *Platform
	root     *Node
}

// Parse reads a configuration as the platform prints it. It never fails:
// what it cannot place it keeps as a line of its own, so a comparison errs
// towards "not in effect", never the other way.
func Parse(p *Platform, text string) *Config {
	if p == nil {
		p = Lookup("")
	}
	c := &Config{platform: p, root: &Node{}}
	if p.Syntax == Junos {
		parseJunos(c.root, p, text)
	} else {
		parseIndented(c.root, p, text)
	}
	return c
}

// Platform returns the rules the configuration was parsed with.
func (c *Config) Platform() *Platform { return c.platform }

// Root is the top of the tree: its children are the top-level lines.
func (c *Config) Root() *Node { return c.root }

// Clone returns a deep copy.
func (c *Config) Clone() *Config {
	return &Config{platform: c.platform, root: c.root.clone(nil)}
}

// Contains reports whether the line at the end of path is configured under
// the sections before it: Contains("interface Gi0/1", "shutdown"). On
// Junos the path is a statement, with or without `set`, in one string or
// several: Contains("set system ntp server 10.0.1.1"); a container is
// contained when anything under it is configured.
func (c *Config) Contains(path ...string) bool {
	return c.Find(path...) != nil
}

// Find returns the node at the end of path (see Contains), or nil.
func (c *Config) Find(path ...string) *Node {
	if c.platform.Syntax == Junos {
		words := junosTokens(strings.Join(path, " "))
		if len(words) > 0 && words[0] == "set" {
			words = words[1:]
		}
		return c.root.walk(words)
	}
	n := c.root
	for _, l := range path {
		if n = n.Child(l); n == nil {
			return nil
		}
	}
	if n == c.root {
		return nil
	}
	return n
}

func (n *Node) walk(keys []string) *Node {
	if len(keys) == 0 {
		return nil
	}
	m := n
	for _, k := range keys {
		if m = m.child(k); m == nil {
			return nil
		}
	}
	return m
}

// Lines renders the configuration one line per node: indented one space a
// level on the IOS family, `set` statements on Junos.
func (c *Config) Lines() []string {
	var out []string
	if c.platform.Syntax == Junos {
		for _, ch := range c.root.Children {
			out = append(out, junosSetLines(ch)...)
		}
		return out
	}
	var walk func(n *Node, depth int)
	walk = func(n *Node, depth int) {
		for _, ch := range n.Children {
			out = append(out, strings.Repeat(" ", depth)+ch.Text)
			walk(ch, depth+1)
		}
	}
	walk(c.root, 0)
	return out
}

// String is Lines joined, with a final newline.
func (c *Config) String() string {
	l := c.Lines()
	if len(l) == 0 {
		return ""
	}
	return strings.Join(l, "\n") + "\n"
}

// normalize collapses runs of white space: "ntp  server x" is "ntp server x".
// A line that is already so (most of a device's configuration) comes back
// as it is, without the two allocations of splitting and joining it.
func normalize(s string) string {
	if isNormal(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// isNormal says whether s is ASCII words separated by single spaces.
// Anything else (tabs, runs of spaces, Unicode) takes the slow way.
func isNormal(s string) bool {
	space := true // a leading space is not normal
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ':
			if space {
				return false
			}
			space = true
		case c <= ' ' || c >= utf8.RuneSelf:
			return false
		default:
			space = false
		}
	}
	return !space || s == ""
}

// hasWordPrefix: "ntp server 10.0.1.1 prefer" starts with the words
// "ntp server 10.0.1.1", but "ntp server 10.0.1.10" does not.
func hasWordPrefix(s, prefix string) bool {
	return s == prefix || strings.HasPrefix(s, prefix+" ")
}
