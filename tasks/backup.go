package tasks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/runbook-dev/runbook/driver"

	"github.com/runbook-dev/runbook/internal/atomicfile"
)

// backup { dir, keep } -> path: the running-config written to
// dir/<host>/<host>-<UTC timestamp>.cfg, whole or not at all.
type backupKind struct{}

var backupSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{
		{Name: "dir", Required: true},
		{Name: "keep"},
	},
}

// backupStamp sorts lexically in time order, which pruning relies on.
const backupStamp = "20060102T150405Z"

// maxSameSecond bounds the backups of one host in one second.
const maxSameSecond = 1000

// Backup changes nothing on the device, so `runbook check` runs it.
func (backupKind) Changes() bool { return false }

func (backupKind) Decode(body hclv2.Body, ctx *hclv2.EvalContext) (any, hclv2.Diagnostics) {
	content, diags := body.Content(backupSchema)
	a := &Backup{}
	var d hclv2.Diagnostics
	a.dir, d = requiredString(content.Attributes, "dir", ctx)
	diags = append(diags, d...)
	if a.dir.known && strings.TrimSpace(a.dir.s) == "" {
		diags = append(diags, attrDiag(content.Attributes["dir"], "Invalid backup directory", `The argument "dir" must not be empty.`))
	}
	a.keepKnown = true
	if attr, ok := content.Attributes["keep"]; ok {
		v, d := evalAttr(attr, ctx, cty.Number)
		diags = append(diags, d...)
		v, _ = v.UnmarkDeep()
		switch {
		case d.HasErrors():
		case !v.IsKnown():
			a.keepKnown = false
		case v.IsNull():
		default:
			n, acc := v.AsBigFloat().Int64()
			if !v.AsBigFloat().IsInt() || acc != 0 || n < 1 {
				diags = append(diags, attrDiag(attr, "Invalid keep value",
					fmt.Sprintf(`The argument "keep" must be a whole number of backups to keep, at least 1, not %s.`, v.AsBigFloat().Text('g', -1))))
			} else {
				a.keep = int(n)
			}
		}
	}
	return a, diags
}

// Backup saves the device's configuration to a local file.
type Backup struct {
	dir       text
	keep      int // 0: keep every backup
	keepKnown bool
}

// Describe implements Action.
func (a *Backup) Describe() []string {
	line := "(backup the running configuration to " + a.dir.show() + ")"
	if a.keep > 0 {
		line = fmt.Sprintf("(backup the running configuration to %s, keep %d)", a.dir.show(), a.keep)
	}
	return []string{line}
}

// readConfig asks the device for its configuration: show running-config,
// or on Junos show configuration (in set form when setForm). It returns
// the command sent; a rejected command is a failed response.
func readConfig(ctx context.Context, conn Conn, env *Env, setForm bool) (string, *driver.Response, error) {
	platform := conn.Platform()
	if platform == "" && env != nil {
		platform = env.Platform
	}
	cmd, err := configCommand(platform)
	if err != nil {
		return "", nil, err
	}
	if setForm && platform == "juniper_junos" {
		cmd += " | display set"
	}
	var opts []driver.SendOption
	if d := callTimeout(ctx); d > 0 {
		opts = append(opts, driver.WithTimeout(d))
	}
	resp, err := conn.SendCommand(ctx, cmd, opts...)
	if err == nil && !resp.Failed && strings.TrimSpace(resp.Output) != "" && !looksLikeConfig(platform, resp.Output) {
		// An error reply the indicators did not know ("Unknown command"
		// in a device's own words) is not a configuration: no backup of
		// it, no comparison with it.
		r := *resp
		r.Failed, r.FailedBy = true, "not a configuration"
		r.ErrorText = "the reply is not a configuration"
		if first := firstLine(resp.Output); first != "" {
			r.ErrorText += ": " + strconv.Quote(first)
		}
		resp = &r
	}
	return cmd, resp, err
}

// configMarkers begin lines that every running configuration of the
// IOS-like platforms has at least one of.
var configMarkers = []string{"hostname ", "switchname ", "version ", "interface ", "end", "!", "boot ", "feature ", "service ", "username ", "ntp ", "logging ", "snmp-server ", "ip ", "line ", "sysname ", "#", "/"}

// looksLikeConfig tells a configuration from an error message (an empty
// reply is judged by the caller): Junos shows "set" lines or braces, the others at least one line
// a configuration always has.
func looksLikeConfig(platform, out string) bool {
	for l := range strings.SplitSeq(out, "\n") {
		t := strings.TrimSpace(l)
		if platform == "juniper_junos" {
			if strings.HasPrefix(t, "set ") || strings.Contains(t, "{") || strings.HasPrefix(t, "version ") {
				return true
			}
			continue
		}
		for _, m := range configMarkers {
			if strings.HasPrefix(t, m) {
				return true
			}
		}
	}
	return false
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// configCommand is the command that prints the configuration, per platform.
func configCommand(platform string) (string, error) {
	if p, ok := driver.LookupPlatform(platform); ok && p.ShowConfig != "" {
		return p.ShowConfig, nil // a platform the playbook defined
	}
	switch platform {
	case "juniper_junos":
		return "show configuration", nil
	case "linux":
		return "", fmt.Errorf("platform linux has no running-config: %w", driver.ErrUnsupported)
	}
	return "show running-config", nil
}

// Run implements Action.
func (a *Backup) Run(ctx context.Context, conn Conn, env *Env) (*Result, error) {
	b, failed, err := a.read(ctx, conn, env)
	if err != nil || failed != nil {
		return failed, err
	}
	path, err := writeBackup(b.dir, b.name, env.now(), []byte(b.cfg))
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", b.host, err)
	}
	if a.keep > 0 {
		if err := pruneBackups(b.dir, b.name, a.keep); err != nil {
			return nil, fmt.Errorf("backup %s: %w", b.host, err)
		}
	}
	return &Result{Output: b.output, Path: path}, nil
}

// Check implements Checker: `runbook check` reads the configuration as
// apply would, so a device whose backup would fail fails the check too,
// but writes no file and rotates no backup away. Check changes nothing,
// on the device or on disk: six checks of a playbook with keep = 5 must
// not prune the backup the last apply took. The Result has no Path.
func (a *Backup) Check(ctx context.Context, conn Conn, env *Env) (*Result, error) {
	b, failed, err := a.read(ctx, conn, env)
	if err != nil || failed != nil {
		return failed, err
	}
	path := filepath.Join(b.dir, b.name+"-"+env.now().UTC().Format(backupStamp)+".cfg")
	msg := "check mode: backup not written; apply would write " + path
	if a.keep > 0 {
		existing, err := listBackups(b.dir, b.name)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("backup %s: %w", b.host, err)
		}
		if n := len(existing) + 1 - a.keep; n > 0 {
			msg += fmt.Sprintf(" and remove the %d oldest of %d backups (keep = %d)", n, len(existing), a.keep)
		}
	}
	return &Result{Output: b.output, Message: msg}, nil
}

// fetched is a configuration read for a backup, and where it goes.
type fetched struct {
	output, cfg string // as received; cleaned
	host, name  string // the host; its file-safe name
	dir         string // dir/<name>
}

// read fetches the configuration and works out where its backup goes.
// A rejected or empty answer comes back as a failed Result.
func (a *Backup) read(ctx context.Context, conn Conn, env *Env) (*fetched, *Result, error) {
	if !a.dir.known || !a.keepKnown {
		return nil, nil, errUnknown("backup", "dir or keep")
	}
	cmd, resp, err := readConfig(ctx, conn, env, false)
	if err != nil {
		return nil, nil, fmt.Errorf("backup: %w", err)
	}
	if resp.Failed {
		return nil, &Result{Output: resp.Output, Failed: true, Message: failMessage("command", resp)}, nil
	}
	b := &fetched{output: resp.Output, cfg: cleanConfig(resp.Output)}
	if strings.TrimSpace(b.cfg) == "" {
		// Writing an empty backup would rotate a good one out with keep.
		return nil, &Result{Output: resp.Output, Failed: true, Message: fmt.Sprintf("command %q returned no configuration", cmd)}, nil
	}
	if env != nil {
		b.host = env.HostName
	}
	if b.host == "" {
		b.host = conn.Hostname()
	}
	b.name = safeName(b.host)
	dir := a.dir.s
	if !filepath.IsAbs(dir) && env != nil && env.BaseDir != "" {
		dir = filepath.Join(env.BaseDir, dir)
	}
	b.dir = filepath.Join(dir, b.name)
	return b, nil, nil
}

// cleanConfig drops the IOS preamble "Building configuration..." which is
// progress chatter, not configuration; everything else is kept byte for
// byte so a restore gets exactly what the device printed.
func cleanConfig(out string) string {
	out = strings.TrimLeft(out, "\r\n")
	if rest, ok := strings.CutPrefix(out, "Building configuration..."); ok {
		out = strings.TrimLeft(rest, "\r\n")
	}
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return out
}

// safeName keeps a host name from escaping the backup directory.
func safeName(host string) string {
	r := strings.NewReplacer("/", "_", `\`, "_", "\x00", "_")
	host = r.Replace(host)
	if host == "" || host == "." || host == ".." {
		host = "_" + host
	}
	return host
}

// writeBackup writes data to dir/<name>-<stamp>.cfg whole or not at all,
// and on disk when it returns (atomicfile.WriteFile: a temporary file
// renamed into place, with the flushes shared between the backups being
// written at the same moment).
func writeBackup(dir, name string, now time.Time, data []byte) (string, error) {
	stamp := now.UTC().Format(backupStamp)
	path := filepath.Join(dir, name+"-"+stamp+".cfg")
	// Two backups in the same second (a retry, a second backup step) get a
	// suffix instead of overwriting the first. An error other than "does
	// not exist" (the directory cannot be made) is WriteFile's to report.
	for i := 1; ; i++ {
		if _, err := os.Lstat(path); err != nil {
			break
		}
		if i > maxSameSecond {
			return "", fmt.Errorf("%d backups of %s in the second %s already", maxSameSecond, name, stamp)
		}
		path = filepath.Join(dir, fmt.Sprintf("%s-%s-%d.cfg", name, stamp, i))
	}
	if err := atomicfile.WriteFile(path, data, 0o600, 0o750); err != nil {
		return "", err
	}
	return path, nil
}

// pruneBackups keeps the keep newest backups of the host. Only files named
// like our backups are considered, so nothing else in dir is touched.
func pruneBackups(dir, name string, keep int) error {
	backups, err := listBackups(dir, name)
	if err != nil {
		return err
	}
	if len(backups) <= keep {
		return nil
	}
	var errs []error
	for _, n := range backups[:len(backups)-keep] {
		if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// listBackups returns the host's backups in dir, oldest first. Only files
// named like our backups count, so nothing else in dir is ever touched.
func listBackups(dir, name string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var backups []string
	prefix := name + "-"
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(n, prefix) && strings.HasSuffix(n, ".cfg") && isStamp(n[len(prefix):]) {
			backups = append(backups, n)
		}
	}
	slices.SortFunc(backups, func(x, y string) int { return strings.Compare(backupKey(x, prefix), backupKey(y, prefix)) })
	return backups, nil
}

// isStamp reports whether s starts with a backup timestamp.
func isStamp(s string) bool {
	if len(s) < len(backupStamp) {
		return false
	}
	_, err := time.Parse(backupStamp, s[:len(backupStamp)])
	return err == nil
}

// backupKey orders backups by time, then by same-second suffix (-1, -2,
// ... numerically, so that -10 sorts after -9).
func backupKey(n, prefix string) string {
	rest := strings.TrimSuffix(n[len(prefix):], ".cfg")
	stamp, suffix := rest[:len(backupStamp)], strings.TrimPrefix(rest[len(backupStamp):], "-")
	return fmt.Sprintf("%s-%09s", stamp, suffix)
}
