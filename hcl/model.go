// Package hcl loads runbook playbooks: HCL files in, a validated Playbook
// model out, with every problem reported as a diagnostic at file:line:col.
//
// It imports no other runbook package. Step kinds are injected with
// WithStepKinds so that the language can validate a kind's own attributes
// without knowing how the kind runs (as Terraform gets provider schemas).
package hcl

import (
	"time"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Playbook is a loaded and validated playbook.
type Playbook struct {
	// Files holds the parsed source files by path, for diagnostic snippets.
	Files map[string]*hclv2.File

	Variables []*Variable // declaration order
	Locals    map[string]cty.Value
	Inventory *Inventory
	// Steps in run order: every step after its dependencies, otherwise in
	// declaration order (files in the order given, blocks as written).
	Steps []*Step

	// Settings from the top-level `settings {}` block (optional).
	Settings Settings

	// Rollout is the top-level `rollout {}` block; nil when absent (every
	// device in one batch).
	Rollout *Rollout
	// Rollback is the top-level `rollback {}` block; nil when absent.
	Rollback *Rollback
	// Compliance are the top-level `compliance "NAME" {}` blocks, in
	// declaration order: the rules `runbook audit` checks.
	Compliance []*Compliance
	// Platforms are the top-level `platform "NAME" {}` blocks: device
	// families the playbook defines, which hosts may name.
	Platforms []*PlatformDef

	// BaseDir is the directory file(), templatefile() and relative paths
	// in steps are resolved against: the first playbook file's directory
	// unless WithBaseDir says otherwise.
	BaseDir string

	// ctx is the root evaluation context: var, local and functions.
	ctx *hclv2.EvalContext
}

// Settings are playbook-wide options.
type Settings struct {
	// AllowPlaintextSecrets lets a literal string stand as a password/secret.
	AllowPlaintextSecrets bool
	// TemplatesDir is where parse { textfsm = "auto" } looks (issue: parsing).
	TemplatesDir string
}

// Variable is a declared input variable with its final value after
// defaults, --var-file, --var and RUNBOOK_VAR_name were applied.
type Variable struct {
	Name        string
	Type        cty.Type
	Default     cty.Value
	Value       cty.Value
	Description string
	Sensitive   bool
	DeclRange   hclv2.Range
}

// Inventory is the resolved list of hosts: defaults -> group -> host
// inheritance has been applied, so each Host is complete.
type Inventory struct {
	Hosts  []*Host // declaration order
	Groups []*Group
}

// Group is an inventory group.
type Group struct {
	Name      string
	Vars      map[string]cty.Value
	Hosts     []string // host names, declaration order
	DeclRange hclv2.Range
}

// Secret holds a credential. It prints as "(sensitive)" in every format
// so that it cannot leak through %v, %s, %q or %#v.
type Secret struct{ value string }

// NewSecret wraps a credential value.
func NewSecret(v string) Secret { return Secret{value: v} }

// Reveal returns the credential; call it only where it is sent to a device.
func (s Secret) Reveal() string { return s.value }

// IsSet reports whether a value was given.
func (s Secret) IsSet() bool { return s.value != "" }

func (s Secret) String() string   { return "(sensitive)" }
func (s Secret) GoString() string { return "(sensitive)" }

// MarshalText keeps secrets out of JSON and other encodings.
func (s Secret) MarshalText() ([]byte, error) { return []byte("(sensitive)"), nil }

// Timeouts per host; zero means the driver's default.
type Timeouts struct {
	Connect time.Duration // TCP + SSH handshake
	Command time.Duration // overall deadline of one command
	Idle    time.Duration // no bytes received for this long
}

// Host is one device with inherited settings resolved.
type Host struct {
	Name     string
	Groups   []string
	Address  string
	Port     int // 22 unless set
	Platform string

	Username             string
	Password             Secret
	Secret               Secret // enable secret
	PrivateKey           string // path
	PrivateKeyPassphrase Secret

	// HostKeyCheck is "strict" (default), "accept-new" or "off".
	HostKeyCheck     string
	KnownHostsFile   string // default ~/.ssh/known_hosts
	LegacyAlgorithms bool
	// UseAgent offers the keys of the ssh-agent at SSH_AUTH_SOCK. Off by
	// default: an agent holding many keys can exhaust a device's login
	// attempts before the password is tried.
	UseAgent bool
	// ProxyJump is the bastion chain, outermost first. Bastions are
	// authenticated with the host's private key or agent, never its
	// password, and their host keys are checked like the host's.
	ProxyJump []JumpHost

	Timeouts Timeouts
	Tags     []string
	Vars     map[string]cty.Value

	// MissingEnv names environment variables that credentials read with
	// env() but that were unset at load time; those credentials are empty.
	// Validation passes without them; connecting to a real device should
	// fail with a message naming them.
	MissingEnv []string

	DeclRange hclv2.Range
}

// JumpHost is one ProxyJump hop.
type JumpHost struct {
	User    string // default: the host's username
	Address string
	Port    int
}

// OnFailure values for Step.OnFailure.
const (
	OnFailureStop     = "stop"     // default: dependents are skipped
	OnFailureContinue = "continue" // dependents run anyway; the failure still fails the device
)

// Step is one `step "<kind>" "<name>"` block.
type Step struct {
	Kind string
	Name string

	// DependsOn holds addresses ("send_command.pre") of explicit
	// depends_on entries and of steps referenced in the body.
	DependsOn []string
	When      *Expr // expr-lang source; nil when absent
	Timeout   time.Duration
	Retries   int
	Tags      []string
	OnFailure string

	// Body is the kind-specific remainder of the block. Decode it per host
	// with Playbook.StepContext; the StepKind given to Load has validated it.
	Body hclv2.Body

	Parse   *Parse
	Asserts []*Assert

	DeclRange hclv2.Range

	// refsKnown says that Load found which per-host roots the body refers
	// to (refsHost, refsStep); a body it could not walk refers to all.
	refsKnown, refsHost, refsStep bool
	addr                          string
}

// RefersToSteps says whether the step's body may refer to other steps'
// results (step.KIND.NAME...), which must then be built to decode it.
func (s *Step) RefersToSteps() bool { return !s.refsKnown || s.refsStep }

// Address is the step's reference name, "kind.name".
func (s *Step) Address() string {
	if s.addr != "" {
		return s.addr
	}
	return s.Kind + "." + s.Name
}

// Expr is an expr-lang program's source and where it was written.
type Expr struct {
	Source string
	Range  hclv2.Range
}

// Parse is a `parse {}` block.
type Parse struct {
	TextFSM    string // template path, or "auto" for the ntc-templates index
	Template   string // inline template text
	AllowEmpty bool
	DeclRange  hclv2.Range
}

// Assert is an `assert "name" { expr, message }` block.
type Assert struct {
	Name      string
	Expr      Expr
	Message   string
	DeclRange hclv2.Range
}

// StepKind validates and decodes the kind-specific body of a step. tasks
// provides one per kind; Load calls Decode with host and step values unknown.
type StepKind interface {
	Decode(body hclv2.Body, ctx *hclv2.EvalContext) (any, hclv2.Diagnostics)
}
