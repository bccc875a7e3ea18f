package hcl

import (
	"fmt"
	"regexp"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Compliance is a top-level `compliance "NAME" {}` block: rules over the
// devices' configuration that `runbook audit` checks, and optionally the
// configuration the devices should have (Intended), whose drift and
// remediation the audit reports.
type Compliance struct {
	Name string
	// Platforms and Groups scope the block: a host is audited against it
	// when its platform is one of Platforms (canonical names) and it is in
	// one of Groups; an empty list does not restrict.
	Platforms []string
	Groups    []string
	Rules     []*ComplianceRule
	// Intended is the expression of the intended (golden) configuration,
	// nil when the block has none. It may use host (a template per
	// device); evaluate it per host with Playbook.IntendedConfig.
	Intended hclv2.Expression
	// IntendedMatch limits the comparison with Intended to the top-level
	// lines (Junos: statements) one of these patterns matches, anchored at
	// both ends; empty compares the whole configuration.
	IntendedMatch []string
	DeclRange     hclv2.Range
}

// Applies reports whether the block audits host h.
func (c *Compliance) Applies(h *Host) bool {
	if len(c.Platforms) > 0 && !contains(c.Platforms, h.Platform) {
		return false
	}
	if len(c.Groups) == 0 {
		return true
	}
	for _, g := range h.Groups {
		if contains(c.Groups, g) {
			return true
		}
	}
	return false
}

// Rule severities, most severe first.
const (
	SeverityHigh   = "high"
	SeverityMedium = "medium"
	SeverityLow    = "low"
)

// Severities lists the severities a rule may have, most severe first.
var Severities = []string{SeverityHigh, SeverityMedium, SeverityLow}

// ComplianceRule is one `rule "ID" {}` of a compliance block.
type ComplianceRule struct {
	ID       string
	Severity string // high, medium (the default) or low
	Message  string
	// Regex makes every line of the rule a regular expression matched
	// against whole lines.
	Regex bool
	ComplianceLines
	DeclRange hclv2.Range
}

// ComplianceLines are the lines a rule checks at one level: the top level
// of the configuration, or the sections matching a pattern.
type ComplianceLines struct {
	Required  []string
	Forbidden []string
	Sections  []*ComplianceSection
}

// ComplianceSection is a `section "PATTERN" {}` block: its lines apply in
// every section whose line matches Pattern (a regular expression anchored
// at both ends).
type ComplianceSection struct {
	Pattern string
	// MustExist fails the rule when no section matches.
	MustExist bool
	ComplianceLines
	DeclRange hclv2.Range
}

var (
	complianceSchema = &hclv2.BodySchema{
		Attributes: []hclv2.AttributeSchema{
			{Name: "platforms"},
			{Name: "groups"},
			{Name: "intended"},
			{Name: "intended_match"},
		},
		Blocks: []hclv2.BlockHeaderSchema{
			{Type: "rule", LabelNames: []string{"id"}},
		},
	}
	ruleSchema = &hclv2.BodySchema{
		Attributes: []hclv2.AttributeSchema{
			{Name: "severity"},
			{Name: "message"},
			{Name: "regex"},
			{Name: "required"},
			{Name: "forbidden"},
		},
		Blocks: []hclv2.BlockHeaderSchema{
			{Type: "section", LabelNames: []string{"pattern"}},
		},
	}
	sectionSchema = &hclv2.BodySchema{
		Attributes: []hclv2.AttributeSchema{
			{Name: "must_exist"},
			{Name: "required"},
			{Name: "forbidden"},
		},
		Blocks: []hclv2.BlockHeaderSchema{
			{Type: "section", LabelNames: []string{"pattern"}},
		},
	}
	complianceTopSchema = &hclv2.BodySchema{
		Blocks: []hclv2.BlockHeaderSchema{{Type: "compliance", LabelNames: []string{"name"}}},
	}
)

// complianceScope: rules are the same for every host; only intended may
// use host.
var (
	complianceScope = scope{where: "in a compliance rule"}
	intendedScope   = scope{host: true, where: "in a compliance block"}
)

// maxSectionDepth bounds how deep section blocks nest in a rule; real
// configurations nest four or five levels.
const maxSectionDepth = 16

// decodeCompliance reads the top-level `compliance` blocks of every
// playbook file. It runs after the inventory (groups are checked against
// it).
func (l *loader) decodeCompliance() {
	type seenRule struct {
		block *Compliance
		rule  *ComplianceRule
	}
	names := map[string]*Compliance{}
	rules := map[string][]seenRule{}
	for _, body := range l.bodies {
		content, _, _ := body.PartialContent(complianceTopSchema)
		for _, blk := range content.Blocks {
			c := l.decodeComplianceBlock(blk)
			if c == nil {
				continue
			}
			if prev, ok := names[c.Name]; ok {
				l.diags = append(l.diags, errorAt(blk.LabelRanges[0], "Duplicate compliance block",
					fmt.Sprintf("A compliance block %q was already declared at %s. Give each one its own name.", c.Name, rangeText(prev.DeclRange))))
				continue
			}
			names[c.Name] = c
			for _, r := range c.Rules {
				for _, s := range rules[r.ID] {
					if !disjoint(s.block.Platforms, c.Platforms) {
						l.diags = append(l.diags, errorAt(r.DeclRange, "Duplicate rule id",
							fmt.Sprintf("A rule %q was already declared at %s. Rule ids name the columns of the audit reports: give each rule its own id. Two compliance blocks may share an id only when their platforms lists have no platform in common (one rule written for each platform).", r.ID, rangeText(s.rule.DeclRange))))
						break
					}
				}
				rules[r.ID] = append(rules[r.ID], seenRule{c, r})
			}
			l.pb.Compliance = append(l.pb.Compliance, c)
		}
	}
}

// disjoint: both lists are given and share nothing.
func disjoint(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	for _, x := range a {
		if contains(b, x) {
			return false
		}
	}
	return true
}

func (l *loader) decodeComplianceBlock(blk *hclv2.Block) *Compliance {
	c := &Compliance{Name: blk.Labels[0], DeclRange: blk.DefRange}
	content, diags := blk.Body.Content(complianceSchema)
	l.diags = append(l.diags, diags...)
	if !hclsyntax.ValidIdentifier(c.Name) {
		l.diags = append(l.diags, errorAt(blk.LabelRanges[0], "Invalid compliance name",
			fmt.Sprintf("%q is not a valid compliance block name: use letters, digits, underscores and dashes, starting with a letter.", c.Name)))
		return nil
	}
	if attr, ok := content.Attributes["platforms"]; ok {
		vals, ranges := l.stringList(attr, complianceScope)
		for i, v := range vals {
			p, ok := CanonicalPlatform(v)
			if !ok {
				l.diags = append(l.diags, errorAt(ranges[i], "Unknown platform",
					fmt.Sprintf("%q is not a platform runbook knows.%s The platforms are %s.", v, platformSuggestion(v), listText(Platforms))))
				continue
			}
			if !contains(c.Platforms, p) {
				c.Platforms = append(c.Platforms, p)
			}
		}
	}
	if attr, ok := content.Attributes["groups"]; ok {
		var known []string
		for _, g := range l.pb.Inventory.Groups {
			known = append(known, g.Name)
		}
		vals, ranges := l.stringList(attr, complianceScope)
		for i, g := range vals {
			if !contains(known, g) {
				l.diags = append(l.diags, errorAt(ranges[i], "Unknown group",
					fmt.Sprintf("The inventory has no group %q.%s", g, didYouMean(g, known))))
				continue
			}
			if !contains(c.Groups, g) {
				c.Groups = append(c.Groups, g)
			}
		}
	}
	if attr, ok := content.Attributes["intended"]; ok {
		if l.checkIntended(attr) {
			c.Intended = attr.Expr
		}
	}
	if attr, ok := content.Attributes["intended_match"]; ok {
		vals, ranges := l.stringList(attr, complianceScope)
		for i, v := range vals {
			if l.checkPattern(v, ranges[i]) {
				c.IntendedMatch = append(c.IntendedMatch, v)
			}
		}
		if c.Intended == nil && len(vals) > 0 {
			l.diags = append(l.diags, errorAt(attr.NameRange, "intended_match without intended",
				"intended_match limits the comparison with the intended configuration; give intended too, or remove it."))
		}
	}
	ids := map[string]*ComplianceRule{}
	for _, b := range content.Blocks {
		r := l.decodeRule(b)
		if r == nil {
			continue
		}
		if prev, ok := ids[r.ID]; ok {
			l.diags = append(l.diags, errorAt(b.LabelRanges[0], "Duplicate rule id",
				fmt.Sprintf("This compliance block already has a rule %q at %s.", r.ID, rangeText(prev.DeclRange))))
			continue
		}
		ids[r.ID] = r
		c.Rules = append(c.Rules, r)
	}
	if _, hasIntended := content.Attributes["intended"]; len(content.Blocks) == 0 && !hasIntended {
		l.diags = append(l.diags, errorAt(blk.DefRange, "Empty compliance block",
			`A compliance block holds rules (rule "ID" { required = [...] }) or an intended configuration; this one has neither.`))
	}
	return c
}

// checkIntended evaluates intended with host unknown: a constant must be
// a string now; one that depends on host is evaluated per device.
func (l *loader) checkIntended(attr *hclv2.Attribute) bool {
	vars := map[string]cty.Value{}
	for k, v := range l.pb.ctx.Variables {
		vars[k] = v
	}
	vars[rootHost] = cty.DynamicVal
	ctx := &hclv2.EvalContext{Variables: vars, Functions: l.pb.ctx.Functions}
	r := l.checkTraversals(attr.Expr.Variables(), intendedScope)
	if len(r.bad) > 0 {
		return false
	}
	v, diags := attr.Expr.Value(ctx)
	l.diags = append(l.diags, diags...)
	if diags.HasErrors() {
		return false
	}
	v, _ = v.UnmarkDeep()
	if !v.IsWhollyKnown() {
		return true
	}
	if v.IsNull() || v.Type() != cty.String {
		l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid intended configuration",
			fmt.Sprintf("intended is the configuration the devices should have, as text: file(\"golden/ios.cfg\") or templatefile(...); got %s.", friendly(v))))
		return false
	}
	return true
}

func friendly(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	return "a " + v.Type().FriendlyName()
}

func (l *loader) decodeRule(b *hclv2.Block) *ComplianceRule {
	r := &ComplianceRule{ID: b.Labels[0], Severity: SeverityMedium, DeclRange: b.DefRange}
	content, diags := b.Body.Content(ruleSchema)
	l.diags = append(l.diags, diags...)
	if !hclsyntax.ValidIdentifier(r.ID) {
		l.diags = append(l.diags, errorAt(b.LabelRanges[0], "Invalid rule id",
			fmt.Sprintf("%q is not a valid rule id: use letters, digits, underscores and dashes, starting with a letter.", r.ID)))
		return nil
	}
	if attr, ok := content.Attributes["severity"]; ok {
		if v, ok := l.evalAttr(attr, cty.String, complianceScope); ok {
			s := strings.ToLower(strings.TrimSpace(v.AsString()))
			if contains(Severities, s) {
				r.Severity = s
			} else {
				l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid severity",
					fmt.Sprintf("severity is %q; it must be %s.%s", v.AsString(), listOr(quoteAll(Severities)), didYouMean(s, Severities))))
			}
		}
	}
	if attr, ok := content.Attributes["message"]; ok {
		if v, ok := l.evalAttr(attr, cty.String, complianceScope); ok {
			r.Message = v.AsString()
		}
	}
	if attr, ok := content.Attributes["regex"]; ok {
		if v, ok := l.evalAttr(attr, cty.Bool, complianceScope); ok {
			r.Regex = v.True()
		}
	}
	r.ComplianceLines = l.decodeLines(content, r.Regex, 1)
	_, hasReq := content.Attributes["required"]
	_, hasForb := content.Attributes["forbidden"]
	if !hasReq && !hasForb && len(content.Blocks) == 0 {
		l.diags = append(l.diags, errorAt(b.DefRange, "Empty rule",
			"A rule checks something: give required or forbidden lines, or a section block."))
	}
	return r
}

// decodeLines reads required, forbidden and the section blocks of a rule
// or a section.
func (l *loader) decodeLines(content *hclv2.BodyContent, regex bool, depth int) ComplianceLines {
	var out ComplianceLines
	lines := func(name string) []string {
		attr, ok := content.Attributes[name]
		if !ok {
			return nil
		}
		vals, ranges := l.stringList(attr, complianceScope)
		var keep []string
		for i, v := range vals {
			if strings.TrimSpace(v) == "" {
				l.diags = append(l.diags, errorAt(ranges[i], "Empty line", fmt.Sprintf("A %s line is empty; remove it.", name)))
				continue
			}
			if regex && !l.checkPattern(v, ranges[i]) {
				continue
			}
			keep = append(keep, v)
		}
		return keep
	}
	out.Required = lines("required")
	out.Forbidden = lines("forbidden")
	for _, b := range content.Blocks {
		if b.Type != "section" {
			continue
		}
		s := &ComplianceSection{Pattern: b.Labels[0], DeclRange: b.DefRange}
		if depth > maxSectionDepth {
			l.diags = append(l.diags, errorAt(b.DefRange, "Sections nested too deep",
				fmt.Sprintf("Section blocks nest more than %d deep here; no configuration nests that deep.", maxSectionDepth)))
			continue
		}
		sc, diags := b.Body.Content(sectionSchema)
		l.diags = append(l.diags, diags...)
		ok := l.checkPattern(s.Pattern, b.LabelRanges[0])
		if attr, found := sc.Attributes["must_exist"]; found {
			if v, good := l.evalAttr(attr, cty.Bool, complianceScope); good {
				s.MustExist = v.True()
			}
		}
		s.ComplianceLines = l.decodeLines(sc, regex, depth+1)
		if ok {
			out.Sections = append(out.Sections, s)
		}
	}
	return out
}

// checkPattern compiles a pattern as the audit will (anchored at both
// ends) and reports where it fails.
func (l *loader) checkPattern(p string, rng hclv2.Range) bool {
	_, err := regexp.Compile(p)
	if err == nil {
		_, err = regexp.Compile(`^(?:` + p + `)$`)
	}
	if err != nil {
		msg := err.Error()
		if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "error parsing regexp") {
			msg = msg[i+2:]
		}
		l.diags = append(l.diags, errorAt(rng, "Invalid regular expression",
			fmt.Sprintf("%q does not compile: %s. Patterns are Go regular expressions (RE2), matched against whole lines.", p, msg)))
		return false
	}
	return true
}

// stringList evaluates a list of strings and returns each element with
// the range it was written at (the whole attribute's when the list is not
// a literal).
func (l *loader) stringList(attr *hclv2.Attribute, sc scope) ([]string, []hclv2.Range) {
	v, ok := l.evalAttr(attr, cty.List(cty.String), sc)
	if !ok {
		return nil, nil
	}
	var elems []hclsyntax.Expression
	if tup, isTup := attr.Expr.(*hclsyntax.TupleConsExpr); isTup {
		elems = tup.Exprs
	}
	var out []string
	var ranges []hclv2.Range
	for i, e := range v.AsValueSlice() {
		if e.IsNull() {
			continue
		}
		rng := attr.Expr.Range()
		if len(elems) == v.LengthInt() {
			rng = elems[i].Range()
		}
		out = append(out, e.AsString())
		ranges = append(ranges, rng)
	}
	return out, ranges
}

// IntendedConfig evaluates a compliance block's intended configuration
// for one host (its host object available, as in steps). ok is false when
// the block has none.
func (p *Playbook) IntendedConfig(c *Compliance, h *Host) (text string, ok bool, err error) {
	if c.Intended == nil {
		return "", false, nil
	}
	v, diags := c.Intended.Value(p.HostContext(h, nil))
	if diags.HasErrors() {
		return "", true, fmt.Errorf("intended of compliance %q: %s", c.Name, diags.Error())
	}
	v, _ = v.UnmarkDeep()
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return "", true, fmt.Errorf("intended of compliance %q is %s, not the configuration's text", c.Name, friendly(v))
	}
	return v.AsString(), true, nil
}
