package tasks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
)

// ConfigReaderKind is the step `runbook audit` adds to every device: it
// reads the running configuration the way a backup step does (the same
// command, the same cleaning), and hands it to Deliver instead of writing
// it, so that the compliance rules see exactly what a backup of the device
// holds. It changes nothing, on the device or on disk; its step output is
// empty (a configuration holds password hashes), its message says how much
// was read.
type ConfigReaderKind struct {
	// Deliver receives the host's configuration; it is called from the
	// device's goroutine, once per successful read (again on a retry).
	Deliver func(host, platform, config string)
}

// Changes implements Kind: reading changes nothing.
func (ConfigReaderKind) Changes() bool { return false }

// Decode implements Kind; the step has no attributes.
func (k ConfigReaderKind) Decode(body hclv2.Body, _ *hclv2.EvalContext) (any, hclv2.Diagnostics) {
	var diags hclv2.Diagnostics
	if body != nil {
		_, diags = body.Content(&hclv2.BodySchema{})
	}
	return &configReader{deliver: k.Deliver}, diags
}

type configReader struct {
	deliver func(host, platform, config string)
}

// Describe implements Action.
func (a *configReader) Describe() []string {
	return []string{"(read the running configuration for the compliance rules)"}
}

// Run implements Action.
func (a *configReader) Run(ctx context.Context, conn Conn, env *Env) (*Result, error) {
	cmd, resp, err := readConfig(ctx, conn, env, false)
	if err != nil {
		return nil, fmt.Errorf("read configuration: %w", err)
	}
	if resp.Failed {
		return &Result{Failed: true, Message: failMessage("command", resp)}, nil
	}
	cfg := cleanConfig(resp.Output)
	if strings.TrimSpace(cfg) == "" {
		return &Result{Failed: true, Message: fmt.Sprintf("command %q returned no configuration", cmd)}, nil
	}
	host, platform := conn.Hostname(), conn.Platform()
	if env != nil {
		if env.HostName != "" {
			host = env.HostName
		}
		if env.Platform != "" {
			platform = env.Platform
		}
	}
	if a.deliver != nil {
		a.deliver(host, platform, cfg)
	}
	return &Result{Message: fmt.Sprintf("read %d lines of configuration", strings.Count(cfg, "\n"))}, nil
}

// ErrNoBackup: a host has no backup in the directory given.
var ErrNoBackup = errors.New("no backup")

// LatestBackup returns the path of the newest backup of host that a
// backup step wrote under dir (dir/<host>/<host>-<UTC time>.cfg, a
// same-second suffix counting as newer). Files not named like backups are
// ignored. The error wraps ErrNoBackup when there is none.
func LatestBackup(dir, host string) (string, error) {
	name := safeName(host)
	hostDir := filepath.Join(dir, name)
	backups, err := listBackups(hostDir, name)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if len(backups) == 0 {
		return "", fmt.Errorf("%w of %s in %s", ErrNoBackup, host, hostDir)
	}
	return filepath.Join(hostDir, backups[len(backups)-1]), nil
}
