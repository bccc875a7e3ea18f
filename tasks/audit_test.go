package tasks

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestConfigReader(t *testing.T) {
	ctx := context.Background()
	got := map[string]string{}
	kind := ConfigReaderKind{Deliver: func(host, platform, cfg string) { got[host+"/"+platform] = cfg }}
	if kind.Changes() {
		t.Error("the config reader changes devices")
	}
	act, diags := kind.Decode(nil, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	a := act.(Action)
	if d := a.Describe(); len(d) != 1 || !strings.Contains(d[0], "read the running configuration") {
		t.Errorf("Describe = %q", d)
	}

	conn := &fakeConn{platform: "cisco_ios", outputs: map[string]string{
		"show running-config": "Building configuration...\n\nhostname r1\nsnmp-server community s3cret RO\nend",
	}}
	res, err := a.Run(ctx, conn, &Env{HostName: "r1", Platform: "cisco_ios"})
	if err != nil || res.Failed {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	if diff := cmp.Diff(map[string]string{"r1/cisco_ios": "hostname r1\nsnmp-server community s3cret RO\nend\n"}, got); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	// The configuration is delivered, never put in the step's output,
	// which goes to reports.
	if res.Output != "" || strings.Contains(res.Message, "s3cret") || res.Message != "read 3 lines of configuration" {
		t.Errorf("result = %+v", res)
	}
	if c := conn.calls; len(c) != 1 || c[0] != "cmd show running-config" {
		t.Errorf("calls = %q", c)
	}

	// Junos reads show configuration; the host name comes from the
	// connection without an Env.
	clear(got)
	jconn := &fakeConn{platform: "juniper_junos", outputs: map[string]string{"show configuration": "system { host-name j1; }\n"}}
	if res, err := a.Run(ctx, jconn, nil); err != nil || res.Failed {
		t.Fatalf("junos: %+v %v", res, err)
	}
	if got["core1/juniper_junos"] != "system { host-name j1; }\n" {
		t.Errorf("junos delivered %q", got)
	}

	// A refused command, an empty answer and a transport error deliver
	// nothing.
	clear(got)
	for name, c := range map[string]*fakeConn{
		"rejected": {platform: "cisco_ios", reject: regexp.MustCompile("running"), outputs: map[string]string{}},
		"empty":    {platform: "cisco_ios", outputs: map[string]string{"show running-config": "Building configuration...\n"}},
	} {
		res, err := a.Run(ctx, c, &Env{HostName: "r1"})
		if err != nil || !res.Failed || res.Message == "" {
			t.Errorf("%s: %+v %v", name, res, err)
		}
	}
	boom := errors.New("session dropped")
	if _, err := a.Run(ctx, &fakeConn{platform: "cisco_ios", err: boom}, &Env{HostName: "r1"}); !errors.Is(err, boom) {
		t.Errorf("transport error: %v", err)
	}
	if _, err := a.Run(ctx, &fakeConn{platform: "linux"}, &Env{HostName: "r1"}); err == nil {
		t.Error("linux has no configuration, want an error")
	}
	if len(got) != 0 {
		t.Errorf("delivered after failures: %q", got)
	}
}

func TestLatestBackup(t *testing.T) {
	dir := t.TempDir()
	if _, err := LatestBackup(dir, "r1"); !errors.Is(err, ErrNoBackup) {
		t.Fatalf("no directory: %v", err)
	}
	t0 := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)
	var paths []string
	for _, d := range []time.Duration{0, time.Hour, time.Hour, 2 * time.Hour} {
		p, err := writeBackup(filepath.Join(dir, "r1"), "r1", t0.Add(d), []byte("hostname r1\n"))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	// Not backups: another host's prefix, a stray file, a later name that
	// is not a timestamp.
	for _, n := range []string{"r10-20991231T000000Z.cfg", "notes.txt", "r1-latest.cfg"} {
		if err := os.WriteFile(filepath.Join(dir, "r1", n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := LatestBackup(dir, "r1")
	if err != nil || got != paths[3] {
		t.Errorf("LatestBackup = %q, %v; want %q", got, err, paths[3])
	}
	if err := os.Remove(paths[3]); err != nil {
		t.Fatal(err)
	}
	// Two in the same second: the suffixed one is newer.
	if got, _ := LatestBackup(dir, "r1"); got != paths[2] || !strings.HasSuffix(got, "-1.cfg") {
		t.Errorf("same second: %q, want %q", got, paths[2])
	}
	if _, err := LatestBackup(dir, "r2"); !errors.Is(err, ErrNoBackup) {
		t.Errorf("another host: %v", err)
	}
	// A host name cannot leave the directory.
	if _, err := LatestBackup(dir, "../r1"); !errors.Is(err, ErrNoBackup) {
		t.Errorf("../r1: %v", err)
	}
}
