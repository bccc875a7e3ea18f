package driver_test

// Tests against the lab fleet: real SSH servers on 127.0.0.1 simulating
// each platform's CLI, with fault injection. No mocks: every test goes
// through x/crypto/ssh, a PTY channel and the device's CLI state machine.

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/lab"
)

const (
	labUser   = "admin"
	labPass   = "lab-Passw0rd-1"
	labSecret = "lab-En4ble-2"
)

// startFleet starts a fleet with lab credentials filled in and stops it
// when the test ends.
func startFleet(t testing.TB, devs ...lab.DeviceSpec) *lab.Fleet {
	t.Helper()
	for i := range devs {
		if devs[i].Username == "" {
			devs[i].Username = labUser
		}
		if devs[i].Password == "" {
			devs[i].Password = labPass
		}
		if devs[i].Secret == "" {
			devs[i].Secret = labSecret
		}
	}
	f, err := lab.StartFleet(context.Background(), lab.FleetSpec{Devices: devs, Seed: "driver-tests"})
	if err != nil {
		t.Fatalf("StartFleet: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// labConfig is a strict-host-key Config for d: its key is written to a
// known_hosts file first, so the lab tests exercise known_hosts too.
// hangGuard is a context cancelled after a long while. It keeps a broken
// driver from hanging the test and bounds nothing: being a cancellation,
// not a deadline, it can never pass for one of the driver's timeouts.
func hangGuard(t testing.TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	tm := time.AfterFunc(30*time.Second, cancel)
	t.Cleanup(func() { tm.Stop(); cancel() })
	return ctx
}

func labConfig(t testing.TB, d *lab.Device) driver.Config {
	t.Helper()
	kh := filepath.Join(t.TempDir(), "known_hosts")
	line := "[127.0.0.1]:" + itoa(d.Port()) + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(d.HostKey())))
	if err := os.WriteFile(kh, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return driver.Config{
		Name:           d.Name(),
		Address:        "127.0.0.1",
		Port:           d.Port(),
		Platform:       d.Platform(),
		Username:       labUser,
		Password:       labPass,
		Secret:         labSecret,
		KnownHostsFile: kh,
		ConnectTimeout: 5 * time.Second,
		CommandTimeout: 5 * time.Second,
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func open(t testing.TB, cfg driver.Config) *driver.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := driver.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open %s: %v", cfg.Name, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// waitSessions waits for the device to see n open sessions: the server
// notices a closed connection asynchronously.
func waitSessions(t *testing.T, d *lab.Device, n int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for d.Sessions() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d sessions open, want %d", d.Name(), d.Sessions(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type platformCase struct {
	platform    string
	show        string // a command with output
	showWant    string // text in its output
	bad         string // a command the device rejects
	indicator   string
	config      []string
	configWant  string // text in RunningConfig after config
	badConfig   string
	hostnameCfg []string // sets the hostname to "renamed1"
	pipeShow    string   // a show whose output holds configWant
}

var platformCases = []platformCase{
	{
		platform: "cisco_ios", show: "show version", showWant: "Cisco IOS Software",
		bad: "show bogus-thing", indicator: "% Invalid input",
		config:     []string{"ntp server 10.9.9.9", "interface GigabitEthernet0/1", " description uplink to core"},
		configWant: "ntp server 10.9.9.9", badConfig: "bogus configuration line",
		hostnameCfg: []string{"hostname renamed1"},
		pipeShow:    "show running-config | include ntp",
	},
	{
		platform: "cisco_xe", show: "show version", showWant: "Cisco IOS",
		bad: "show bogus-thing", indicator: "% Invalid input",
		config: []string{"ntp server 10.9.9.9"}, configWant: "ntp server 10.9.9.9", badConfig: "bogus configuration line",
		hostnameCfg: []string{"hostname renamed1"},
		pipeShow:    "show running-config | include ntp",
	},
	{
		platform: "cisco_nxos", show: "show version", showWant: "NX-OS",
		bad: "show bogus-thing", indicator: "% Invalid command",
		config: []string{"ntp server 10.9.9.9"}, configWant: "ntp server 10.9.9.9", badConfig: "bogus configuration line",
		hostnameCfg: []string{"hostname renamed1"},
		pipeShow:    "show running-config | include ntp",
	},
	{
		platform: "arista_eos", show: "show version", showWant: "Arista",
		bad: "show bogus-thing", indicator: "% Invalid input",
		config: []string{"ntp server 10.9.9.9"}, configWant: "ntp server 10.9.9.9", badConfig: "bogus configuration line",
		hostnameCfg: []string{"hostname renamed1"},
		pipeShow:    "show running-config | include ntp",
	},
	{
		platform: "juniper_junos", show: "show version", showWant: "Junos:",
		bad: "show bogus-thing", indicator: "syntax error",
		config:     []string{"set system ntp server 10.9.9.9"},
		configWant: "10.9.9.9", badConfig: "bogus configuration line",
		hostnameCfg: []string{"set system host-name renamed1"},
		pipeShow:    "show configuration system ntp",
	},
	{
		platform: "linux", show: "uname -a", showWant: "Linux",
		bad: "bogus-command", indicator: "command not found",
		config: []string{"echo one", "echo two"}, badConfig: "bogus-command",
	},
}

func TestLabPlatforms(t *testing.T) {
	var specs []lab.DeviceSpec
	for _, pc := range platformCases {
		specs = append(specs, lab.DeviceSpec{Name: "dev-" + strings.ReplaceAll(pc.platform, "_", "-"), Platform: pc.platform})
	}
	f := startFleet(t, specs...)
	for i, pc := range platformCases {
		t.Run(pc.platform, func(t *testing.T) {
			t.Parallel()
			d := f.Device(specs[i].Name)
			var tr syncBuffer
			cfg := labConfig(t, d)
			cfg.Transcript = &tr
			s := open(t, cfg)
			ctx := context.Background()
			canon, _ := driver.LookupPlatform(pc.platform)
			if s.Platform() != canon.Name {
				t.Errorf("Platform() = %q, want %q", s.Platform(), canon.Name)
			}
			if s.Hostname() != d.Name() {
				t.Errorf("Hostname() = %q, want %q", s.Hostname(), d.Name())
			}

			// SendCommand: output without echo and prompt.
			r, err := s.SendCommand(ctx, pc.show)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(r.Output, pc.showWant) || r.Failed {
				t.Errorf("%s: failed=%v output %q", pc.show, r.Failed, r.Output)
			}
			if strings.Contains(r.Output, pc.show) || strings.Contains(r.Output, r.Prompt) || r.Prompt == "" {
				t.Errorf("%s: echo or prompt %q left in output %q", pc.show, r.Prompt, r.Output)
			}
			if r.Command != pc.show || r.Start.IsZero() || r.End.Before(r.Start) {
				t.Errorf("response metadata: %+v", r)
			}
			if s.Mode() != driver.ModePrivileged {
				t.Errorf("mode after SendCommand = %q", s.Mode())
			}

			// A rejected command is a Failed response, not an error.
			r, err = s.SendCommand(ctx, pc.bad)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Failed || r.FailedBy != pc.indicator || !strings.Contains(r.ErrorText, pc.indicator) {
				t.Errorf("%s: failed=%v by %q text %q output %q", pc.bad, r.Failed, r.FailedBy, r.ErrorText, r.Output)
			}

			// SendCommands.
			mr, err := s.SendCommands(ctx, []string{pc.show, pc.bad, pc.show})
			if err != nil {
				t.Fatal(err)
			}
			if len(mr.Responses) != 3 || !mr.Failed || mr.FirstFailure() != mr.Responses[1] {
				t.Errorf("SendCommands: %d responses, failed %v", len(mr.Responses), mr.Failed)
			}

			// SendConfigSet applies the lines and leaves config mode.
			mr, err = s.SendConfigSet(ctx, pc.config)
			if err != nil {
				t.Fatal(err)
			}
			if mr.Failed {
				t.Fatalf("config set failed: %+v", mr.FirstFailure())
			}
			if s.Mode() != driver.ModePrivileged {
				t.Errorf("mode after SendConfigSet = %q", s.Mode())
			}
			if pc.configWant != "" && !strings.Contains(d.RunningConfig(), pc.configWant) {
				t.Errorf("running-config lacks %q:\n%s", pc.configWant, d.RunningConfig())
			}
			if pc.pipeShow != "" {
				r, err := s.SendCommand(ctx, pc.pipeShow)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(r.Output, pc.configWant) {
					t.Errorf("%s: %q", pc.pipeShow, r.Output)
				}
			}

			// A rejected config line: the failing line and the indicator.
			mr, err = s.SendConfigSet(ctx, []string{pc.config[0], pc.badConfig, "this line must not be sent"})
			if err != nil {
				t.Fatal(err)
			}
			ff := mr.FirstFailure()
			if !mr.Failed || ff == nil || ff.Command != pc.badConfig || ff.FailedBy == "" {
				t.Errorf("bad config line not reported: %+v", ff)
			}
			if slices.Contains(d.Received(), "this line must not be sent") {
				t.Errorf("lines after the failure were sent")
			}
			if s.Mode() != driver.ModePrivileged {
				t.Errorf("mode after failed SendConfigSet = %q", s.Mode())
			}

			// Save.
			r, err = s.Save(ctx)
			switch {
			case pc.platform == "linux":
				if !errors.Is(err, driver.ErrUnsupported) {
					t.Errorf("Save on linux: %v", err)
				}
			case err != nil:
				t.Fatal(err)
			case r.Failed:
				t.Errorf("Save failed: %+v", r)
			case pc.configWant != "" && !strings.Contains(d.StartupConfig(), pc.configWant):
				t.Errorf("startup-config lacks %q after Save", pc.configWant)
			}

			// Hostname change: the driver re-learns the prompt.
			if pc.hostnameCfg != nil {
				mr, err = s.SendConfigSet(ctx, pc.hostnameCfg)
				if err != nil || mr.Failed {
					t.Fatalf("hostname change: %v %+v", err, mr.FirstFailure())
				}
				if s.Hostname() != "renamed1" {
					t.Errorf("Hostname() after rename = %q (prompt %q)", s.Hostname(), s.Prompt())
				}
				r, err = s.SendCommand(ctx, pc.show)
				if err != nil || !strings.Contains(r.Output, pc.showWant) {
					t.Errorf("command after rename: %v", err)
				}
			}

			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if _, err := s.SendCommand(ctx, pc.show); !errors.Is(err, driver.ErrClosed) {
				t.Errorf("SendCommand after Close: %v", err)
			}
			waitSessions(t, d, 0)
			if strings.Contains(tr.String(), labPass) || strings.Contains(tr.String(), labSecret) {
				t.Errorf("transcript holds a secret")
			}
		})
	}
}

func TestLabConfigSetFailure(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "r1", Platform: "cisco_ios", Faults: &lab.Faults{RejectConfig: `^logging host 10\.0\.0\.66`}})
	d := f.Device("r1")
	s := open(t, labConfig(t, d))
	ctx := context.Background()
	lines := []string{"logging host 10.0.0.65", "logging host 10.0.0.66", "logging host 10.0.0.67"}

	mr, err := s.SendConfigSet(ctx, lines)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range mr.Responses {
		got = append(got, r.Command)
	}
	if diff := cmp.Diff(lines[:2], got); diff != "" {
		t.Errorf("stop on first failure: commands (-want +got):\n%s", diff)
	}
	ff := mr.FirstFailure()
	if ff == nil || ff.Command != lines[1] || ff.FailedBy != "% Invalid input" || !strings.Contains(ff.ErrorText, "% Invalid input") {
		t.Fatalf("first failure: %+v", ff)
	}
	rec := d.Received()
	if slices.Contains(rec, lines[2]) {
		t.Errorf("line after the failure was sent: %q", rec)
	}
	if rec[len(rec)-1] != "end" || s.Mode() != driver.ModePrivileged {
		t.Errorf("config mode not left: last received %q, mode %q", rec[len(rec)-1], s.Mode())
	}

	mr, err = s.SendConfigSet(ctx, lines, driver.ContinueOnError())
	if err != nil {
		t.Fatal(err)
	}
	if len(mr.Responses) != 3 || !mr.Failed || mr.Responses[1] != mr.FirstFailure() || mr.Responses[2].Failed {
		t.Errorf("ContinueOnError: %+v", mr.Responses)
	}
	if !strings.Contains(d.RunningConfig(), "logging host 10.0.0.67") {
		t.Errorf("ContinueOnError did not apply the last line")
	}
}

func TestLabEnable(t *testing.T) {
	f := startFleet(t,
		lab.DeviceSpec{Name: "exec1", Platform: "cisco_ios"},
		lab.DeviceSpec{Name: "priv1", Platform: "cisco_ios", StartPrivileged: true},
		lab.DeviceSpec{Name: "eos1", Platform: "arista_eos"},
	)
	ctx := context.Background()

	t.Run("wrong secret", func(t *testing.T) {
		for _, name := range []string{"exec1", "eos1"} {
			d := f.Device(name)
			cfg := labConfig(t, d)
			cfg.Secret = "wrong-Secret-99"
			// No timeout of the driver's could end the attempt: the
			// rejection must be recognised, not waited out. The guard only
			// keeps a broken driver from hanging the test.
			cfg.CommandTimeout, cfg.IdleTimeout = time.Hour, time.Hour
			var logs syncBuffer
			cfg.Logger = newTextLogger(&logs)
			s := open(t, cfg)
			guard := hangGuard(t)
			_, err := s.SendCommand(guard, "show running-config")
			if !errors.Is(err, driver.ErrPrivilege) || !errors.Is(err, driver.ErrAuth) {
				t.Fatalf("%s: err = %v, want ErrPrivilege and ErrAuth", name, err)
			}
			if errors.Is(err, driver.ErrTimeout) || errors.Is(err, context.Canceled) || guard.Err() != nil {
				t.Errorf("%s: the wrong secret was waited out, not recognised: %v", name, err)
			}
			if strings.Contains(err.Error(), cfg.Secret) || strings.Contains(logs.String(), cfg.Secret) {
				t.Errorf("%s: secret revealed: %v", name, err)
			}
			if !strings.HasPrefix(err.Error(), name+": ") {
				t.Errorf("%s: error lacks the device name: %v", name, err)
			}
			// The session is still usable in exec mode.
			r, err := s.SendCommand(ctx, "show version", driver.WithMode(driver.ModeExec))
			if err != nil || r.Failed {
				t.Errorf("%s: exec command after failed enable: %v", name, err)
			}
		}
	})

	t.Run("no secret", func(t *testing.T) {
		cfg := labConfig(t, f.Device("exec1"))
		cfg.Secret = ""
		s := open(t, cfg)
		_, err := s.SendCommand(ctx, "show running-config")
		if !errors.Is(err, driver.ErrPrivilege) || !strings.Contains(err.Error(), "no enable secret") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("enable once", func(t *testing.T) {
		d := f.Device("exec1")
		before := len(d.Received()) // the device's earlier sessions sent enable too
		s := open(t, labConfig(t, d))
		if s.Mode() != driver.ModeExec {
			t.Errorf("mode at login = %q", s.Mode())
		}
		for range 3 {
			if _, err := s.SendCommand(ctx, "show clock"); err != nil {
				t.Fatal(err)
			}
		}
		n := 0
		for _, l := range d.Received()[before:] {
			if l == "enable" {
				n++
			}
		}
		if n != 1 || s.Mode() != driver.ModePrivileged {
			t.Errorf("enable sent %d times, mode %q", n, s.Mode())
		}
	})

	t.Run("start privileged", func(t *testing.T) {
		d := f.Device("priv1")
		s := open(t, labConfig(t, d))
		if _, err := s.SendCommand(ctx, "show running-config"); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(d.Received(), "enable") {
			t.Errorf("enable sent on a privileged login")
		}
	})
}

// pagedOutput: with session setup skipped, the device pages; the driver
// answers --More-- and the output must equal the unpaged one.
func TestLabPagingFallback(t *testing.T) {
	plats := []string{"cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos"}
	var specs []lab.DeviceSpec
	for _, p := range plats {
		specs = append(specs, lab.DeviceSpec{Name: "pg-" + strings.ReplaceAll(p, "_", "-"), Platform: p, Faults: &lab.Faults{PagerLines: 3}})
	}
	f := startFleet(t, specs...)
	ctx := context.Background()
	for i, p := range plats {
		t.Run(p, func(t *testing.T) {
			d := f.Device(specs[i].Name)
			show := "show running-config"
			if p == "juniper_junos" {
				show = "show configuration"
			}
			ref, err := open(t, labConfig(t, d)).SendCommand(ctx, show)
			if err != nil {
				t.Fatal(err)
			}
			cfg := labConfig(t, d)
			cfg.SkipSessionSetup = true
			s := open(t, cfg)
			r, err := s.SendCommand(ctx, show)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(ref.Output, "\n") < 6 {
				t.Fatalf("reference output too short to page: %q", ref.Output)
			}
			// NX-OS stamps the current time into the config; it may tick.
			noTime := regexp.MustCompile(`(?m)^!Time:.*$`)
			if diff := cmp.Diff(noTime.ReplaceAllString(ref.Output, ""), noTime.ReplaceAllString(r.Output, "")); diff != "" {
				t.Errorf("paged output differs (-unpaged +paged):\n%s", diff)
			}
			if strings.Contains(strings.ToLower(r.Output), "more") {
				t.Errorf("pager prompt left in output")
			}
			// The session stays in step after paging.
			r, err = s.SendCommand(ctx, "show version")
			if err != nil || r.Failed || strings.TrimSpace(r.Output) == "" {
				t.Errorf("command after paging: %v %q", err, r.Output)
			}
		})
	}
}

func TestLabBannerAndMOTD(t *testing.T) {
	motd := "################################\n# Authorized access only #\ncore9#\nrouter>\n# r1(config)#\n################################"
	f := startFleet(t,
		lab.DeviceSpec{Name: "b1", Platform: "cisco_ios", Banner: "Unauthorized access prohibited #\n", MOTD: motd},
		lab.DeviceSpec{Name: "b2", Platform: "arista_eos", MOTD: motd, Faults: &lab.Faults{BannerDelay: 300 * time.Millisecond}},
		lab.DeviceSpec{Name: "b3", Platform: "juniper_junos", MOTD: "--- JUNOS 21.4 ---\nadmin@fake>"},
	)
	for _, d := range f.Devices() {
		t.Run(d.Name(), func(t *testing.T) {
			s := open(t, labConfig(t, d))
			if s.Hostname() != d.Name() {
				t.Errorf("Hostname() = %q (prompt %q), want %q", s.Hostname(), s.Prompt(), d.Name())
			}
			r, err := s.SendCommand(context.Background(), "show version")
			if err != nil || r.Failed || strings.Contains(r.Output, "Authorized") {
				t.Errorf("first command: %v %q", err, r.Output)
			}
			if d.Name() == "b1" && !strings.Contains(s.Banner(), "Unauthorized access prohibited #") {
				t.Errorf("Banner() = %q", s.Banner())
			}
		})
	}
}

func TestLabLongCommands(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "long1", Platform: "cisco_ios"}, lab.DeviceSpec{Name: "long2", Platform: "linux"})
	ctx := context.Background()
	desc := strings.Repeat("very-long-description-", 30) // 660 characters
	s := open(t, labConfig(t, f.Device("long1")))
	mr, err := s.SendConfigSet(ctx, []string{"interface GigabitEthernet0/2", " description " + desc})
	if err != nil || mr.Failed {
		t.Fatalf("%v %+v", err, mr.FirstFailure())
	}
	r, err := s.SendCommand(ctx, "show running-config | include description "+desc[:200])
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(r.Output) != "description "+desc {
		t.Errorf("output %q", r.Output)
	}

	ls := open(t, labConfig(t, f.Device("long2")))
	long := strings.Repeat("word ", 150)
	r, err = ls.SendCommand(ctx, "echo "+long)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(r.Output) != strings.TrimSpace(long) {
		t.Errorf("echo output %q", r.Output)
	}
}

func TestLabAbbreviations(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "ab1", Platform: "cisco_ios"})
	s := open(t, labConfig(t, f.Device("ab1")))
	r, err := s.SendCommand(context.Background(), "sh ver")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Output, "Cisco IOS Software") {
		t.Errorf("abbreviated command output %q", r.Output[:min(80, len(r.Output))])
	}
}

func TestLabFaults(t *testing.T) {
	f := startFleet(t,
		lab.DeviceSpec{Name: "hang1", Platform: "cisco_ios", StartPrivileged: true, Faults: &lab.Faults{Hang: `^show clock`}},
		lab.DeviceSpec{Name: "drop1", Platform: "cisco_ios", StartPrivileged: true},
		lab.DeviceSpec{Name: "drop2", Platform: "arista_eos", StartPrivileged: true},
		lab.DeviceSpec{Name: "auth1", Platform: "cisco_ios", Faults: &lab.Faults{AuthFail: true}},
		lab.DeviceSpec{Name: "refuse1", Platform: "cisco_ios", Faults: &lab.Faults{Refuse: true}},
		lab.DeviceSpec{Name: "slow1", Platform: "cisco_ios", StartPrivileged: true},
		lab.DeviceSpec{Name: "slowcfg1", Platform: "cisco_ios", StartPrivileged: true},
	)
	ctx := context.Background()

	t.Run("overall timeout", func(t *testing.T) {
		cfg := labConfig(t, f.Device("hang1"))
		cfg.CommandTimeout, cfg.IdleTimeout = time.Hour, time.Hour // only the call's timeout can fire
		s := open(t, cfg)
		guard := hangGuard(t)
		start := time.Now()
		_, err := s.SendCommand(guard, "show clock", driver.WithTimeout(300*time.Millisecond))
		if !errors.Is(err, driver.ErrTimeout) || errors.Is(err, context.Canceled) || guard.Err() != nil {
			t.Fatalf("err = %v, want the call's ErrTimeout (not the hang guard)", err)
		}
		if el := time.Since(start); el < 300*time.Millisecond {
			t.Errorf("timed out after %s, before the 300ms timeout", el)
		}
		if strings.Contains(err.Error(), "idle") {
			t.Errorf("the overall timeout is reported as an idle timeout: %v", err)
		}
		for _, want := range []string{"hang1: ", `send_command "show clock"`, "within 300ms", "privileged mode", "prompt", `last received: "show clock\n"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("timeout error lacks %q: %v", want, err)
			}
		}
	})

	t.Run("idle timeout", func(t *testing.T) {
		cfg := labConfig(t, f.Device("hang1"))
		cfg.IdleTimeout = 200 * time.Millisecond
		cfg.CommandTimeout = time.Hour // only the idle timeout can fire
		s := open(t, cfg)
		guard := hangGuard(t)
		_, err := s.SendCommand(guard, "show clock")
		if !errors.Is(err, driver.ErrTimeout) || errors.Is(err, context.Canceled) || guard.Err() != nil {
			t.Fatalf("err = %v, want the idle ErrTimeout (not the hang guard)", err)
		}
		if !strings.Contains(err.Error(), "no output for 200ms (idle timeout)") {
			t.Errorf("err = %v, want it to name the 200ms idle timeout", err)
		}
	})

	t.Run("context cancel", func(t *testing.T) {
		s := open(t, labConfig(t, f.Device("hang1")))
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := s.SendCommand(cctx, "show clock")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})

	t.Run("context deadline", func(t *testing.T) {
		s := open(t, labConfig(t, f.Device("hang1")))
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		_, err := s.SendCommand(cctx, "show clock")
		if !errors.Is(err, driver.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want ErrTimeout and DeadlineExceeded", err)
		}
	})

	t.Run("close during hang", func(t *testing.T) {
		d := f.Device("hang1")
		cfg := labConfig(t, d)
		cfg.CommandTimeout, cfg.IdleTimeout = time.Hour, time.Hour // only Close can end the call
		s := open(t, cfg)
		guard := hangGuard(t)
		time.AfterFunc(100*time.Millisecond, func() { s.Close() })
		_, err := s.SendCommand(guard, "show clock")
		if !errors.Is(err, driver.ErrClosed) || errors.Is(err, driver.ErrTimeout) || errors.Is(err, context.Canceled) || guard.Err() != nil {
			t.Fatalf("err = %v, want ErrClosed (Close stops the operation)", err)
		}
	})

	t.Run("hang in config set", func(t *testing.T) {
		d := f.Device("hang1")
		d.SetFaults(lab.Faults{Hang: `^ntp server 10\.6\.6\.6`})
		defer d.SetFaults(lab.Faults{Hang: `^show clock`})
		s := open(t, labConfig(t, d))
		mr, err := s.SendConfigSet(ctx, []string{"ntp server 10.5.5.5", "ntp server 10.6.6.6"}, driver.WithConfigTimeout(300*time.Millisecond))
		if !errors.Is(err, driver.ErrTimeout) {
			t.Fatalf("err = %v, want ErrTimeout", err)
		}
		if len(mr.Responses) != 1 {
			t.Errorf("responses before the hang: %d", len(mr.Responses))
		}
		// The device never answers again: the driver must not claim to
		// have left configuration mode.
		if s.Mode() == driver.ModePrivileged {
			t.Errorf("mode %q after a hang the device never recovered from", s.Mode())
		}
	})

	t.Run("timeout in config set leaves config mode", func(t *testing.T) {
		// A config line answers after its timeout (the device is slow,
		// not dead): the driver still takes the session, and the device,
		// out of configuration mode.
		d := f.Device("slowcfg1")
		s := open(t, labConfig(t, d))
		if _, err := s.SendCommand(ctx, "configure terminal", driver.WithMode(driver.ModePrivileged)); err != nil {
			t.Fatal(err)
		}
		if s.Mode() != driver.ModeConfiguration {
			t.Fatalf("mode after configure terminal = %q", s.Mode())
		}
		d.SetFaults(lab.Faults{Latency: 500 * time.Millisecond})
		_, err := s.SendConfigSet(ctx, []string{"ntp server 10.7.7.7"}, driver.WithConfigTimeout(200*time.Millisecond))
		if !errors.Is(err, driver.ErrTimeout) {
			t.Fatalf("err = %v, want ErrTimeout", err)
		}
		d.SetFaults(lab.Faults{})
		if s.Mode() != driver.ModePrivileged {
			t.Errorf("mode after the timed-out config set = %q, want %q", s.Mode(), driver.ModePrivileged)
		}
		rec := d.Received()
		if rec[len(rec)-1] != "end" {
			t.Errorf("configuration mode not left on the device: received %q", rec)
		}
		// The device agrees: an exec command answers at the exec prompt.
		r, err := s.SendCommand(ctx, "show clock")
		if err != nil || r.Failed || r.Prompt != "slowcfg1#" {
			t.Errorf("command after the config set: %v %+v", err, r)
		}
	})

	t.Run("drop mid output", func(t *testing.T) {
		d := f.Device("drop1")
		d.SetFaults(lab.Faults{DropAfter: 2, DropMidOutput: true})
		cfg := labConfig(t, d)
		cfg.SkipSessionSetup = true
		s := open(t, cfg)
		for i := range 2 {
			if _, err := s.SendCommand(ctx, "show clock"); err != nil {
				t.Fatalf("command %d: %v", i+1, err)
			}
		}
		// The EOF ends the command: ErrClosed, not a timeout waiting for
		// a prompt that cannot come.
		_, err := s.SendCommand(ctx, "show running-config")
		if !errors.Is(err, driver.ErrClosed) || errors.Is(err, driver.ErrTimeout) {
			t.Fatalf("err = %v, want ErrClosed", err)
		}
		if _, err := s.SendCommand(ctx, "show clock"); !errors.Is(err, driver.ErrClosed) {
			t.Errorf("after the drop: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})

	t.Run("drop on next command", func(t *testing.T) {
		d := f.Device("drop2")
		d.SetFaults(lab.Faults{DropAfter: 1})
		cfg := labConfig(t, d)
		cfg.SkipSessionSetup = true
		s := open(t, cfg)
		if _, err := s.SendCommand(ctx, "show clock"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SendCommand(ctx, "show version"); !errors.Is(err, driver.ErrClosed) {
			t.Fatalf("err = %v, want ErrClosed", err)
		}
	})

	t.Run("EOF on exit", func(t *testing.T) {
		s := open(t, labConfig(t, f.Device("slow1")))
		_, err := s.SendCommand(ctx, "exit")
		if !errors.Is(err, driver.ErrClosed) || errors.Is(err, driver.ErrTimeout) {
			t.Fatalf("err = %v, want ErrClosed (the EOF, not a timeout)", err)
		}
	})

	t.Run("auth failure not retried", func(t *testing.T) {
		d := f.Device("auth1")
		before := d.AuthAttempts()
		_, err := driver.Open(ctx, labConfig(t, d))
		if !errors.Is(err, driver.ErrAuth) {
			t.Fatalf("err = %v, want ErrAuth", err)
		}
		if strings.Contains(err.Error(), labPass) {
			t.Errorf("error reveals the password")
		}
		if n := d.AuthAttempts() - before; n != 1 {
			t.Errorf("%d authentication attempts, want 1", n)
		}
	})

	t.Run("refused", func(t *testing.T) {
		_, err := driver.Open(ctx, labConfig(t, f.Device("refuse1")))
		if !errors.Is(err, driver.ErrConnect) {
			t.Fatalf("err = %v, want ErrConnect", err)
		}
	})

	t.Run("connect timeout", func(t *testing.T) {
		// A listener that accepts and never speaks SSH: the handshake
		// must give up at the connect timeout.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		cfg := labConfig(t, f.Device("slow1"))
		cfg.Port = l.Addr().(*net.TCPAddr).Port
		cfg.ConnectTimeout = 300 * time.Millisecond
		guard := hangGuard(t)
		_, err = driver.Open(guard, cfg)
		if !errors.Is(err, driver.ErrTimeout) || errors.Is(err, context.Canceled) || guard.Err() != nil {
			t.Fatalf("err = %v, want ErrTimeout from the connect timeout (not the hang guard)", err)
		}
		if !strings.Contains(err.Error(), "SSH handshake with 127.0.0.1:"+itoa(cfg.Port)+" not finished within 300ms") {
			t.Errorf("err = %v, want it to name the handshake and the 300ms connect timeout", err)
		}
	})

	t.Run("slow chunked output", func(t *testing.T) {
		d := f.Device("slow1")
		d.SetFaults(lab.Faults{Latency: 20 * time.Millisecond, ChunkLatency: time.Millisecond, ChunkSize: 7})
		defer d.SetFaults(lab.Faults{})
		cfg := labConfig(t, d)
		cfg.IdleTimeout = time.Second
		s := open(t, cfg)
		r, err := s.SendCommand(ctx, "show version")
		if err != nil || !strings.HasPrefix(r.Output, "Cisco IOS Software") || !strings.HasSuffix(strings.TrimSpace(r.Output), "0x0") {
			t.Errorf("%v %q", err, r.Output)
		}
	})
}

func TestLabSendInteractive(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "i1", Platform: "cisco_ios"})
	d := f.Device("i1")
	var tr syncBuffer
	cfg := labConfig(t, d)
	cfg.Transcript = &tr
	s := open(t, cfg)
	ctx := context.Background()

	// enable by hand, with the secret as a hidden answer.
	r, err := s.SendInteractive(ctx, []driver.InteractiveEvent{
		{Send: "enable", Expect: "Password:"},
		{Send: labSecret, Hidden: true, Expect: `i1#\s*$`, Regex: true},
	}, driver.WithMode(""))
	if err != nil {
		t.Fatal(err)
	}
	if r.Failed || !r.Redacted || r.Command != "enable\n********" || strings.Contains(r.Output, labSecret) {
		t.Errorf("interactive enable: %+v", r)
	}

	r, err = s.SendInteractive(ctx, []driver.InteractiveEvent{
		{Send: "copy running-config startup-config", Expect: "Destination filename"},
		{Send: ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Failed || !strings.Contains(r.Output, "[OK]") || r.Prompt != "i1#" {
		t.Errorf("copy run start: %+v", r)
	}

	// A prompt before the expected question ends the dialogue as Failed.
	r, err = s.SendInteractive(ctx, []driver.InteractiveEvent{
		{Send: "show clock", Expect: "Are you sure"},
		{Send: "y"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Failed || r.FailedBy != "unexpected prompt" {
		t.Errorf("unexpected prompt: %+v", r)
	}
	if slices.Contains(d.Received(), "y") {
		t.Errorf("the dialogue went on after the unexpected prompt")
	}

	// WithExpect ends a command on a pattern instead of the prompt.
	r, err = s.SendCommand(ctx, "copy running-config startup-config", driver.WithExpect(`Destination filename \[\S+\]\?`))
	if err != nil || !strings.Contains(r.Output, "Destination filename") {
		t.Fatalf("WithExpect: %v %+v", err, r)
	}
	if r, err = s.SendCommand(ctx, "", driver.WithMode("")); err != nil || !strings.Contains(r.Output, "[OK]") {
		t.Errorf("answering the question: %v %+v", err, r)
	}

	s.Close()
	if strings.Contains(tr.String(), labSecret) {
		t.Errorf("transcript holds the hidden answer")
	}
}

func TestLabCloseFreesEverything(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "c1", Platform: "cisco_ios"}, lab.DeviceSpec{Name: "c2", Platform: "juniper_junos"})
	ctx := context.Background()
	for _, d := range f.Devices() {
		var ss []*driver.Session
		for range 3 {
			ss = append(ss, open(t, labConfig(t, d)))
		}
		waitSessions(t, d, 3)
		// One of them in config mode: Close still frees it.
		if d.Platform() == "cisco_ios" {
			if _, err := ss[0].SendCommand(ctx, "configure terminal", driver.WithMode(driver.ModePrivileged)); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for _, s := range ss {
			wg.Go(func() { s.Close(); s.Close() })
		}
		wg.Wait()
		waitSessions(t, d, 0)
	}
}

func TestLabConcurrentDevices(t *testing.T) {
	var specs []lab.DeviceSpec
	plats := []string{"cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos"}
	for i := range 24 {
		specs = append(specs, lab.DeviceSpec{Name: "sw" + itoa(i), Platform: plats[i%len(plats)]})
	}
	f := startFleet(t, specs...)
	ctx := context.Background()
	var wg sync.WaitGroup
	for _, d := range f.Devices() {
		wg.Go(func() {
			s, err := driver.Open(ctx, labConfig(t, d))
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			line := "ntp server 10.1.1.1"
			if d.Platform() == "juniper_junos" {
				line = "set system ntp server 10.1.1.1"
			}
			mr, err := s.SendConfigSet(ctx, []string{line})
			if err != nil || mr.Failed {
				t.Errorf("%s: %v", d.Name(), err)
				return
			}
			r, err := s.SendCommand(ctx, "show version")
			if err != nil || r.Failed || s.Hostname() != d.Name() {
				t.Errorf("%s: %v", d.Name(), err)
			}
		})
	}
	wg.Wait()
}

func TestLabKnownHosts(t *testing.T) {
	f := startFleet(t, lab.DeviceSpec{Name: "kh1", Platform: "cisco_ios"}, lab.DeviceSpec{Name: "kh2", Platform: "cisco_ios"})
	ctx := context.Background()
	// kh2's key recorded for kh1's address: a mismatch.
	cfg := labConfig(t, f.Device("kh1"))
	line := "[127.0.0.1]:" + itoa(f.Device("kh1").Port()) + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(f.Device("kh2").HostKey())))
	os.WriteFile(cfg.KnownHostsFile, []byte(line+"\n"), 0o600)
	_, err := driver.Open(ctx, cfg)
	if !errors.Is(err, driver.ErrHostKey) || !strings.Contains(err.Error(), ssh.FingerprintSHA256(f.Device("kh1").HostKey())) {
		t.Fatalf("err = %v", err)
	}
	if f.Device("kh1").AuthAttempts() != 0 {
		t.Errorf("credentials were sent to a host that failed verification")
	}
}

func TestLabProxyJump(t *testing.T) {
	srv := startSSHD(t) // the bastion: a real OpenSSH server
	f := startFleet(t, lab.DeviceSpec{Name: "behind1", Platform: "cisco_ios"})
	d := f.Device("behind1")
	// The device is reachable only through the bastion: a direct
	// connection from this process to its address is closed at once.
	behind := newBastionOnly(t, d.Addr())
	cfg := labConfig(t, d)
	cfg.Port = behind.port
	cfg.KnownHostsFile = knownHostsFor(t, behind.port, d.HostKey())
	ctx := context.Background()

	if _, err := driver.Open(ctx, cfg); !errors.Is(err, driver.ErrConnect) {
		t.Fatalf("without the jump host: err = %v, want ErrConnect", err)
	}

	cfg.Jump = []driver.Config{srv.config(t)}
	s := open(t, cfg)
	r, err := s.SendCommand(ctx, "show version")
	if err != nil || !strings.Contains(r.Output, "Cisco IOS") {
		t.Fatalf("via jump host: %v", err)
	}
	if n := behind.forwarded.Load(); n != 1 {
		t.Errorf("%d connections reached the device through the bastion, want 1", n)
	}
	if d.AuthAttempts() != 1 {
		t.Errorf("%d authentication attempts on the device, want 1", d.AuthAttempts())
	}
}
