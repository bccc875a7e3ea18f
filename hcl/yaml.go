package hcl

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	"gopkg.in/yaml.v3"
)

// Netmiko device-list keys runbook reads. Keys Netmiko uses for session
// tuning have no meaning here and are skipped silently; anything else is
// probably a typo and gets a warning.
var (
	yamlKnownKeys = []string{
		"name", "hostname", "host", "ip", "device_type", "platform", "username", "password",
		"secret", "port", "key_file", "private_key", "passphrase", "conn_timeout", "timeout",
		"tags", "vars",
	}
	yamlIgnoredKeys = []string{
		"use_keys", "allow_agent", "global_delay_factor", "fast_cli", "session_log", "verbose",
		"banner_timeout", "auth_timeout", "blocking_timeout", "session_timeout", "read_timeout_override",
		"ssh_config_file", "system_host_keys", "alt_host_keys", "alt_key_file", "keepalive",
		"default_enter", "response_return", "serial_settings", "encoding", "auto_connect",
		"disabled_algorithms", "sock", "ssh_strict", "conn_timeout_retries",
	}
)

// ungroupedKeys hold devices that belong to no group.
var ungroupedKeys = map[string]bool{"devices": true, "hosts": true}

// importYAML reads a Netmiko-style device list:
//
//	devices:            # or hosts: — no group
//	  - host: 10.0.0.1
//	    device_type: cisco_ios
//	routers:            # any other key names a group
//	  - {host: 10.0.0.2, device_type: arista_eos, name: r2}
//
// Imported hosts inherit the inventory block's defaults. Passwords in the
// file are plain text: they are used only with allow_plaintext_secrets,
// otherwise ignored with one warning, so that the defaults' env() apply.
func (l *loader) importYAML(path string, from hclv2.Range, defaults hostSettings, st *invState) {
	src, d := l.readSource(path, from)
	if d != nil {
		if d.Summary == "Cannot read file" {
			d.Summary = "Cannot read inventory file"
		}
		l.diags = append(l.diags, d)
		return
	}
	l.pb.Files[path] = &hclv2.File{Bytes: src, Body: hclv2.EmptyBody()}
	y := yamlFile{l: l, path: path, src: src}

	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		line := 1
		// yaml.v3 errors read "yaml: line N: ..."; point there when we can.
		if _, rest, ok := strings.Cut(err.Error(), "line "); ok {
			if n, err := strconv.Atoi(strings.SplitN(rest, ":", 2)[0]); err == nil && n > 0 {
				line = n
			}
		}
		l.diags = append(l.diags, errorAt(y.lineRange(line), "Invalid YAML", fmt.Sprintf("%s could not be read as YAML: %s.", path, strings.TrimPrefix(err.Error(), "yaml: "))))
		return
	}
	if len(doc.Content) == 0 {
		l.diags = append(l.diags, warningAt(from, "Empty inventory file", fmt.Sprintf("%s holds no devices.", path)))
		return
	}
	if at := aliasBomb(&doc, maxAliasExpansion); at != nil {
		l.diags = append(l.diags, errorAt(y.nodeRange(at), "YAML aliases expand too far",
			fmt.Sprintf("The aliases in %s would expand to more than %d values (this one, *%s, crosses the limit), or an anchor contains an alias to itself. runbook does not read such files: expanding them could exhaust the memory. Repeat fewer values through aliases.", path, maxAliasExpansion, at.Value)))
		return
	}
	root := doc.Content[0]
	switch root.Kind {
	case yaml.SequenceNode:
		y.devices(root, "", defaults, st)
	case yaml.MappingNode:
		for i := 0; i+1 < len(root.Content); i += 2 {
			key, val := root.Content[i], root.Content[i+1]
			if val.Kind != yaml.SequenceNode {
				l.diags = append(l.diags, errorAt(y.nodeRange(val), "Invalid device list",
					fmt.Sprintf("%q must be a list of devices, each a mapping with host and device_type.", key.Value)))
				continue
			}
			group := ""
			if !ungroupedKeys[key.Value] {
				group = key.Value
			}
			y.devices(val, group, defaults, st)
		}
	default:
		l.diags = append(l.diags, errorAt(y.nodeRange(root), "Invalid device list",
			"The file must hold a list of devices, or a mapping of group names to lists of devices."))
	}
	if y.ignoredSecret != nil {
		// The subject is the file attribute, not the YAML line, so that a
		// snippet cannot print the password.
		l.diags = append(l.diags, warningAt(from, "Plaintext secrets ignored",
			fmt.Sprintf("%s has passwords or secrets written in it (the first on line %d); they are ignored because plain-text secrets are not allowed. Set them in the inventory defaults, as in password = env(\"RUNBOOK_PASSWORD\"), or set allow_plaintext_secrets = true in a settings block.", path, y.ignoredSecret.Start.Line)))
	}
}

type yamlFile struct {
	l             *loader
	path          string
	src           []byte
	ignoredSecret *hclv2.Range
	lineStarts    []int // offset of each line, from lineRange
}

func (y *yamlFile) devices(seq *yaml.Node, group string, defaults hostSettings, st *invState) {
	l := y.l
	var g *Group
	if group != "" {
		if l.checkName("group", group, y.nodeRange(seq)) {
			if prev, ok := st.groups[group]; ok {
				// A YAML group may extend one the HCL declared.
				g = prev
			} else {
				g = &Group{Name: group, Vars: map[string]cty.Value{}, DeclRange: y.nodeRange(seq)}
				st.groups[group] = g
				l.pb.Inventory.Groups = append(l.pb.Inventory.Groups, g)
			}
		}
	}
	for _, dev := range seq.Content {
		if dev.Kind != yaml.MappingNode {
			l.diags = append(l.diags, errorAt(y.nodeRange(dev), "Invalid device",
				"Each device is a mapping with at least host and device_type."))
			continue
		}
		y.device(dev, g, defaults, st)
	}
}

func (y *yamlFile) device(dev *yaml.Node, g *Group, defaults hostSettings, st *invState) {
	l := y.l
	var s hostSettings
	var name string
	nameRange := y.nodeRange(dev)
	fields := map[string]*yaml.Node{}
	for i := 0; i+1 < len(dev.Content); i += 2 {
		key, val := dev.Content[i], dev.Content[i+1]
		fields[key.Value] = val
		if !contains(yamlKnownKeys, key.Value) && !contains(yamlIgnoredKeys, key.Value) {
			l.diags = append(l.diags, warningAt(y.nodeRange(key), "Unknown device key",
				fmt.Sprintf("%q is not a device key runbook reads; it is ignored.%s", key.Value, didYouMean(key.Value, yamlKnownKeys))))
		}
	}
	scalar := func(keys ...string) (string, *yaml.Node) {
		for _, k := range keys {
			if n, ok := fields[k]; ok {
				if n.Kind != yaml.ScalarNode {
					l.diags = append(l.diags, errorAt(y.nodeRange(n), "Invalid device value",
						fmt.Sprintf("%s must be a single value.", k)))
					return "", nil
				}
				return n.Value, n
			}
		}
		return "", nil
	}
	if v, n := scalar("host", "ip"); n != nil {
		s.address = ptr(v)
		name = v
	}
	if v, n := scalar("name", "hostname"); n != nil {
		name = v
		nameRange = y.nodeRange(n)
	}
	if name == "" {
		l.diags = append(l.diags, errorAt(y.nodeRange(dev), "Missing device host",
			"A device needs host (its address) or name."))
		return
	}
	if v, n := scalar("device_type", "platform"); n != nil {
		canon, ok := CanonicalPlatform(v)
		s.platform = &canon // set even when unknown, to report it once
		switch {
		case ok:
		case strings.HasSuffix(v, "_telnet") || strings.HasSuffix(v, "_serial"):
			l.diags = append(l.diags, errorAt(y.nodeRange(n), "Unsupported device_type",
				fmt.Sprintf("%q is not supported: runbook connects over SSH only.", v)))
		default:
			l.diags = append(l.diags, errorAt(y.nodeRange(n), "Unknown platform",
				fmt.Sprintf("%q is not a platform runbook knows.%s The platforms are %s.", v, platformSuggestion(v), listText(Platforms))))
		}
	}
	if v, n := scalar("username"); n != nil {
		s.username = &credential{value: v}
	}
	secret := func(key string) *credential {
		v, n := scalar(key)
		if n == nil {
			return nil
		}
		if !l.pb.Settings.AllowPlaintextSecrets {
			if y.ignoredSecret == nil {
				r := y.nodeRange(n)
				y.ignoredSecret = &r
			}
			return nil
		}
		return &credential{value: v}
	}
	s.password = secret("password")
	s.secret = secret("secret")
	s.passphrase = secret("passphrase")
	if v, n := scalar("port"); n != nil {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			l.diags = append(l.diags, errorAt(y.nodeRange(n), "Invalid port",
				fmt.Sprintf("The port must be a whole number from 1 to 65535, not %q.", v)))
		} else {
			s.port = &p
		}
	}
	if v, n := scalar("key_file", "private_key"); n != nil {
		s.privateKey = &v
	}
	seconds := func(key string) *time.Duration {
		v, n := scalar(key)
		if n == nil {
			return nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 1e6 {
			l.diags = append(l.diags, errorAt(y.nodeRange(n), "Invalid duration",
				fmt.Sprintf("%s is a number of seconds, as in Netmiko; %q is not.", key, v)))
			return nil
		}
		d := time.Duration(f * float64(time.Second))
		return &d
	}
	s.connect = seconds("conn_timeout")
	s.command = seconds("timeout")
	if n, ok := fields["tags"]; ok {
		var tags []string
		if err := n.Decode(&tags); err != nil {
			l.diags = append(l.diags, errorAt(y.nodeRange(n), "Invalid device value", "tags must be a list of strings."))
		}
		s.tags = tags
	}
	if n, ok := fields["vars"]; ok {
		s.vars = y.vars(n)
	}

	if !l.checkName("host", name, nameRange) {
		return
	}
	inherited := defaults
	if g != nil {
		if gs, ok := st.groupSettings[g.Name]; ok {
			inherited = gs
		}
	}
	l.addHost(name, y.nodeRange(dev), nameRange, inherited.merge(s), g, st)
}

// vars converts a YAML mapping to cty through JSON, which both sides
// already map exactly.
func (y *yamlFile) vars(n *yaml.Node) map[string]cty.Value {
	var m map[string]any
	fail := func() map[string]cty.Value {
		y.l.diags = append(y.l.diags, errorAt(y.nodeRange(n), "Invalid device value", "vars must be a mapping of names to values."))
		return nil
	}
	if err := n.Decode(&m); err != nil {
		return fail()
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fail()
	}
	ty, err := ctyjson.ImpliedType(b)
	if err != nil {
		return fail()
	}
	v, err := ctyjson.Unmarshal(b, ty)
	if err != nil || !v.Type().IsObjectType() {
		return fail()
	}
	return v.AsValueMap()
}

// nodeRange turns a YAML position into an HCL range in the YAML file.
func (y *yamlFile) nodeRange(n *yaml.Node) hclv2.Range {
	r := y.lineRange(n.Line)
	col := max(n.Column, 1)
	r.Start.Column = col
	r.Start.Byte = min(r.Start.Byte+col-1, r.End.Byte)
	if n.Kind == yaml.ScalarNode && r.Start.Byte+len(n.Value) <= r.End.Byte {
		r.End.Byte = r.Start.Byte + len(n.Value)
		r.End.Column = col + len([]rune(n.Value))
	}
	return r
}

// lineRange covers a whole line of the file.
func (y *yamlFile) lineRange(line int) hclv2.Range {
	if y.lineStarts == nil {
		// Once per file: a device list of thousands of devices asks for
		// thousands of lines.
		y.lineStarts = []int{0}
		for i, c := range y.src {
			if c == '\n' {
				y.lineStarts = append(y.lineStarts, i+1)
			}
		}
	}
	line = min(max(line, 1), len(y.lineStarts))
	off := y.lineStarts[line-1]
	end := len(y.src)
	if line < len(y.lineStarts) {
		end = y.lineStarts[line] - 1
	}
	return hclv2.Range{
		Filename: y.path,
		Start:    hclv2.Pos{Line: line, Column: 1, Byte: off},
		End:      hclv2.Pos{Line: line, Column: 1 + utf8.RuneCount(y.src[off:end]), Byte: end},
	}
}

// maxAliasExpansion is how many YAML nodes the aliases of one file may
// stand for in all, counting every use of an alias as a copy of what it
// names (keys included). 2,000 devices that alias one block of 40 vars
// count 162,000 and load in under a second; a "billion laughs" (aliases
// of lists of aliases) or the same block aliased by 20,000 devices is
// refused before anything is expanded.
const maxAliasExpansion = 200_000

// aliasBomb returns the first alias at which the aliases of doc, fully
// expanded, stand for more than limit nodes, or an alias inside the node
// it names; nil when there is none. It expands nothing: one walk in
// document order sizes each node once, and an alias always names a node
// before it, already sized (or still open, when it is inside it).
func aliasBomb(doc *yaml.Node, limit int) *yaml.Node {
	size := map[*yaml.Node]int{} // expanded size, capped at limit+1
	total := 0                   // nodes aliases stand for
	var walk func(n *yaml.Node) (int, *yaml.Node)
	walk = func(n *yaml.Node) (int, *yaml.Node) {
		if n.Kind == yaml.AliasNode {
			if n.Alias == nil {
				return 1, nil
			}
			s, ok := size[n.Alias]
			if !ok {
				return 0, n // inside the node it names: infinite
			}
			total += s
			if total > limit {
				return 0, n
			}
			return 1 + s, nil
		}
		s := 1
		for _, c := range n.Content {
			cs, at := walk(c)
			if at != nil {
				return 0, at
			}
			s = min(s+cs, limit+1)
		}
		size[n] = s
		return s, nil
	}
	_, at := walk(doc)
	return at
}
