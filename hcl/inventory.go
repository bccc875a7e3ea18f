package hcl

import (
	"fmt"
	"math/big"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Host key checking modes for Host.HostKeyCheck.
const (
	HostKeyStrict    = "strict"
	HostKeyAcceptNew = "accept-new"
	HostKeyOff       = "off"
)

var hostKeyModes = []string{HostKeyStrict, HostKeyAcceptNew, HostKeyOff}

// hostAttrs are the settings that defaults, groups and hosts share.
var hostAttrs = []hclv2.AttributeSchema{
	{Name: "address"},
	{Name: "port"},
	{Name: "platform"},
	{Name: "username"},
	{Name: "password"},
	{Name: "secret"},
	{Name: "private_key"},
	{Name: "private_key_passphrase"},
	{Name: "host_key_check"},
	{Name: "known_hosts_file"},
	{Name: "legacy_algorithms"},
	{Name: "ssh_agent"},
	{Name: "proxy_jump"},
	{Name: "tags"},
	{Name: "vars"},
}

var (
	inventorySchema = &hclv2.BodySchema{
		Attributes: []hclv2.AttributeSchema{{Name: "file"}},
		Blocks: []hclv2.BlockHeaderSchema{
			{Type: "defaults"},
			{Type: "group", LabelNames: []string{"name"}},
			{Type: "host", LabelNames: []string{"name"}},
		},
	}
	defaultsSchema = &hclv2.BodySchema{
		Attributes: hostAttrs,
		Blocks:     []hclv2.BlockHeaderSchema{{Type: "timeouts"}},
	}
	groupSchema = &hclv2.BodySchema{
		Attributes: hostAttrs,
		Blocks: []hclv2.BlockHeaderSchema{
			{Type: "timeouts"},
			{Type: "host", LabelNames: []string{"name"}},
		},
	}
	hostSchema    = defaultsSchema
	timeoutSchema = &hclv2.BodySchema{
		Attributes: []hclv2.AttributeSchema{{Name: "connect"}, {Name: "command"}, {Name: "idle"}},
	}
)

// secretAttrs must not be written as plain text.
var secretAttrs = map[string]bool{"password": true, "secret": true, "private_key_passphrase": true}

// credential is a credential attribute's value with the environment
// variables it needed but did not find.
type credential struct {
	value   string
	missing []string
	rng     hclv2.Range     // the attribute's expression
	warned  map[string]bool // warnings given (a default serves many hosts)
}

// hostSettings is one level of the defaults -> group -> host chain; nil
// fields are not set at that level.
type hostSettings struct {
	address, platform, hostKeyCheck, knownHosts, privateKey *string
	port                                                    *int
	legacy, agent                                           *bool
	jump                                                    *[]JumpHost
	username, password, secret, passphrase                  *credential
	connect, command, idle                                  *time.Duration
	tags                                                    []string
	vars                                                    map[string]cty.Value
}

// merge returns s overridden by o. Tags accumulate and vars merge key by
// key, so a host adds to its group rather than replacing it.
func (s hostSettings) merge(o hostSettings) hostSettings {
	if o.address != nil {
		s.address = o.address
	}
	if o.platform != nil {
		s.platform = o.platform
	}
	if o.hostKeyCheck != nil {
		s.hostKeyCheck = o.hostKeyCheck
	}
	if o.knownHosts != nil {
		s.knownHosts = o.knownHosts
	}
	if o.privateKey != nil {
		s.privateKey = o.privateKey
	}
	if o.port != nil {
		s.port = o.port
	}
	if o.legacy != nil {
		s.legacy = o.legacy
	}
	if o.agent != nil {
		s.agent = o.agent
	}
	if o.jump != nil {
		s.jump = o.jump
	}
	if o.username != nil {
		s.username = o.username
	}
	if o.password != nil {
		s.password = o.password
	}
	if o.secret != nil {
		s.secret = o.secret
	}
	if o.passphrase != nil {
		s.passphrase = o.passphrase
	}
	if o.connect != nil {
		s.connect = o.connect
	}
	if o.command != nil {
		s.command = o.command
	}
	if o.idle != nil {
		s.idle = o.idle
	}
	tags := append([]string(nil), s.tags...)
	for _, t := range o.tags {
		if !contains(tags, t) {
			tags = append(tags, t)
		}
	}
	s.tags = tags
	vars := map[string]cty.Value{}
	for k, v := range s.vars {
		vars[k] = v
	}
	for k, v := range o.vars {
		vars[k] = v
	}
	s.vars = vars
	return s
}

// invState is shared by every inventory block of one Load.
type invState struct {
	hosts  map[string]*Host
	groups map[string]*Group
	// groupSettings are what a group's hosts inherit, so that hosts a
	// YAML file adds to an HCL group inherit the same.
	groupSettings map[string]hostSettings
}

func (l *loader) decodeInventories(blocks []*hclv2.Block) {
	st := &invState{hosts: map[string]*Host{}, groups: map[string]*Group{}, groupSettings: map[string]hostSettings{}}
	for _, blk := range blocks {
		l.decodeInventoryBlock(blk, st)
	}
}

func (l *loader) decodeInventoryBlock(blk *hclv2.Block, st *invState) {
	content, diags := blk.Body.Content(inventorySchema)
	l.diags = append(l.diags, diags...)

	var defaults hostSettings
	seenDefaults := false
	for _, b := range content.Blocks {
		if b.Type != "defaults" {
			continue
		}
		if seenDefaults {
			l.diags = append(l.diags, errorAt(b.DefRange, "Duplicate defaults block",
				"An inventory block has at most one defaults block."))
			continue
		}
		seenDefaults = true
		c, diags := b.Body.Content(defaultsSchema)
		l.diags = append(l.diags, diags...)
		defaults = l.decodeHostSettings(c)
	}

	for _, b := range content.Blocks {
		switch b.Type {
		case "group":
			l.decodeGroupBlock(b, defaults, st)
		case "host":
			l.decodeHostBlock(b, defaults, nil, st)
		}
	}

	if attr, ok := content.Attributes["file"]; ok {
		if v, ok := l.evalAttr(attr, cty.String, scope{where: "in the inventory"}); ok {
			path := v.AsString()
			if !filepath.IsAbs(path) {
				path = filepath.Join(filepath.Dir(attr.Range.Filename), path)
			}
			l.importYAML(path, attr.Expr.Range(), defaults, st)
		}
	}
}

func (l *loader) decodeGroupBlock(blk *hclv2.Block, defaults hostSettings, st *invState) {
	name := blk.Labels[0]
	c, diags := blk.Body.Content(groupSchema)
	l.diags = append(l.diags, diags...)
	if !l.checkName("group", name, blk.LabelRanges[0]) {
		return
	}
	if prev, ok := st.groups[name]; ok {
		l.diags = append(l.diags, errorAt(blk.LabelRanges[0], "Duplicate group",
			fmt.Sprintf("A group named %q was already declared at %s.", name, rangeText(prev.DeclRange))))
		return
	}
	own := l.decodeHostSettings(c)
	g := &Group{Name: name, Vars: own.vars, DeclRange: blk.DefRange}
	if g.Vars == nil {
		g.Vars = map[string]cty.Value{}
	}
	st.groups[name] = g
	l.pb.Inventory.Groups = append(l.pb.Inventory.Groups, g)
	inherited := defaults.merge(own)
	st.groupSettings[name] = inherited
	for _, b := range c.Blocks {
		if b.Type == "host" {
			l.decodeHostBlock(b, inherited, g, st)
		}
	}
}

func (l *loader) decodeHostBlock(blk *hclv2.Block, inherited hostSettings, g *Group, st *invState) {
	name := blk.Labels[0]
	c, diags := blk.Body.Content(hostSchema)
	l.diags = append(l.diags, diags...)
	own := l.decodeHostSettings(c)
	if !l.checkName("host", name, blk.LabelRanges[0]) {
		return
	}
	l.addHost(name, blk.DefRange, blk.LabelRanges[0], inherited.merge(own), g, st)
}

// checkName keeps group and host names usable on a command line (--limit)
// and in file names (backups).
func (l *loader) checkName(what, name string, rng hclv2.Range) bool {
	if name == "" || strings.ContainsAny(name, "/\\ \t\r\n,*?[]") || name == "." || name == ".." {
		l.diags = append(l.diags, errorAt(rng, "Invalid "+what+" name",
			fmt.Sprintf("%q cannot be a %s name: it must be non-empty and hold no spaces, slashes, commas or wildcards.", name, what)))
		return false
	}
	return true
}

// addHost resolves a host's final settings and records it.
func (l *loader) addHost(name string, decl, nameRange hclv2.Range, s hostSettings, g *Group, st *invState) {
	if prev, ok := st.hosts[name]; ok {
		l.diags = append(l.diags, errorAt(nameRange, "Duplicate host",
			fmt.Sprintf("A host named %q was already declared at %s.", name, rangeText(prev.DeclRange))))
		return
	}
	h := &Host{
		Name:         name,
		Address:      name,
		Port:         22,
		HostKeyCheck: HostKeyStrict,
		Tags:         s.tags,
		Vars:         s.vars,
		DeclRange:    decl,
	}
	if g != nil {
		h.Groups = []string{g.Name}
		g.Hosts = append(g.Hosts, name)
	}
	if h.Tags == nil {
		h.Tags = []string{}
	}
	if h.Vars == nil {
		h.Vars = map[string]cty.Value{}
	}
	if s.address != nil {
		h.Address = *s.address
	}
	if s.port != nil {
		h.Port = *s.port
	}
	if s.platform != nil {
		h.Platform = *s.platform // "" after an Unknown platform error
	} else {
		l.diags = append(l.diags, errorAt(decl, "Missing platform",
			fmt.Sprintf("Host %q has no platform. Set platform on the host, its group or the inventory defaults; one of %s.", name, listOr(Platforms))))
	}
	if s.hostKeyCheck != nil {
		h.HostKeyCheck = *s.hostKeyCheck
	}
	if s.knownHosts != nil {
		h.KnownHostsFile = *s.knownHosts
	}
	if s.privateKey != nil {
		h.PrivateKey = *s.privateKey
	}
	if s.legacy != nil {
		h.LegacyAlgorithms = *s.legacy
	}
	if s.agent != nil {
		h.UseAgent = *s.agent
	}
	if s.jump != nil {
		h.ProxyJump = *s.jump
	}
	cred := func(c *credential) string {
		if c == nil {
			return ""
		}
		for _, m := range c.missing {
			if !contains(h.MissingEnv, m) {
				h.MissingEnv = append(h.MissingEnv, m)
			}
		}
		return c.value
	}
	h.Username = cred(s.username)
	h.Password = NewSecret(cred(s.password))
	h.Secret = NewSecret(cred(s.secret))
	h.PrivateKeyPassphrase = NewSecret(cred(s.passphrase))
	l.checkWeakSecret("password", s.password, h)
	l.checkWeakSecret("secret", s.secret, h)
	l.checkWeakSecret("private_key_passphrase", s.passphrase, h)
	if s.connect != nil {
		h.Timeouts.Connect = *s.connect
	}
	if s.command != nil {
		h.Timeouts.Command = *s.command
	}
	if s.idle != nil {
		h.Timeouts.Idle = *s.idle
	}
	st.hosts[name] = h
	l.pb.Inventory.Hosts = append(l.pb.Inventory.Hosts, h)
}

// decodeHostSettings evaluates one level's attributes.
func (l *loader) decodeHostSettings(c *hclv2.BodyContent) hostSettings {
	var s hostSettings
	sc := scope{where: "in the inventory"}
	str := func(name string) *string {
		attr, ok := c.Attributes[name]
		if !ok {
			return nil
		}
		v, ok := l.evalAttr(attr, cty.String, sc)
		if !ok {
			return nil
		}
		out := v.AsString()
		return &out
	}
	s.address = str("address")
	if s.address != nil && *s.address == "" {
		l.diags = append(l.diags, errorAt(c.Attributes["address"].Expr.Range(), "Invalid address", "The address is empty; give a host name or an IP address, or leave address out to use the host's name."))
		s.address = nil
	}
	if p := str("platform"); p != nil {
		canon, ok := l.canonicalPlatform(*p)
		s.platform = &canon // even when unknown: one error, not a second "Missing platform"
		if !ok {
			l.diags = append(l.diags, errorAt(c.Attributes["platform"].Expr.Range(), "Unknown platform",
				fmt.Sprintf("%q is not a platform runbook knows.%s The platforms are %s.", *p, platformSuggestion(*p), listText(Platforms))))
		}
	}
	if m := str("host_key_check"); m != nil {
		if contains(hostKeyModes, *m) {
			s.hostKeyCheck = m
		} else {
			l.diags = append(l.diags, errorAt(c.Attributes["host_key_check"].Expr.Range(), "Invalid host_key_check",
				fmt.Sprintf("host_key_check is %q; it must be %s.%s", *m, listOr(quoteAll(hostKeyModes)), didYouMean(*m, hostKeyModes))))
		}
	}
	if p := str("known_hosts_file"); p != nil {
		s.knownHosts = ptr(l.relPath(*p, c.Attributes["known_hosts_file"]))
	}
	if p := str("private_key"); p != nil {
		s.privateKey = ptr(l.relPath(*p, c.Attributes["private_key"]))
	}
	if attr, ok := c.Attributes["port"]; ok {
		if v, ok := l.evalAttr(attr, cty.Number, sc); ok {
			bf := v.AsBigFloat()
			n, acc := bf.Int64()
			if acc != big.Exact || n < 1 || n > 65535 {
				l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid port",
					fmt.Sprintf("The port must be a whole number from 1 to 65535, not %s.", bf.Text('g', 10))))
			} else {
				p := int(n)
				s.port = &p
			}
		}
	}
	if attr, ok := c.Attributes["legacy_algorithms"]; ok {
		if v, ok := l.evalAttr(attr, cty.Bool, sc); ok {
			b := v.True()
			s.legacy = &b
		}
	}
	if attr, ok := c.Attributes["ssh_agent"]; ok {
		if v, ok := l.evalAttr(attr, cty.Bool, sc); ok {
			b := v.True()
			s.agent = &b
		}
	}
	if attr, ok := c.Attributes["proxy_jump"]; ok {
		if v, ok := l.evalAttr(attr, cty.List(cty.String), sc); ok {
			hops := []JumpHost{}
			for _, e := range v.AsValueSlice() {
				if e.IsNull() {
					continue
				}
				hop, err := parseJumpHost(e.AsString())
				if err != nil {
					l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid proxy_jump", err.Error()+"."))
					continue
				}
				hops = append(hops, hop)
			}
			s.jump = &hops
		}
	}
	if attr, ok := c.Attributes["tags"]; ok {
		if v, ok := l.evalAttr(attr, cty.List(cty.String), sc); ok {
			for _, t := range v.AsValueSlice() {
				if !t.IsNull() && !contains(s.tags, t.AsString()) {
					s.tags = append(s.tags, t.AsString())
				}
			}
		}
	}
	if attr, ok := c.Attributes["vars"]; ok {
		s.vars = l.varsAttr(attr, sc)
	}
	s.username = l.credential(c, "username")
	s.password = l.credential(c, "password")
	s.secret = l.credential(c, "secret")
	s.passphrase = l.credential(c, "private_key_passphrase")

	for _, b := range c.Blocks {
		if b.Type != "timeouts" {
			continue
		}
		tc, diags := b.Body.Content(timeoutSchema)
		l.diags = append(l.diags, diags...)
		dur := func(name string) *time.Duration {
			attr, ok := tc.Attributes[name]
			if !ok {
				return nil
			}
			d, ok := l.durationAttr(attr, sc)
			if !ok {
				return nil
			}
			return &d
		}
		s.connect, s.command, s.idle = dur("connect"), dur("command"), dur("idle")
	}
	return s
}

func (l *loader) varsAttr(attr *hclv2.Attribute, sc scope) map[string]cty.Value {
	r := l.checkTraversals(attr.Expr.Variables(), sc)
	if len(r.bad) > 0 {
		return nil
	}
	v, diags := attr.Expr.Value(l.pb.ctx)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() || v.IsNull() {
		return nil
	}
	if !v.IsKnown() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Incorrect attribute value type",
			"vars must be an object, as in vars = { site = \"ams1\" }."))
		return nil
	}
	return v.AsValueMap()
}

// durationAttr reads a Go duration string such as "10s" or "1m30s".
func (l *loader) durationAttr(attr *hclv2.Attribute, sc scope) (time.Duration, bool) {
	v, ok := l.evalAttr(attr, cty.String, sc)
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(v.AsString())
	if err != nil || d <= 0 {
		l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid duration",
			fmt.Sprintf("%s is %q; write a positive duration such as \"30s\", \"2m\" or \"1m30s\".", attr.Name, v.AsString())))
		return 0, false
	}
	return d, true
}

// relPath resolves a path attribute against the file that wrote it.
func (l *loader) relPath(p string, attr *hclv2.Attribute) string {
	if p == "" || filepath.IsAbs(p) || strings.HasPrefix(p, "~") {
		return p
	}
	return filepath.Join(filepath.Dir(attr.Range.Filename), p)
}

// credential evaluates a credential attribute. Unset environment
// variables are recorded, not reported: credentials are needed only to
// connect, and validate and --lab must work without them.
func (l *loader) credential(c *hclv2.BodyContent, name string) *credential {
	attr, ok := c.Attributes[name]
	if !ok {
		return nil
	}
	sc := scope{where: "in the inventory"}
	if secretAttrs[name] && !l.pb.Settings.AllowPlaintextSecrets {
		l.checkPlaintext(attr)
	}
	r := l.checkTraversals(attr.Expr.Variables(), sc)
	if len(r.bad) > 0 {
		return nil
	}
	var missing []string
	fe := l.fe
	fe.missing = &missing
	ctx := &hclv2.EvalContext{Variables: l.pb.ctx.Variables, Functions: functions(fe)}
	v, ok := l.evalExpr(name, attr.Expr, cty.String, sc, ctx)
	if !ok {
		return nil
	}
	return &credential{value: v.AsString(), missing: missing, rng: attr.Expr.Range()}
}

// minSecretLen is the shortest secret that is not warned about: shorter
// ones are guessed at once, and are too short to redact from output
// without mangling it.
const minSecretLen = 4

// checkWeakSecret warns, once per attribute, about a secret shorter than
// minSecretLen or equal to the username: redaction would then hide the
// username everywhere, or could not hide the secret at all. Neither
// warning shows the value.
func (l *loader) checkWeakSecret(name string, c *credential, h *Host) {
	if c == nil || c.value == "" {
		return
	}
	username := h.Username
	rng := c.rng
	if rng.Filename == "" {
		rng = h.DeclRange // imported from YAML
	}
	warn := func(key, summary, detail string) {
		if c.warned[key] {
			return
		}
		if c.warned == nil {
			c.warned = map[string]bool{}
		}
		c.warned[key] = true
		d := warningAt(rng, summary, detail)
		d.Extra = RedactSubject{}
		l.diags = append(l.diags, d)
	}
	if len(c.value) < minSecretLen {
		warn("short", "Short secret",
			fmt.Sprintf("%s is shorter than %d characters: it is easily guessed, and runbook does not redact secrets under 3 characters from output, where they would match ordinary text. Use a longer %s.", name, minSecretLen, name))
	}
	if username != "" && c.value == username {
		warn("username", "Secret equals the username",
			fmt.Sprintf("%s is the same as the username: it is easily guessed, and redacting it from reports also hides the username wherever it appears. Use a %s that differs from the username.", name, name))
	}
}

// checkPlaintext rejects a secret written as a literal. An expression is
// literal when it has no references and calls no function; anything else
// (env(), file(), a variable) keeps the value out of the file.
func (l *loader) checkPlaintext(attr *hclv2.Attribute) {
	if fallback := literalFallback(attr.Expr); fallback != nil {
		l.diags = append(l.diags, &hclv2.Diagnostic{
			Severity: hclv2.DiagError,
			Summary:  "Plaintext secret",
			Subject:  fallback.Range().Ptr(),
			Extra:    RedactSubject{},
			Detail:   fmt.Sprintf("%s falls back to a value written in the playbook as plain text, where anyone who reads the file or its history can see it, and which is used whenever the environment variable is unset. Leave the default out, as in %s = env(%q) (runbook then refuses to connect until the variable is set), or use \"\" for none. To allow plain text anyway (for a lab), set allow_plaintext_secrets = true in a settings block.", attr.Name, attr.Name, envNameFor(attr.Name)),
		})
		return
	}
	if len(attr.Expr.Variables()) == 0 {
		if !callsFunction(attr.Expr) && !isEmptyString(attr.Expr) {
			l.diags = append(l.diags, &hclv2.Diagnostic{
				Severity: hclv2.DiagError,
				Summary:  "Plaintext secret",
				Subject:  attr.Expr.Range().Ptr(),
				Extra:    RedactSubject{},
				Detail:   fmt.Sprintf("%s is written in the playbook as plain text, where anyone who reads the file or its history can see it. Read it from the environment instead, as in %s = env(%q), from a file with file(\"...\"), or from a variable declared with sensitive = true. To allow plain text anyway (for a lab), set allow_plaintext_secrets = true in a settings block.", attr.Name, attr.Name, envNameFor(attr.Name)),
			})
		}
		return
	}
	for _, t := range attr.Expr.Variables() {
		if t.RootName() != rootVar {
			continue
		}
		name, ok := attrName(t, 1)
		if !ok {
			continue
		}
		if v := l.variable(name); v != nil && !v.Sensitive && !callsFunction(attr.Expr) {
			l.diags = append(l.diags, warningAt(attr.Expr.Range(), "Secret from a non-sensitive variable",
				fmt.Sprintf("%s comes from variable %q, which is not declared sensitive = true, so plans and logs may show it. Add sensitive = true to the variable.", attr.Name, name)))
		}
	}
}

// literalFallback returns the first plain-text value a secret falls back
// to: the default of env("NAME", "default"), or a literal argument of
// coalesce() or try(). Empty strings are not secrets.
func literalFallback(expr hclv2.Expression) hclv2.Expression {
	se, ok := expr.(hclsyntax.Expression)
	if !ok {
		return nil
	}
	var found hclv2.Expression
	_ = hclsyntax.VisitAll(se, func(n hclsyntax.Node) hclv2.Diagnostics {
		call, ok := n.(*hclsyntax.FunctionCallExpr)
		if !ok || found != nil {
			return nil
		}
		var args []hclsyntax.Expression
		switch call.Name {
		case "env":
			if len(call.Args) > 1 {
				args = call.Args[1:]
			}
		case "coalesce", "try":
			args = call.Args
		}
		for _, a := range args {
			if len(a.Variables()) == 0 && !callsFunction(a) && !isEmptyString(a) {
				found = a
				return nil
			}
		}
		return nil
	})
	return found
}

func envNameFor(attr string) string {
	switch attr {
	case "secret":
		return "RUNBOOK_SECRET"
	case "private_key_passphrase":
		return "RUNBOOK_KEY_PASSPHRASE"
	}
	return "RUNBOOK_PASSWORD"
}

func callsFunction(expr hclv2.Expression) bool {
	se, ok := expr.(hclsyntax.Expression)
	if !ok {
		return false
	}
	found := false
	_ = hclsyntax.VisitAll(se, func(n hclsyntax.Node) hclv2.Diagnostics {
		if _, ok := n.(*hclsyntax.FunctionCallExpr); ok {
			found = true
		}
		return nil
	})
	return found
}

// isEmptyString lets `password = ""` (no password, e.g. key auth) pass.
func isEmptyString(expr hclv2.Expression) bool {
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() {
		return v.IsNull() && !diags.HasErrors()
	}
	v, _ = v.UnmarkDeep()
	return v.Type() == cty.String && v.AsString() == ""
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// parseJumpHost reads one ProxyJump hop as OpenSSH writes it:
// [user@]host[:port], with IPv6 addresses in brackets.
func parseJumpHost(spec string) (JumpHost, error) {
	hop := JumpHost{Port: 22}
	rest := strings.TrimSpace(spec)
	if user, host, ok := strings.Cut(rest, "@"); ok {
		hop.User, rest = user, host
	}
	host, port, err := net.SplitHostPort(rest)
	if err != nil {
		host = strings.Trim(rest, "[]")
	} else {
		n, perr := strconv.Atoi(port)
		if perr != nil || n < 1 || n > 65535 {
			return JumpHost{}, fmt.Errorf("%q: the port must be a number from 1 to 65535", spec)
		}
		hop.Port = n
	}
	if host == "" || strings.ContainsAny(host, " /@") {
		return JumpHost{}, fmt.Errorf("%q is not a jump host; write [user@]host[:port], as OpenSSH's ProxyJump does", spec)
	}
	hop.Address = host
	return hop, nil
}
