package driver

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Mode names used by the platform definitions.
const (
	ModeExec          = "exec"          // unprivileged EXEC (router>)
	ModePrivileged    = "privileged"    // privileged EXEC (router#); junos operational, linux shell
	ModeConfiguration = "configuration" // any configuration mode, sub-modes included
)

// Platform is a typed description of one device family's CLI dialogue. The
// definitions are data, not code paths: adding a platform means adding a
// value here, not a new branch in the session logic.
type Platform struct {
	Name    string   // canonical name, e.g. "cisco_ios"
	Aliases []string // other names accepted by LookupPlatform

	// Modes in matching order: the first mode whose prompt regex matches the
	// last line of output names the current mode. Every prompt regex must
	// match a whole line and capture the device name in a group named "host".
	Modes []Mode
	// Transitions form the mode graph walked to reach a target mode.
	Transitions []Transition
	// CommandMode is the mode SendCommand runs in (privileged EXEC).
	CommandMode string
	// ConfigMode is the mode SendConfigSet runs in; "" runs the lines in
	// CommandMode (linux).
	ConfigMode string

	// OnOpen commands run once after the prompt is learned (disable paging,
	// widen the terminal). Their failure is logged, not fatal: the pager
	// fallback still copes with paging.
	OnOpen []string
	// Pager matches a pager prompt on the last line; PagerContinue is sent
	// to get the next page.
	Pager         *regexp.Regexp
	PagerContinue string

	// FailureIndicators: text in a command's output that means the device
	// rejected the command.
	FailureIndicators []Indicator

	// ShowConfig prints the running configuration; "" means the usual
	// "show running-config" ("show configuration" on Junos).
	ShowConfig string

	// SaveCommand persists the configuration; SaveConfirm answers its
	// questions. Empty SaveCommand with SaveNoop means the configuration is
	// saved by SendConfigSet (junos commit); empty without SaveNoop means
	// Save is unsupported.
	SaveCommand string
	SaveConfirm []Confirm
	SaveNoop    bool
	// SaveSuccess is what the device prints when it wrote the
	// configuration; a save whose output lacks it is Failed (FailedBy
	// "no save confirmation"): a reply such as "Unknown command" is not
	// a save.
	SaveSuccess *regexp.Regexp

	// Commit is sent after the configuration lines (junos). On a rejected
	// line (and no ContinueOnError) Abort is sent instead.
	Commit string
	Abort  string
	// CommitFailed, when a commit fails, shows why (IOS-XR "show
	// configuration failed": the rejected lines and the device's reasons);
	// its output is added to the commit's response.
	CommitFailed string
	// CommitConfirmed is the commit with the device's confirm timer, a
	// format taking whole minutes (WithCommitConfirmed); "" when the
	// platform has none. A later Commit confirms it.
	CommitConfirmed string

	// StatusCommand, on a shell, prints the exit status of the command
	// before it, which StatusPattern captures (group 1): a non-zero status
	// fails the command. "" for devices.
	StatusCommand string
	StatusPattern *regexp.Regexp

	// HostnameChange matches commands after which the prompt may show a new
	// device name. Only after those is a prompt with another name accepted:
	// a stray output line that merely looks like a prompt cannot end a
	// response early.
	HostnameChange *regexp.Regexp
	// NoiseLines are whole lines dropped from the end of an output, before
	// the prompt (junos "[edit]" and "{master:0}").
	NoiseLines *regexp.Regexp

	// QuestionHelp: a '?' typed at the prompt asks for help at once,
	// without Enter, and never reaches the command (the CLIs of Cisco,
	// Arista and Juniper). QuoteNext is the key that makes the next
	// character literal (Ctrl-V, "\x16", on Cisco and Arista): a line is
	// typed with it before each '?'. With QuestionHelp and no QuoteNext, a
	// line holding a '?' is refused before anything is sent.
	QuestionHelp bool
	QuoteNext    string
}

// ctrlV makes the next character literal on Cisco-style CLIs: "description
// why?" is typed "description why^V?".
const ctrlV = "\x16"

// Mode is one CLI mode and the prompt that identifies it.
type Mode struct {
	Name   string
	Prompt *regexp.Regexp
}

// Transition is one edge of the mode graph: sending Command in From leads
// to To, possibly after answering Confirm questions. Secret marks the
// edge that needs the enable secret (answered to SecretPrompt).
type Transition struct {
	From, To     string
	Command      string
	SecretPrompt *regexp.Regexp
	Confirm      []Confirm
}

// Confirm answers a question the device asks in the middle of a command.
type Confirm struct {
	Question *regexp.Regexp // matched against the last line
	Answer   string         // sent followed by a newline
}

// Indicator is a failure indicator. Text is matched literally but without
// regard to ASCII case (devices and simulators differ: "% Unknown
// command", "unknown command."); with LineStart it must begin a line
// (after leading spaces), as devices print their errors, which keeps
// words like "error:" from matching inside ordinary output.
type Indicator struct {
	Text      string
	LineStart bool
}

// host is a device name in a prompt: any printable name (any script, up
// to 255 characters, '-' or '.' first included), but no spaces, so that
// prose ending in '#' or '>' is not mistaken for a prompt, and none of the
// characters prompts end or mark modes with. Banner art ("#####",
// "=====>") cannot start one. Once the session has learned its prompt,
// only that name is a prompt (except after a hostname change), so output
// that merely looks like a prompt does not end a response. The length is
// checked by modeOf, not by the pattern: a counted repetition ({0,254})
// compiles into 255 copies of the class, 360 KB and 0.6 ms per pattern,
// and made every prompt match slower.
const host = `(?P<host>[\p{L}\p{N}_.\-][^\s#>$%()\[\]{}"'\\]*?)`

// maxHostLen is the longest device name a prompt may show, in characters
// (a DNS name's limit).
const maxHostLen = 255

// linuxHost is a Linux prompt's stable part: user@host, or the host.
const linuxHost = `[^\s@\[\]:$#>%]+`

// ciscoLike are the IOS family's modes, shared by the platforms built on
// them.
var ciscoLike = sync.OnceValue(func() ciscoModes {
	return ciscoModes{
		modes: []Mode{
			{ModeConfiguration, regexp.MustCompile(`^` + host + `(?:\([^()\n]*\))+#\s*$`)},
			{ModePrivileged, regexp.MustCompile(`^` + host + `#\s*$`)},
			{ModeExec, regexp.MustCompile(`^` + host + `>\s*$`)},
		},
		transitions: []Transition{
			{From: ModeExec, To: ModePrivileged, Command: "enable", SecretPrompt: regexp.MustCompile(`(?i)password:\s*$`)},
			{From: ModePrivileged, To: ModeConfiguration, Command: "configure terminal"},
			{From: ModeConfiguration, To: ModePrivileged, Command: "end"},
			{From: ModePrivileged, To: ModeExec, Command: "disable"},
		},
	}
})

type ciscoModes struct {
	modes       []Mode
	transitions []Transition
}

var ciscoPager = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s*-+\s*[Mm]ore\s*-+\s*$|^\s*--More--.*$`)
})

// commonCiscoFailures are the IOS-family parser's errors; each begins its
// line (under the "^" marker line).
var commonCiscoFailures = []Indicator{
	{Text: "% Invalid input", LineStart: true},
	{Text: "% Ambiguous command", LineStart: true},
	{Text: "% Incomplete command", LineStart: true},
	{Text: "% Unknown command", LineStart: true},
	{Text: "% Unrecognized command", LineStart: true},
	{Text: "Command authorization failed", LineStart: true},
	{Text: "% Authorization denied", LineStart: true},
	{Text: "Command rejected", LineStart: true},
}

// ciscoFamily completes an IOS-family platform with what the family
// shares: the modes and their commands, paging off with "terminal length
// 0" and a --More-- pager unless p has its own, '?' typed after Ctrl-V.
func ciscoFamily(p Platform) *Platform {
	m := ciscoLike()
	p.Modes, p.Transitions = m.modes, m.transitions
	p.CommandMode, p.ConfigMode = ModePrivileged, ModeConfiguration
	if p.OnOpen == nil {
		p.OnOpen = []string{"terminal length 0", "terminal width 511"}
	}
	if p.Pager == nil {
		p.Pager = ciscoPager()
	}
	p.PagerContinue = " "
	p.QuestionHelp, p.QuoteNext = true, ctrlV
	return &p
}

// platforms are the built-in platforms. Each is built (its prompts, pager
// and questions compiled) the first time it is looked up: compiling all of
// them took half a megabyte and a millisecond at every start, and a run
// needs the few its inventory names.
var platforms = []*builtinPlatform{
	builtin("cisco_ios", []string{"cisco_xe", "ios", "iosxe", "cisco_iosxe", "ios_xe", "cisco_ios_ssh", "cisco_xe_ssh"}, func() *Platform {
		return ciscoFamily(Platform{
			FailureIndicators: append(slices.Clone(commonCiscoFailures), Indicator{Text: "%Error", LineStart: true}),
			SaveCommand:       "copy running-config startup-config",
			SaveConfirm: []Confirm{
				{Question: regexp.MustCompile(`Destination filename \[[^\]]*\]\??\s*$`), Answer: ""},
				{Question: regexp.MustCompile(`(?i)\[confirm\]\s*$`), Answer: ""},
			},
			// "[OK]" alone on its line, or ending one: with service
			// compress-config IOS prints "Compressed configuration from
			// 10194 bytes to 5372 bytes[OK]".
			SaveSuccess:    regexp.MustCompile(`(?m)^\s*\[OK\]|\[OK\]\s*$|(?i)bytes copied`),
			HostnameChange: regexp.MustCompile(`^\s*hostname\s+\S`),
		})
	}),
	builtin("cisco_nxos", []string{"nxos", "cisco_nxos_ssh", "nexus"}, func() *Platform {
		return ciscoFamily(Platform{
			FailureIndicators: append(slices.Clone(commonCiscoFailures),
				Indicator{Text: "% Invalid command", LineStart: true},
				Indicator{Text: "% Invalid parameter", LineStart: true},
				Indicator{Text: "ERROR:", LineStart: true},
				// A command the user's role may not run.
				Indicator{Text: "% Permission denied", LineStart: true},
			),
			SaveCommand: "copy running-config startup-config",
			SaveConfirm: []Confirm{
				{Question: regexp.MustCompile(`(?i)\[confirm\]\s*$`), Answer: ""},
				{Question: regexp.MustCompile(`\(y/n\)\??\s*(\[[yn]\])?\s*$`), Answer: "y"},
			},
			SaveSuccess:    regexp.MustCompile(`(?im)^\s*copy complete`),
			HostnameChange: regexp.MustCompile(`^\s*(hostname|switchname)\s+\S`),
		})
	}),
	builtin("arista_eos", []string{"eos", "arista", "arista_eos_ssh"}, func() *Platform {
		return ciscoFamily(Platform{
			FailureIndicators: append(slices.Clone(commonCiscoFailures),
				Indicator{Text: "% Error", LineStart: true},
				// A command this hardware or image lacks (vEOS).
				Indicator{Text: "% Unavailable command", LineStart: true},
			),
			SaveCommand:    "copy running-config startup-config",
			SaveConfirm:    []Confirm{{Question: regexp.MustCompile(`(?i)\[confirm\]\s*$`), Answer: ""}},
			SaveSuccess:    regexp.MustCompile(`(?im)^\s*copy completed successfully`),
			HostnameChange: regexp.MustCompile(`^\s*hostname\s+\S`),
		})
	}),
	builtin("juniper_junos", []string{"juniper", "junos", "juniper_junos_ssh"}, func() *Platform {
		return &Platform{
			Modes: []Mode{
				{ModeConfiguration, regexp.MustCompile(`^(?:[A-Za-z0-9_.\-]+@)?` + host + `#\s*$`)},
				{ModePrivileged, regexp.MustCompile(`^(?:[A-Za-z0-9_.\-]+@)?` + host + `>\s*$`)},
			},
			Transitions: []Transition{
				{From: ModePrivileged, To: ModeConfiguration, Command: "configure"},
				{From: ModeConfiguration, To: ModePrivileged, Command: "exit configuration-mode",
					// Leaving with uncommitted changes asks first; the changes
					// stay in the candidate, nothing is committed by "yes".
					Confirm: []Confirm{{Question: regexp.MustCompile(`(?i)\(yes\)\s*$|\[yes,no\].*$`), Answer: "yes"}}},
			},
			CommandMode:   ModePrivileged,
			ConfigMode:    ModeConfiguration,
			OnOpen:        []string{"set cli screen-length 0", "set cli screen-width 511"},
			Pager:         regexp.MustCompile(`^\s*---\(more( \d+%)?\)---\s*$|^\s*--More--\s*$`),
			PagerContinue: " ",
			FailureIndicators: []Indicator{
				{Text: "syntax error", LineStart: true},
				{Text: "unknown command", LineStart: true},
				{Text: "% unknown command", LineStart: true},
				{Text: "missing argument", LineStart: true},
				{Text: "invalid value", LineStart: true},
				{Text: "invalid command", LineStart: true},
				{Text: "error:", LineStart: true},
				{Text: "commit failed", LineStart: true},
			},
			SaveNoop:        true,
			Commit:          "commit",
			CommitConfirmed: "commit confirmed %d",
			Abort:           "rollback 0",
			HostnameChange:  regexp.MustCompile(`^\s*commit\b`),
			NoiseLines:      regexp.MustCompile(`^\s*(\[edit[^\]]*\]|\{[^}]*\})\s*$`),
			// No documented way to type a literal '?': such lines are refused.
			QuestionHelp: true,
		}
	}),
	builtin("cisco_xr", []string{"iosxr", "ios_xr", "xr", "cisco_iosxr", "cisco_xr_ssh"}, func() *Platform {
		return &Platform{
			// IOS-XR: one prompt shape for every mode, prefixed with the
			// route processor ("RP/0/RP0/CPU0:r1#"); configuration is a
			// candidate that "commit" applies and "abort" discards (leaving
			// configuration mode); "end" with uncommitted changes asks first,
			// and runbook answers "no": it commits or aborts explicitly.
			Modes: []Mode{
				{ModeConfiguration, regexp.MustCompile(`^(?:[A-Za-z0-9/]+:)?` + host + `(?:\([^()\n]*\))+#\s*$`)},
				{ModePrivileged, regexp.MustCompile(`^(?:[A-Za-z0-9/]+:)?` + host + `#\s*$`)},
			},
			Transitions: []Transition{
				{From: ModePrivileged, To: ModeConfiguration, Command: "configure terminal"},
				{From: ModeConfiguration, To: ModePrivileged, Command: "end",
					Confirm: []Confirm{{Question: regexp.MustCompile(`(?i)uncommitted changes found.*\[cancel\]:?\s*$`), Answer: "no"}}},
			},
			CommandMode:   ModePrivileged,
			ConfigMode:    ModeConfiguration,
			OnOpen:        []string{"terminal length 0", "terminal width 511"},
			Pager:         ciscoPager(),
			PagerContinue: " ",
			FailureIndicators: append(slices.Clone(commonCiscoFailures),
				Indicator{Text: "% Failed to commit", LineStart: true},
				Indicator{Text: "% Invalid", LineStart: true},
				// Task-based authorization refused the command.
				Indicator{Text: "% This command is not authorized", LineStart: true},
			),
			SaveNoop:       true,
			Commit:         "commit",
			CommitFailed:   "show configuration failed",
			Abort:          "abort",
			HostnameChange: regexp.MustCompile(`^\s*commit\b`),
			QuestionHelp:   true,
			QuoteNext:      ctrlV,
		}
	}),
	builtin("cisco_asa", []string{"asa", "cisco_asa_ssh"}, func() *Platform {
		return ciscoFamily(Platform{
			// ASA: IOS-like modes; paging is "terminal pager 0" and errors
			// start with "ERROR:"; "write memory" saves.
			OnOpen: []string{"terminal pager 0"},
			Pager:  regexp.MustCompile(`^\s*<--- More --->\s*$|^\s*--More--\s*$`),
			FailureIndicators: append(slices.Clone(commonCiscoFailures),
				Indicator{Text: "ERROR:", LineStart: true},
			),
			SaveCommand:    "write memory",
			SaveSuccess:    regexp.MustCompile(`(?m)^\s*\[OK\]`),
			HostnameChange: regexp.MustCompile(`^\s*hostname\s+\S`),
		})
	}),
	builtin("linux", []string{"linux_ssh", "generic", "unix"}, func() *Platform {
		return &Platform{
			// The shapes shells print: user@host:~$ , [user@host ~]$ ,
			// user@host:~> (SUSE), user@host ~ % (zsh), host:~# (busybox,
			// Alpine), -bash-5.2$ and sh-5.1# (bash's and sh's defaults),
			// host% (csh), or a bare "$ ". The name captured is the part that
			// stays when the working directory changes.
			Modes: []Mode{
				{ModePrivileged, regexp.MustCompile(`^\[?(?P<host>` + linuxHost + `@` + linuxHost + `)[^\n]*?[$#>%]\s?$`)},
				{ModePrivileged, regexp.MustCompile(`^(?P<host>` + linuxHost + `):\S*?[$#>%]\s?$`)},
				{ModePrivileged, regexp.MustCompile(`^(?P<host>` + linuxHost + `)[$#>%]\s?$`)},
				{ModePrivileged, regexp.MustCompile(`^[$#>%]\s?$`)},
			},
			CommandMode: ModePrivileged,
			FailureIndicators: []Indicator{
				{Text: "command not found"},
				{Text: ": not found"},
			},
			StatusCommand: `echo "rc=$?"`,
			StatusPattern: regexp.MustCompile(`(?m)^rc=(\d+)\s*$`),
			// HostnameChange nil: the prompt never shows a new name within one shell.
		}
	}),
}

// builtinPlatform is a built-in platform's names and, once built, the
// platform.
type builtinPlatform struct {
	name    string
	aliases []string
	get     func() *Platform
}

func builtin(name string, aliases []string, build func() *Platform) *builtinPlatform {
	return &builtinPlatform{name: name, aliases: aliases, get: sync.OnceValue(func() *Platform {
		p := build()
		p.Name, p.Aliases = name, aliases
		return p
	})}
}

// LookupPlatform returns the platform with this canonical name or alias
// (case-insensitive, '-' and '_' equivalent): a built-in one, else one
// added with RegisterPlatform.
func LookupPlatform(name string) (*Platform, bool) {
	n := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
	if p := builtinNamed(n); p != nil {
		return p, true
	}
	return lookupRegistered(n) // RegisterPlatform's, under its lock
}

// builtinNamed is the built-in platform with this normalized name or
// alias, or nil.
func builtinNamed(n string) *Platform {
	for _, b := range platforms {
		if b.name == n || slices.Contains(b.aliases, n) {
			return b.get()
		}
	}
	return nil
}

// Platforms returns the canonical platform names, sorted.
func Platforms() []string {
	names := make([]string, 0, len(platforms))
	for _, b := range platforms {
		names = append(names, b.name)
	}
	slices.Sort(names)
	return names
}

// modeOf names the mode whose prompt matches line, and the device name the
// prompt shows. ok is false when line is not a prompt of this platform.
func (p *Platform) modeOf(line string) (mode, hostname string, ok bool) {
	for _, m := range p.Modes {
		sub := m.Prompt.FindStringSubmatch(line)
		if sub == nil {
			continue
		}
		if i := m.Prompt.SubexpIndex("host"); i >= 0 {
			hostname = sub[i]
		}
		if utf8.RuneCountInString(hostname) > maxHostLen {
			continue // a long word ending in '#' is output, not a prompt
		}
		return m.Name, hostname, true
	}
	return "", "", false
}

// path returns the transitions leading from one mode to another (breadth
// first, so the shortest walk), or nil when there is none.
func (p *Platform) path(from, to string) []Transition {
	if from == to {
		return []Transition{}
	}
	type node struct {
		mode string
		via  []Transition
	}
	seen := map[string]bool{from: true}
	queue := []node{{mode: from}}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, t := range p.Transitions {
			if t.From != n.mode || seen[t.To] {
				continue
			}
			via := append(slices.Clone(n.via), t)
			if t.To == to {
				return via
			}
			seen[t.To] = true
			queue = append(queue, node{mode: t.To, via: via})
		}
	}
	return nil
}

// failure returns the first indicator found in output and the lines that
// hold it.
func (p *Platform) failure(output string) (by, text string, failed bool) {
	for _, ind := range p.FailureIndicators {
		idx := indexIndicator(output, ind)
		if idx < 0 {
			continue
		}
		start := strings.LastIndexByte(output[:idx], '\n') + 1
		end := strings.IndexByte(output[idx:], '\n')
		if end < 0 {
			end = len(output)
		} else {
			end += idx
		}
		return ind.Text, strings.TrimSpace(output[start:end]), true
	}
	return "", "", false
}

// indexIndicator finds ind in output without regard to case. It runs on
// every response, so it allocates nothing.
func indexIndicator(output string, ind Indicator) int {
	if !ind.LineStart {
		for i := 0; i+len(ind.Text) <= len(output); i++ {
			if hasPrefixFold(output[i:], ind.Text) {
				return i
			}
		}
		return -1
	}
	off := 0
	for off <= len(output) {
		line := output[off:]
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		trimmed := strings.TrimLeft(line, " \t")
		if hasPrefixFold(trimmed, ind.Text) {
			return off + len(line) - len(trimmed)
		}
		off += len(line) + 1
	}
	return -1
}

// hasPrefixFold is strings.HasPrefix without regard to case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
