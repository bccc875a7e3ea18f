package lab

import (
	"strings"
)

// jnode is one statement of a JunOS configuration tree. A node without
// children prints as "name;", with children as "name { ... }".
type jnode struct {
	name     string
	children []*jnode
}

// Keywords whose value is part of the node name ("unit 0", "server 10.0.1.100"):
// a hierarchy may hold several of them.
var junosBundle = map[string]bool{
	"unit": true, "family": true, "user": true, "group": true, "neighbor": true, "term": true,
	"policy-statement": true, "host": true, "server": true, "interface": true, "area": true,
	"community": true, "file": true, "route": true, "address": true, "next-hop": true, "peer": true,
	"prefix-list": true, "filter": true, "vlan": true, "instance": true, "name-server": true,
	"source-address": true, "destination-address": true, "address-range": true,
}

// Keywords that take the rest of the line as one value and hold one value:
// setting them again replaces it ("host-name r2" replaces "host-name r1").
var junosSingle = map[string]bool{
	"host-name": true, "description": true, "class": true, "domain-name": true, "time-zone": true,
	"location": true, "contact": true, "mtu": true, "vlan-id": true, "encrypted-password": true,
	"plain-text-password-value": true, "router-id": true, "autonomous-system": true, "peer-as": true,
	"type": true, "authorization": true, "uid": true, "any": true, "daemon": true, "kernel": true, "version": true,
	"interactive-commands": true, "change-log": true, "authentication-order": true, "root-authentication": false,
	"speed": true, "link-mode": true, "boot-server": true, "local-address": true, "then": false,
	"protocol": true, "destination-port": true, "source-port": true, "icmp-type": true,
}

// junosTokens splits a line, keeping "quoted strings" as one token (with quotes).
func junosTokens(s string) []string {
	var out []string
	var cur strings.Builder
	inQ, has := false, false
	for _, r := range s {
		switch {
		case r == '"':
			inQ = !inQ
			cur.WriteRune(r)
			has = true
		case r == ' ' && !inQ:
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteRune(r)
			has = true
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}

// junosPath groups tokens into statement names.
func junosPath(toks []string) []string {
	var out []string
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case junosSingle[t] && i+1 < len(toks):
			out = append(out, t+" "+strings.Join(toks[i+1:], " "))
			return out
		case junosBundle[t] && i+1 < len(toks):
			out = append(out, t+" "+toks[i+1])
			i++
		default:
			out = append(out, t)
		}
	}
	return out
}

func (n *jnode) clone() *jnode {
	c := &jnode{name: n.name, children: make([]*jnode, len(n.children))}
	for i, ch := range n.children {
		c.children[i] = ch.clone()
	}
	return c
}

func (n *jnode) child(name string) *jnode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// set creates the path; a single-valued statement replaces its old value.
func (n *jnode) set(path []string) {
	cur := n
	for _, e := range path {
		kw := firstWord(e)
		next := cur.child(e)
		if next == nil && junosSingle[kw] && strings.Contains(e, " ") {
			for _, c := range cur.children {
				if firstWord(c.name) == kw {
					c.name = e
					next = c
					break
				}
			}
		}
		if next == nil {
			next = &jnode{name: e}
			cur.children = append(cur.children, next)
		}
		cur = next
	}
}

// find returns the node at path; a last element that is a bare
// single-valued keyword ("host-name") matches whatever value it holds.
func (n *jnode) find(path []string) *jnode {
	cur := n
	for _, e := range path {
		next := cur.child(e)
		if next == nil && junosSingle[e] {
			for _, c := range cur.children {
				if firstWord(c.name) == e {
					next = c
				}
			}
		}
		if next == nil {
			return nil
		}
		cur = next
	}
	return cur
}

// del removes the node at path and the containers it leaves empty.
func (n *jnode) del(path []string) bool {
	if len(path) == 0 {
		return false
	}
	target := n.find(path[:1])
	if target == nil {
		return false
	}
	if len(path) == 1 {
		n.removeChild(target)
		return true
	}
	ok := target.del(path[1:])
	if ok && len(target.children) == 0 {
		n.removeChild(target)
	}
	return ok
}

func (n *jnode) removeChild(c *jnode) {
	out := n.children[:0]
	for _, x := range n.children {
		if x != c {
			out = append(out, x)
		}
	}
	n.children = out
}

// render prints the children of n in JunOS curly-brace format.
func (n *jnode) render(depth int) string {
	var b strings.Builder
	for _, c := range n.children {
		c.write(&b, depth)
	}
	return b.String()
}

func (n *jnode) write(b *strings.Builder, depth int) {
	ind := strings.Repeat("    ", depth)
	if len(n.children) == 0 {
		b.WriteString(ind + n.name + ";\n")
		return
	}
	b.WriteString(ind + n.name + " {\n")
	for _, c := range n.children {
		c.write(b, depth+1)
	}
	b.WriteString(ind + "}\n")
}

// setCommands prints "| display set".
func (n *jnode) setCommands(prefix string, b *strings.Builder) {
	for _, c := range n.children {
		p := strings.TrimSpace(prefix + " " + c.name)
		if len(c.children) == 0 {
			b.WriteString("set " + p + "\n")
			continue
		}
		c.setCommands(p, b)
	}
}

func parseJunosSet(text string) *jnode {
	root := &jnode{}
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "set ") {
			root.set(junosPath(junosTokens(strings.TrimPrefix(l, "set "))))
		}
	}
	return root
}

// compare prints "show | compare": for each hierarchy that differs, an
// "[edit path]" header and the statements added (+) or removed (-).
func junosCompare(old, cur *jnode) string {
	var b strings.Builder
	junosDiff(old, cur, nil, &b)
	return b.String()
}

func junosDiff(old, cur *jnode, path []string, b *strings.Builder) {
	var lines strings.Builder
	emit := func(sign string, n *jnode) {
		var t strings.Builder
		n.write(&t, 1)
		for _, l := range strings.Split(strings.TrimSuffix(t.String(), "\n"), "\n") {
			lines.WriteString(sign + l[1:] + "\n")
		}
	}
	var nested []func()
	for _, o := range old.children {
		c := cur.child(o.name)
		switch {
		case c == nil:
			emit("-", o)
		case len(o.children) > 0 || len(c.children) > 0:
			o, c := o, c
			nested = append(nested, func() { junosDiff(o, c, append(append([]string(nil), path...), o.name), b) })
		}
	}
	for _, c := range cur.children {
		if old.child(c.name) == nil {
			emit("+", c)
		}
	}
	if lines.Len() > 0 {
		b.WriteString("[edit" + strings.TrimRight(" "+strings.Join(path, " "), " ") + "]\n")
		b.WriteString(lines.String())
	}
	for _, f := range nested {
		f()
	}
}
