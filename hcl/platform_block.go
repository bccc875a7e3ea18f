package hcl

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// PlatformDef is a top-level `platform "NAME" {}` block: a device family
// the playbook describes itself, usually as edits to a built-in Base.
// Hosts may name it as their platform. Empty fields keep the base's
// value; the regexes have been checked to compile (and the prompts to
// capture the device name in (?P<host>...)).
type PlatformDef struct {
	Name string
	Base string // canonical built-in platform; "" when none

	PromptExec       string // unprivileged prompt; "" when there is none
	PromptPrivileged string // the prompt commands run at
	PromptConfig     string // the configuration prompt

	EnableCommand string // exec -> privileged
	ConfigCommand string // privileged -> configuration
	ConfigExit    string // configuration -> privileged

	// DisablePaging replaces the base's commands run after login when
	// DisablePagingSet (an empty list runs none).
	DisablePaging    []string
	DisablePagingSet bool
	// Errors replace the base's failure indicators when set: texts that,
	// at the start of an output line and in any case, mean the device
	// rejected the command.
	Errors []string

	// ShowConfig prints the running configuration (backup, idempotent
	// push, checkpoint verification); "" keeps the base's.
	ShowConfig string

	SaveCommand string
	// SaveNoop: save_command = "" says the device keeps every change
	// (RouterOS): a save step has nothing to do.
	SaveNoop    bool
	SaveConfirm []PlatformConfirm // sorted by question
	SaveSuccess string

	Commit string
	Abort  string
	// HostnameChange matches the commands after which the prompt shows a
	// new device name ("sysname X").
	HostnameChange string
	// QuestionMark says how a '?' in a line is typed: "ctrl_v" (Ctrl-V
	// before it: '?' asks for help, Ctrl-V makes it literal), "refuse"
	// ('?' asks for help and cannot be typed: such lines are an error) or
	// "literal" (an ordinary character); "" keeps the base's.
	QuestionMark string

	DeclRange hclv2.Range
}

// PlatformConfirm is one save question (a regex) and its answer.
type PlatformConfirm struct {
	Question string
	Answer   string
}

var platformTopSchema = &hclv2.BodySchema{
	Blocks: []hclv2.BlockHeaderSchema{{Type: "platform", LabelNames: []string{"name"}}},
}

var platformSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{
		{Name: "base"},
		{Name: "prompt_exec"},
		{Name: "prompt_privileged"},
		{Name: "prompt_config"},
		{Name: "enable_command"},
		{Name: "config_command"},
		{Name: "config_exit"},
		{Name: "disable_paging"},
		{Name: "errors"},
		{Name: "save_command"},
		{Name: "save_confirm"},
		{Name: "save_success"},
		{Name: "show_config"},
		{Name: "commit"},
		{Name: "abort"},
		{Name: "hostname_change"},
		{Name: "question_mark"},
	},
}

// QuestionMarkModes are the values of a platform block's question_mark.
var QuestionMarkModes = []string{"ctrl_v", "refuse", "literal"}

var platformNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// decodePlatforms reads every platform block, before the inventory that
// may name them.
func (l *loader) decodePlatforms() {
	seen := map[string]*PlatformDef{}
	for _, body := range l.bodies {
		content, _, _ := body.PartialContent(platformTopSchema)
		for _, blk := range content.Blocks {
			d := l.decodePlatformBlock(blk)
			if d == nil {
				continue
			}
			if prev, ok := seen[d.Name]; ok {
				l.diags = append(l.diags, errorAt(blk.LabelRanges[0], "Duplicate platform block",
					fmt.Sprintf("A platform %q was already declared at %s.", d.Name, rangeText(prev.DeclRange))))
				continue
			}
			seen[d.Name] = d
			l.pb.Platforms = append(l.pb.Platforms, d)
		}
	}
}

func (l *loader) decodePlatformBlock(blk *hclv2.Block) *PlatformDef {
	d := &PlatformDef{Name: blk.Labels[0], DeclRange: blk.DefRange}
	content, diags := blk.Body.Content(platformSchema)
	l.diags = append(l.diags, diags...)
	ok := true
	if !platformNameRE.MatchString(d.Name) {
		l.diags = append(l.diags, errorAt(blk.LabelRanges[0], "Invalid platform name",
			fmt.Sprintf("%q is not a valid platform name: use lower-case letters, digits and underscores, starting with a letter (e.g. \"hp_comware\").", d.Name)))
		ok = false
	} else if c, builtin := CanonicalPlatform(d.Name); builtin {
		l.diags = append(l.diags, errorAt(blk.LabelRanges[0], "Platform name taken",
			fmt.Sprintf("%q is a built-in platform (%s); give the platform block another name, and base = %q to start from the built-in one.", d.Name, c, c)))
		ok = false
	}
	sc := scope{where: "in a platform block"}
	str := func(name string) (string, *hclv2.Attribute) {
		attr, has := content.Attributes[name]
		if !has {
			return "", nil
		}
		v, good := l.evalAttr(attr, cty.String, sc)
		if !good {
			return "", nil
		}
		return v.AsString(), attr
	}
	re := func(name string, wantHost bool) string {
		v, attr := str(name)
		if attr == nil {
			return ""
		}
		r, err := regexp.Compile(v)
		if err != nil {
			l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Invalid regular expression",
				fmt.Sprintf("%s is not a valid regular expression: %s.", name, errText(err))))
			ok = false
			return ""
		}
		if wantHost && r.SubexpIndex("host") < 0 {
			l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Prompt without host",
				fmt.Sprintf("%s must capture the device name in a group named host, e.g. `^<(?P<host>[^>]+)>\\s*$`: runbook learns the name from the prompt and knows its own output from it.", name)))
			ok = false
			return ""
		}
		return v
	}
	if v, attr := str("base"); attr != nil {
		c, known := CanonicalPlatform(v)
		if !known {
			l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Unknown base platform",
				fmt.Sprintf("%q is not a built-in platform.%s The platforms are %s.", v, platformSuggestion(v), listText(Platforms))))
			ok = false
		}
		d.Base = c
	}
	d.PromptExec = re("prompt_exec", true)
	d.PromptPrivileged = re("prompt_privileged", true)
	d.PromptConfig = re("prompt_config", true)
	d.EnableCommand, _ = str("enable_command")
	d.ConfigCommand, _ = str("config_command")
	d.ConfigExit, _ = str("config_exit")
	if attr, has := content.Attributes["disable_paging"]; has {
		d.DisablePaging, _ = l.stringList(attr, sc)
		d.DisablePagingSet = true
	}
	if attr, has := content.Attributes["errors"]; has {
		vals, ranges := l.stringList(attr, sc)
		for i, v := range vals {
			if strings.TrimSpace(v) == "" {
				l.diags = append(l.diags, errorAt(ranges[i], "Empty error pattern", "An empty error text would match every output: remove it."))
				ok = false
				continue
			}
			d.Errors = append(d.Errors, v)
		}
	}
	d.ShowConfig, _ = str("show_config")
	var saveAttr *hclv2.Attribute
	d.SaveCommand, saveAttr = str("save_command")
	d.SaveNoop = saveAttr != nil && strings.TrimSpace(d.SaveCommand) == ""
	d.SaveSuccess = re("save_success", false)
	if attr, has := content.Attributes["save_confirm"]; has {
		if v, good := l.evalAttr(attr, cty.Map(cty.String), sc); good {
			keyRanges := map[string]hclv2.Range{}
			if obj, isObj := attr.Expr.(*hclsyntax.ObjectConsExpr); isObj {
				for _, item := range obj.Items {
					if k, diags := item.KeyExpr.Value(nil); !diags.HasErrors() && k.Type() == cty.String {
						keyRanges[k.AsString()] = item.KeyExpr.Range()
					}
				}
			}
			for q, a := range v.AsValueMap() {
				rng, found := keyRanges[q]
				if !found {
					rng = attr.Expr.Range()
				}
				if _, err := regexp.Compile(q); err != nil {
					l.diags = append(l.diags, errorAt(rng, "Invalid regular expression",
						fmt.Sprintf("The save_confirm question %q is not a valid regular expression: %s.", q, errText(err))))
					ok = false
					continue
				}
				d.SaveConfirm = append(d.SaveConfirm, PlatformConfirm{Question: q, Answer: a.AsString()})
			}
			sort.Slice(d.SaveConfirm, func(i, j int) bool { return d.SaveConfirm[i].Question < d.SaveConfirm[j].Question })
		}
	}
	d.Commit, _ = str("commit")
	d.Abort, _ = str("abort")
	d.HostnameChange = re("hostname_change", false)
	if v, attr := str("question_mark"); attr != nil {
		if !slices.Contains(QuestionMarkModes, v) {
			l.diags = append(l.diags, errorAt(attr.Expr.Range(), "Unknown question_mark",
				fmt.Sprintf("question_mark is %q; it says how a '?' in a line is typed on this device: %s.", v, listOr(QuestionMarkModes))))
			ok = false
		}
		d.QuestionMark = v
	}
	if d.Base == "" && d.PromptPrivileged == "" && ok {
		l.diags = append(l.diags, errorAt(blk.DefRange, "Platform without prompts",
			"A platform needs base (a built-in platform to start from) or prompt_privileged (the prompt commands run at)."))
		ok = false
	}
	if !ok {
		return nil
	}
	return d
}

// canonicalPlatform resolves a host's platform: a platform block's name,
// else a built-in name or alias.
func (l *loader) canonicalPlatform(name string) (string, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, d := range l.pb.Platforms {
		if d.Name == n {
			return d.Name, true
		}
	}
	return CanonicalPlatform(name)
}
