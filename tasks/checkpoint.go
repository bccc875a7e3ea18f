package tasks

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"

	"github.com/runbook-dev/runbook/config"
	"github.com/runbook-dev/runbook/driver"
)

// checkpoint { name, file }: a restore point on the device, taken with the
// platform's own mechanism, that a top-level `rollback { to = ... }`
// restores when a later step fails:
//
//	cisco_ios, arista_eos  copy running-config FILE      / configure replace FILE [force]
//	cisco_nxos             checkpoint NAME               / rollback running-config checkpoint NAME
//	juniper_junos          the commit history (entry 0)  / rollback N + commit
//
// The step also reads the running configuration, so that a restore can be
// verified against it.
type checkpointKind struct{}

var checkpointSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{
		{Name: "name"},
		{Name: "file"},
	},
}

// A checkpoint changes no configuration; in check mode it is not taken
// (Check), as check writes nothing anywhere.
func (checkpointKind) Changes() bool { return false }

// validCheckpointName says whether s is what NX-OS accepts as a
// checkpoint name and what is safe in a file name on flash: 1 to 64
// letters, digits, '.', '_' or '-', a letter or digit first. (As a regexp,
// the {0,63} compiled into 64 copies of its class: 60 KB at every start.)
func validCheckpointName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '-') {
			return false
		}
	}
	return true
}

func (checkpointKind) Decode(body hclv2.Body, ctx *hclv2.EvalContext) (any, hclv2.Diagnostics) {
	content, diags := body.Content(checkpointSchema)
	a := &Checkpointer{}
	var d hclv2.Diagnostics
	var ok bool
	a.name, ok, d = stringAttr(content.Attributes, "name", ctx)
	diags = append(diags, d...)
	if ok && a.name.known && !validCheckpointName(a.name.s) {
		diags = append(diags, attrDiag(content.Attributes["name"], "Invalid checkpoint name",
			fmt.Sprintf("%q cannot name a checkpoint: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (the name becomes a file or checkpoint on the device).", a.name.s)))
	}
	a.file, ok, d = stringAttr(content.Attributes, "file", ctx)
	diags = append(diags, d...)
	if ok && a.file.known && (strings.ContainsAny(a.file.s, " \t\r\n") || !strings.Contains(a.file.s, ":")) {
		diags = append(diags, attrDiag(content.Attributes["file"], "Invalid checkpoint file",
			fmt.Sprintf("%q is not a file on the device: write it as FILESYSTEM:NAME without spaces, e.g. \"bootflash:runbook-before.cfg\".", a.file.s)))
	}
	return a, diags
}

// Checkpointer is a decoded checkpoint step.
type Checkpointer struct {
	name, file text
}

// Checkpoint is a restore point taken on one device.
type Checkpoint struct {
	Platform string
	// Name is the device-side name: a file (IOS, EOS), a checkpoint
	// (NX-OS), or the commit history entry (Junos: its time, user and
	// client, as `show system commit` prints them).
	Name string
	// Config is the running configuration read when it was taken,
	// cleaned as backups are; a restore must bring it back.
	Config string
	// history is, on Junos, the whole commit history when it was taken
	// (Name is its first entry): entries name commits to the second, so
	// the sequence tells two commits of one second apart.
	history []string
}

// names are the checkpoint's device-side name (runbook-STEP unless set)
// and file (flash:NAME.cfg unless set).
func (a *Checkpointer) names(env *Env) (name, file string, err error) {
	name = "runbook"
	if env != nil && env.Step != "" {
		name += "-" + env.Step
	}
	if a.name.set {
		if !a.name.known {
			return "", "", errUnknown("checkpoint", "name")
		}
		name = a.name.s
	}
	file = "flash:" + name + ".cfg"
	if a.file.set {
		if !a.file.known {
			return "", "", errUnknown("checkpoint", "file")
		}
		file = a.file.s
	}
	return name, file, nil
}

// Describe implements Action.
func (a *Checkpointer) Describe() []string {
	return []string{fmt.Sprintf("(take a restore point: %s)", a.show())}
}

func (a *Checkpointer) show() string {
	name, file := "runbook-STEP", "flash:NAME.cfg"
	if a.name.set {
		name = a.name.show()
		file = "flash:" + name + ".cfg"
	}
	if a.file.set {
		file = a.file.show()
	}
	return fmt.Sprintf("file %s on IOS and EOS, checkpoint %s on NX-OS, the commit history on Junos", file, name)
}

// DescribeFor implements HostDescriber: the commands on this host's
// platform, and how the restore point is restored.
func (a *Checkpointer) DescribeFor(env *Env) []string {
	name, file, err := a.names(env)
	if err != nil {
		return a.Describe()
	}
	switch platformOf(nil, env) {
	case "cisco_ios":
		return []string{"copy running-config " + file, "(restored with: configure replace " + file + " force)"}
	case "arista_eos":
		return []string{"copy running-config " + file, "(restored with: configure replace " + file + ")"}
	case "cisco_nxos":
		return []string{"checkpoint " + name, "(restored with: rollback running-config checkpoint " + name + ")"}
	case "juniper_junos":
		return []string{"show system commit", "(restored with: rollback N + commit, N = the commits made since)"}
	}
	_, err = checkpointHow(platformOf(nil, env), name, file)
	return []string{"(" + err.Error() + ")"}
}

// Check implements Checker: check mode takes no restore point.
func (a *Checkpointer) Check(_ context.Context, conn Conn, env *Env) (*Result, error) {
	name, file, err := a.names(env)
	if err != nil {
		return nil, err
	}
	how, err := checkpointHow(platformOf(conn, env), name, file)
	if err != nil {
		return nil, err
	}
	return &Result{Message: "would take a restore point: " + how + " (check mode takes none)"}, nil
}

// checkpointHow says in words what a checkpoint is on the platform, or
// that it has none.
func checkpointHow(platform, name, file string) (string, error) {
	switch platform {
	case "cisco_ios", "arista_eos":
		return "copy running-config " + file, nil
	case "cisco_nxos":
		return "checkpoint " + name, nil
	case "juniper_junos":
		return "the commit history", nil
	}
	return "", fmt.Errorf("checkpoint: platform %s has no restore point runbook can take: %w", platform, driver.ErrUnsupported)
}

func platformOf(conn Conn, env *Env) string {
	if conn != nil && conn.Platform() != "" {
		return conn.Platform()
	}
	if env != nil {
		return env.Platform
	}
	return ""
}

var (
	copyQuestions = []driver.SendOption{
		driver.WithAnswer(regexp.MustCompile(`Destination filename \[[^\]]*\]\??\s*$`), ""),
		driver.WithAnswer(regexp.MustCompile(`(?i)over\s*write\??.*\[confirm\]\s*$`), ""),
	}
	alreadyInUse = regexp.MustCompile(`(?i)\bin use\b|already exists`)
)

// Run implements Action: it reads the running configuration, then takes
// the restore point. Result.Checkpoint carries it to the engine.
func (a *Checkpointer) Run(ctx context.Context, conn Conn, env *Env) (*Result, error) {
	name, file, err := a.names(env)
	if err != nil {
		return nil, err
	}
	platform := platformOf(conn, env)
	if _, err := checkpointHow(platform, name, file); err != nil {
		return nil, err
	}
	_, resp, err := readConfig(ctx, conn, env, true)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: read the configuration: %w", err)
	}
	if resp.Failed {
		return &Result{Output: resp.Output, Failed: true, Message: "checkpoint: " + failMessage("command", resp)}, nil
	}
	cp := &Checkpoint{Platform: platform, Config: cleanConfig(resp.Output)}
	dl := &dialogue{ctx: ctx, conn: conn}
	send := dl.send
	var r *driver.Response
	switch platform {
	case "cisco_ios", "arista_eos":
		cp.Name = file
		r, err = send("copy running-config "+file, copyQuestions...)
	case "cisco_nxos":
		cp.Name = name
		r, err = send("checkpoint " + name)
		if err == nil && r.Failed && alreadyInUse.MatchString(r.Output) {
			// Left by an earlier run: replace it.
			if _, err = send("no checkpoint " + name); err == nil {
				r, err = send("checkpoint " + name)
			}
		}
	case "juniper_junos":
		r, err = send("show system commit")
		if err == nil && !r.Failed {
			entries := junosCommits(r.Output)
			if len(entries) == 0 {
				return &Result{Output: dl.transcript(), Failed: true,
					Message: "checkpoint: `show system commit` listed no commit to return to"}, nil
			}
			cp.Name, cp.history = entries[0], entries
		}
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	res := &Result{Output: dl.transcript()}
	if r.Failed {
		res.Failed, res.Message = true, "checkpoint: "+failMessage("command", r)
		return res, nil
	}
	res.Checkpoint = cp
	res.Message = "restore point: " + cp.Name
	return res, nil
}

// dialogue sends a checkpoint's, restore's or confirm's commands within
// the step's deadline and keeps their transcript for the step's output.
type dialogue struct {
	ctx  context.Context
	conn Conn
	outs []string
}

func (d *dialogue) send(cmd string, opts ...driver.SendOption) (*driver.Response, error) {
	if t := callTimeout(d.ctx); t > 0 {
		opts = append(opts, driver.WithTimeout(t))
	}
	r, err := d.conn.SendCommand(d.ctx, cmd, opts...)
	if err == nil {
		d.outs = append(d.outs, transcriptOf(r))
	}
	return r, err
}

// configure sends lines in configuration mode (with the platform's
// commit, which is the point on Junos).
func (d *dialogue) configure(lines []string) (*driver.MultiResponse, error) {
	var opts []driver.ConfigOption
	if t := callTimeout(d.ctx); t > 0 {
		opts = append(opts, driver.WithConfigTimeout(t))
	}
	mr, err := d.conn.SendConfigSet(d.ctx, lines, opts...)
	if mr != nil {
		for _, r := range mr.Responses {
			d.outs = append(d.outs, transcriptOf(r))
		}
	}
	return mr, err
}

func (d *dialogue) transcript() string { return strings.Join(d.outs, "\n") }

// transcriptOf renders one exchange for a step's output: the command,
// then what the device answered.
func transcriptOf(r *driver.Response) string {
	cmd := r.Command
	if r.Redacted {
		cmd = Sensitive
	}
	if r.Output == "" {
		return "> " + cmd
	}
	return "> " + cmd + "\n" + r.Output
}

// junosCommits reads `show system commit`: each entry's time, user and
// client ("2026-11-27 03:10:00 UTC by admin via cli"), newest first, without
// its number (which shifts with every commit) and without what Junos
// appends after the client (a pending "commit confirmed, rollback in
// 5mins", a comment), which changes when the commit is confirmed.
func junosCommits(out string) []string {
	var entries []string
	for _, line := range commitLines(out) {
		f := strings.Fields(line)[1:]
		for i, w := range f {
			if w == "via" && i+1 < len(f) {
				f = f[:i+2]
				break
			}
		}
		entries = append(entries, strings.Join(f, " "))
	}
	return entries
}

// restoreCommands restore a checkpoint with one command (its name
// formatted in) and, where the device says so, the text that means it
// worked; EOS prints nothing.
var restoreCommands = map[string]struct{ command, success string }{
	"cisco_ios":  {"configure replace %s force", "Rollback Done"},
	"arista_eos": {"configure replace %s", ""},
	"cisco_nxos": {"rollback running-config checkpoint %s", "completed successfully"},
}

// Restore brings the device back to the checkpoint with the platform's
// mechanism, then reads the running configuration and compares it with
// the one the checkpoint read. The result is Failed when the device
// rejected the restore or the configurations still differ (Diff then shows
// how); otherwise Diff shows what the restore undid. Output is the
// restore's transcript.
func Restore(ctx context.Context, conn Conn, env *Env, cp *Checkpoint) (*Result, error) {
	p := config.Lookup(cp.Platform)
	want := config.Parse(p, cp.Config)
	res := &Result{}
	dl := &dialogue{ctx: ctx, conn: conn}
	defer func() { res.Output = dl.transcript() }()
	send := func(cmd string) (*driver.Response, error) { return dl.send(cmd) }
	fail := func(r *driver.Response) (*Result, error) {
		res.Failed, res.Message = true, "restore: "+failMessage("command", r)
		return res, nil
	}
	// IOS and NX-OS say when a restore worked; anything else (IOS's
	// "Error: Could not open file ...", which has no "%") is a refusal.
	unconfirmed := func(r *driver.Response, success string) bool {
		if r.Failed || strings.Contains(r.Output, success) {
			return false
		}
		why := strings.TrimSpace(r.Output)
		if i := strings.IndexByte(why, '\n'); i >= 0 {
			why = why[:i]
		}
		if why == "" {
			why = "no " + strconv.Quote(success) + " from the device"
		}
		r2 := *r
		r2.Failed, r2.ErrorText = true, why
		_, _ = fail(&r2)
		return true
	}

	_, resp, err := readConfig(ctx, conn, env, true)
	if err != nil {
		return nil, fmt.Errorf("restore: read the configuration: %w", err)
	}
	var before *config.Config
	if !resp.Failed {
		before = config.Parse(p, cleanConfig(resp.Output))
	}

	switch cp.Platform {
	case "cisco_ios", "arista_eos", "cisco_nxos":
		how := restoreCommands[cp.Platform]
		r, err := send(fmt.Sprintf(how.command, cp.Name))
		if err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
		if r.Failed {
			return fail(r)
		}
		if how.success != "" && unconfirmed(r, how.success) {
			return res, nil
		}
	case "juniper_junos":
		r, err := send("show system commit")
		if err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
		if r.Failed {
			return fail(r)
		}
		n := commitsSince(junosCommits(r.Output), cp)
		if n < 0 {
			res.Failed = true
			res.Message = fmt.Sprintf("restore: the commit of the checkpoint (%s) is no longer in the commit history", cp.Name)
			return res, nil
		}
		if n > 0 {
			mr, err := dl.configure([]string{fmt.Sprintf("rollback %d", n)})
			if err != nil {
				return nil, fmt.Errorf("restore: %w", err)
			}
			if f := mr.FirstFailure(); f != nil {
				return fail(f)
			}
		}
	default:
		return nil, fmt.Errorf("restore: platform %s has no restore point: %w", cp.Platform, driver.ErrUnsupported)
	}

	_, resp, err = readConfig(ctx, conn, env, true)
	if err != nil {
		return nil, fmt.Errorf("restore: read the configuration to verify it: %w", err)
	}
	if resp.Failed {
		res.Failed, res.Message = true, "restore: could not verify: "+failMessage("command", resp)
		return res, nil
	}
	after := config.Parse(p, cleanConfig(resp.Output))
	if left := config.Diff(want, after); len(left) > 0 {
		res.Failed = true
		res.Diff = config.FormatDiff(left)
		res.Message = fmt.Sprintf("restore: the running configuration still differs from the checkpoint in %d lines (the diff goes from the checkpoint to the device)", len(left))
		return res, nil
	}
	if before != nil {
		res.Diff = config.FormatDiff(config.Diff(before, after))
	}
	res.Changed = res.Diff != ""
	res.Message = "restored " + cp.Name + "; the running configuration equals the checkpoint"
	return res, nil
}

// commitsSince is how many commits the history now has on top of the
// checkpoint's entry, or -1 when it is gone: the first position from which
// the history reads as it did when the checkpoint was taken (as far as
// both go: the device keeps 50 entries).
func commitsSince(now []string, cp *Checkpoint) int {
	old := cp.history
	if len(old) == 0 {
		old = []string{cp.Name}
	}
	for k := range now {
		m := min(len(old), len(now)-k)
		if slices.Equal(now[k:k+m], old[:m]) {
			return k
		}
	}
	return -1
}

// pendingConfirm is how Junos marks a commit that reverts unless
// confirmed, in `show system commit`.
var pendingConfirm = regexp.MustCompile(`(?i)commit confirmed, rollback in`)

// ErrNotConfirmed says that a confirm came too late: the device's timer
// fired first and it reverted the change by itself.
var ErrNotConfirmed = errors.New("the confirm timer fired before the confirm: the device reverted the change by itself")

// Confirm confirms the changes committed with a confirm timer
// (driver.WithCommitConfirmed): on Junos a plain commit. It first checks
// that a confirmed commit is still pending; when the timer already fired,
// the change is gone and Confirm reports it (Failed, ErrNotConfirmed's
// text) instead of committing.
func Confirm(ctx context.Context, conn Conn) (*Result, error) {
	res := &Result{}
	dl := &dialogue{ctx: ctx, conn: conn}
	r, err := dl.send("show system commit")
	if err != nil {
		return nil, fmt.Errorf("confirm: %w", err)
	}
	switch {
	case r.Failed:
		res.Failed, res.Message = true, "confirm: "+failMessage("command", r)
	case !pendingConfirm.MatchString(firstCommit(r.Output)):
		res.Failed, res.Message = true, "confirm: "+ErrNotConfirmed.Error()
	default:
		mr, err := dl.configure(nil)
		if err != nil {
			return nil, fmt.Errorf("confirm: %w", err)
		}
		if f := mr.FirstFailure(); f != nil {
			res.Failed, res.Message = true, "confirm: "+failMessage("command", f)
		} else {
			res.Message = "confirmed: the device keeps the change"
		}
	}
	res.Output = dl.transcript()
	return res, nil
}

// commitLines are the entry lines of `show system commit` as printed: a
// number, then the entry (comment lines are indented, without a number).
func commitLines(out string) []string {
	var lines []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			if _, err := strconv.Atoi(f[0]); err == nil {
				lines = append(lines, line)
			}
		}
	}
	return lines
}

// firstCommit is the newest entry of `show system commit`, as printed.
func firstCommit(out string) string {
	if l := commitLines(out); len(l) > 0 {
		return l[0]
	}
	return ""
}
