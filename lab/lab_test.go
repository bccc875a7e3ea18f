package lab

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"golang.org/x/crypto/ssh"
)

func TestStartFleetRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0", "10.1.2.3", "::", "example.com"} {
		if f, err := StartFleet(context.Background(), FleetSpec{ListenAddr: addr, Devices: []DeviceSpec{{Name: "r1"}}}); err == nil {
			f.Close()
			t.Errorf("ListenAddr %q accepted", addr)
		}
	}
	if _, err := StartFleet(context.Background(), FleetSpec{Devices: []DeviceSpec{{Name: "a"}, {Name: "a"}}}); err == nil {
		t.Error("duplicate names accepted")
	}
	if _, err := StartFleet(context.Background(), FleetSpec{Devices: []DeviceSpec{{Name: "a", Platform: "hp_procurve"}}}); err == nil {
		t.Error("unknown platform accepted")
	}
}

func TestHostKeysStable(t *testing.T) {
	spec := FleetSpec{Seed: "s1", Devices: []DeviceSpec{{Name: "r1"}, {Name: "r2"}}}
	f1 := startFleet(t, spec)
	f2 := startFleet(t, spec)
	spec.Seed = "s2"
	f3 := startFleet(t, spec)
	k := func(f *Fleet, n string) string { return string(f.Device(n).HostKey().Marshal()) }
	if k(f1, "r1") != k(f2, "r1") {
		t.Error("same seed and name gave different keys")
	}
	if k(f1, "r1") == k(f1, "r2") || k(f1, "r1") == k(f3, "r1") {
		t.Error("different names or seeds gave the same key")
	}
	// A client pinning the wrong key is refused.
	d := f1.Device("r1")
	cfg := sshConfig(d, "admin")
	cfg.HostKeyCallback = ssh.FixedHostKey(f1.Device("r2").HostKey())
	if _, err := dialErr(t, d, cfg); err == nil {
		t.Error("connected despite a host key mismatch")
	}
}

func TestBasePort(t *testing.T) {
	// Find a free range by asking for ephemeral ports first.
	probe := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "p"}}})
	base := probe.Device("p").Port() + 100
	f, err := StartFleet(context.Background(), FleetSpec{BasePort: base, Devices: []DeviceSpec{{Name: "a"}, {Name: "b"}}})
	if err != nil {
		t.Skipf("port range %d busy: %v", base, err)
	}
	defer f.Close()
	if f.Device("a").Port() != base || f.Device("b").Port() != base+1 {
		t.Errorf("ports %d %d, want %d %d", f.Device("a").Port(), f.Device("b").Port(), base, base+1)
	}
}

func TestAuthMethods(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	sshPub, _ := ssh.NewPublicKey(pub)
	signer, _ := ssh.NewSignerFromKey(priv)
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", AuthorizedKeys: ssh.MarshalAuthorizedKey(sshPub), Password: "pw1"}}})
	d := f.Device("r1")
	tests := []struct {
		name string
		auth ssh.AuthMethod
		ok   bool
	}{
		{"password", ssh.Password("pw1"), true},
		{"wrong password", ssh.Password("nope"), false},
		{"public key", ssh.PublicKeys(signer), true},
		{"keyboard-interactive", ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
			ans := make([]string, len(qs))
			for i := range ans {
				ans[i] = "pw1"
			}
			return ans, nil
		}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := sshConfig(d, "")
			cfg.Auth = []ssh.AuthMethod{tt.auth}
			c, err := dialErr(t, d, cfg)
			if (err == nil) != tt.ok {
				t.Fatalf("dial: %v, want ok=%v", err, tt.ok)
			}
			if c != nil {
				c.expect(`r1>$`)
			}
		})
	}
}

func TestReceivedHidesSecrets(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", Secret: "s3cret"}}})
	d := f.Device("r1")
	c := dial(t, d)
	c.expect(`r1>$`)
	c.send("enable\n")
	c.expect(`Password: $`)
	c.send("wrong\n")
	c.expect(`Password: $`)
	c.send("s3cret\n")
	c.expect(`r1#$`)
	c.cmd("show clock", `r1#$`)
	if diff := cmp.Diff([]string{"enable", "show clock"}, d.Received()); diff != "" {
		t.Errorf("Received (-want +got):\n%s", diff)
	}
}

func TestEnableWrongSecret(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1"}, {Name: "eos1", Platform: AristaEOS}}})
	c := dial(t, f.Device("r1"))
	c.expect(`r1>$`)
	c.send("enable\n")
	for i := 0; i < 3; i++ {
		c.expect(`Password: $`)
		c.send("bad\n")
	}
	out := c.expect(`r1>$`)
	if !strings.Contains(out, "% Bad secrets") {
		t.Errorf("IOS: %q", out)
	}
	e := dial(t, f.Device("eos1"))
	e.expect(`eos1>$`)
	e.send("enable\n")
	e.expect(`Password: $`)
	e.send("bad\n")
	if out := e.expect(`eos1>$`); !strings.Contains(out, "% Access denied") {
		t.Errorf("EOS: %q", out)
	}
}

func TestIOSModesAndEditing(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", StartPrivileged: true,
		MOTD: "*** lab device ***\nAuthorized access only #"}}})
	d := f.Device("r1")
	c := dial(t, d)
	// The MOTD's last line ends in '#' like a prompt; the real prompt follows.
	out := c.expect(`\r\nr1#$`)
	if !strings.Contains(out, "Authorized access only #\r\n") {
		t.Errorf("MOTD missing: %q", out)
	}
	// Backspace editing, \r line endings, \r\n line endings.
	c.send("show clx\x7fock\r")
	if out := c.expect(`r1#$`); !strings.Contains(out, "UTC") {
		t.Errorf("backspace-edited command: %q", out)
	}
	c.send("conf t\r\n")
	c.expect(`r1\(config\)#$`)
	c.send("router ospf 1\n")
	c.expect(`r1\(config-router\)#$`)
	c.send("passive-interface default\n")
	c.expect(`r1\(config-router\)#$`)
	c.send("line vty 0 4\n") // a global command leaves the submode for its own
	c.expect(`r1\(config-line\)#$`)
	c.send("exec-timeout 5 0\n")
	c.expect(`r1\(config-line\)#$`)
	c.send("int lo5\n")
	c.expect(`r1\(config-if\)#$`)
	c.send("ip address 192.0.2.99 255.255.255.255\n")
	c.expect(`r1\(config-if\)#$`)
	c.send("ip address 300.1.1.1 255.255.255.0\n")
	if out := c.expect(`r1\(config-if\)#$`); !strings.Contains(out, "              ^\r\n% Invalid input") {
		t.Errorf("bad address: %q", out)
	}
	c.send("exit\n")
	c.expect(`r1\(config\)#$`)
	c.send("hostname core9\n")
	c.expect(`core9\(config\)#$`)
	c.send("\x1a") // Ctrl-Z
	c.expect(`core9#$`)
	run := d.RunningConfig()
	for _, w := range []string{"passive-interface default", " exec-timeout 5 0\n", "interface Loopback5\n ip address 192.0.2.99 255.255.255.255\n", "hostname core9\n"} {
		if !strings.Contains(run, w) {
			t.Errorf("running-config lacks %q:\n%s", w, run)
		}
	}
	if d.Hostname() != "core9" {
		t.Errorf("Hostname() = %q", d.Hostname())
	}
	// Filters.
	if out := c.cmd("sh run | sec ^interface Loopback5", `core9#$`); out != "interface Loopback5\n ip address 192.0.2.99 255.255.255.255\n" {
		t.Errorf("| section: %q", out)
	}
	if out := c.cmd("sh run | b ^line vty", `core9#$`); !strings.HasPrefix(out, "line vty 0 4\n") {
		t.Errorf("| begin: %q", out)
	}
	if out := c.cmd("sh run | i ^hostname", `core9#$`); out != "hostname core9\n" {
		t.Errorf("| include: %q", out)
	}
	if out := c.cmd("sh run | ex .", `core9#$`); out != "\n" { // the blank line after "Building configuration..."
		t.Errorf("| exclude: %q", out)
	}
	// no + remove.
	c.cmd("conf t", `core9\(config\)#$`)
	c.cmd("no interface Loopback5", `core9\(config\)#$`)
	c.cmd("no logging host 10.0.255.50", `core9\(config\)#$`)
	c.cmd("snmp-server community s3 RW", `core9\(config\)#$`)
	c.cmd("username bob privilege 1 secret x", `core9\(config\)#$`)
	c.cmd("end", `core9#$`)
	run = d.RunningConfig()
	if strings.Contains(run, "Loopback5") || strings.Contains(run, "logging host") || !strings.Contains(run, "snmp-server community s3 RW") || !strings.Contains(run, "username bob") {
		t.Errorf("after no/snmp/username:\n%s", run)
	}
}

func TestConfirmations(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", StartPrivileged: true}}})
	d := f.Device("r1")
	c := dial(t, d)
	c.expect(`r1#$`)
	c.cmd("terminal length 0", `r1#$`)
	c.cmd("conf t", `r1\(config\)#$`)
	c.cmd("ntp server 10.0.1.100", `r1\(config\)#$`)
	c.cmd("end", `r1#$`)
	c.send("copy running-config startup-config\n")
	c.expect(`Destination filename \[startup-config\]\? $`)
	c.send("\n")
	if out := c.expect(`r1#$`); !strings.Contains(out, "[OK]") {
		t.Errorf("copy: %q", out)
	}
	if !strings.Contains(d.StartupConfig(), "ntp server 10.0.1.100") {
		t.Error("copy run start did not save")
	}
	c.send("clear counters\n")
	c.expect(`Clear "show interface" counters on all interfaces \[confirm\]$`)
	c.send("\n")
	c.expect(`r1#$`)
	if out := c.cmd("show interfaces Gi0/0", `r1#$`); !strings.Contains(out, "0 packets input") {
		t.Errorf("counters not cleared: %s", out)
	}
	c.send("reload in 5\n")
	c.expect(`Proceed with reload\? \[confirm\]$`)
	c.send("\n")
	c.expect(`r1#$`)
	if out := c.cmd("show reload", `r1#$`); !strings.Contains(out, "Reload scheduled") {
		t.Errorf("show reload: %q", out)
	}
	// An unsaved change is lost by a reload, as on the device.
	c.cmd("conf t", `r1\(config\)#$`)
	c.cmd("ntp server 10.0.1.200", `r1\(config\)#$`)
	c.cmd("end", `r1#$`)
	c.send("reload\n")
	c.expect(`Save\? \[yes/no\]: $`)
	c.send("no\n")
	c.expect(`Proceed with reload\? \[confirm\]$`)
	c.send("\n")
	if _, err := c.expectErr(`r1#$`, 5*time.Second); err == nil {
		t.Fatal("session survived reload")
	}
	if run := d.RunningConfig(); strings.Contains(run, "10.0.1.200") || !strings.Contains(run, "10.0.1.100") {
		t.Errorf("running-config after reload:\n%s", run)
	}
}

func TestExec(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1"}, {Name: "srv1", Platform: Linux}}})
	for _, tt := range []struct {
		dev, cmd, want string
		status         int
	}{
		{"r1", "show version", "IOSv", 0},
		{"r1", "show foo", "% Invalid input", 1},
		{"srv1", "uname -a", "Linux srv1 ", 0},
		{"srv1", "cat /etc/hostname", "srv1\n", 0},
		{"srv1", "nosuch", "command not found", 127},
	} {
		d := f.Device(tt.dev)
		client, err := ssh.Dial("tcp", d.Addr(), sshConfig(d, d.Password()))
		if err != nil {
			t.Fatal(err)
		}
		sess, _ := client.NewSession()
		out, err := sess.CombinedOutput(tt.cmd)
		status := 0
		if ee, ok := err.(*ssh.ExitError); ok {
			status = ee.ExitStatus()
		} else if err != nil {
			t.Fatalf("%s %q: %v", tt.dev, tt.cmd, err)
		}
		if !strings.Contains(string(out), tt.want) || status != tt.status {
			t.Errorf("%s %q: status %d output %q; want %d and %q", tt.dev, tt.cmd, status, out, tt.status, tt.want)
		}
		client.Close()
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	f, err := StartFleet(context.Background(), FleetSpec{Devices: []DeviceSpec{
		{Name: "r1"}, {Name: "r2", Faults: &Faults{Hang: "show"}}, {Name: "vmx", Platform: JuniperJunos},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c1 := dial(t, f.Device("r1"))
	c1.expect(`r1>$`)
	c1.send("show run") // half a line
	c2 := dial(t, f.Device("r2"))
	c2.expect(`r2>$`)
	c2.send("show version\n") // hangs
	// A TCP client that never speaks SSH.
	raw, err := (&netDialer{}).dial(f.Device("vmx").Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	done := make(chan struct{})
	go func() { f.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	c1.close()
	c2.close()
	waitFor(t, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= before })
}

func TestContextCancelStopsFleet(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	f, err := StartFleet(ctx, FleetSpec{Devices: []DeviceSpec{{Name: "r1"}}})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	f.Close()
	if _, err := ssh.Dial("tcp", f.Device("r1").Addr(), sshConfig(f.Device("r1"), "admin")); err == nil {
		t.Error("device still answers after cancel")
	}
}

func TestWriteInventory(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1"}, {Name: "vmx1", Platform: "junos"}}})
	var b bytes.Buffer
	if err := WriteInventory(&b, f, InventoryOptions{KnownHostsFile: "lab.known_hosts"}); err != nil {
		t.Fatal(err)
	}
	inv := b.String()
	if formatted := string(hclwrite.Format(b.Bytes())); formatted != inv {
		t.Errorf("inventory is not in canonical HCL layout:\n%s", inv)
	}
	for _, w := range []string{
		`password         = env("RUNBOOK_PASSWORD")`,
		`known_hosts_file = "lab.known_hosts"`,
		"host \"vmx1\" {\n    address  = \"127.0.0.1\"\n    port     = " + itoa(f.Device("vmx1").Port()) + "\n    platform = \"juniper_junos\"\n  }",
	} {
		if !strings.Contains(inv, w) {
			t.Errorf("inventory lacks %q:\n%s", w, inv)
		}
	}
	var kh bytes.Buffer
	WriteKnownHosts(&kh, f)
	if !strings.HasPrefix(kh.String(), "[127.0.0.1]:"+itoa(f.Device("r1").Port())+" ssh-ed25519 ") {
		t.Errorf("known_hosts: %s", kh.String())
	}
}

func TestServe(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "lab.hcl")
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ServeOptions{Devices: 5, Platform: "mixed", InventoryOut: inv}, &out)
	}()
	waitFor(t, "serve to start", func() bool { return strings.Contains(out.String(), "Ctrl+C") })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(inv)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"cisco_ios", "cisco_nxos", "arista_eos", "juniper_junos", "linux"} {
		if !strings.Contains(string(b), `"`+p+`"`) {
			t.Errorf("inventory lacks platform %s", p)
		}
	}
	if _, err := os.Stat(inv + ".known_hosts"); err != nil {
		t.Error(err)
	}
	if _, err := FleetSpecFor(ServeOptions{Platform: "hp_procurve"}); err == nil {
		t.Error("unknown platform accepted")
	}
}

// TestOpenSSHClient drives the lab with the OpenSSH client: an independent
// implementation of the client side.
func TestOpenSSHClient(t *testing.T) {
	sshBin, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("OpenSSH client not installed (apt-get install openssh-client)")
	}
	sshpass, err := exec.LookPath("sshpass")
	if err != nil {
		t.Skip("sshpass not installed (apt-get install sshpass)")
	}
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1"}}})
	d := f.Device("r1")
	dir := t.TempDir()
	kh := filepath.Join(dir, "known_hosts")
	var b bytes.Buffer
	WriteKnownHosts(&b, f)
	os.WriteFile(kh, b.Bytes(), 0o600)
	run := func(stdin string, args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		base := []string{"-p", d.Password(), sshBin, "-F", "/dev/null", "-o", "UserKnownHostsFile=" + kh,
			"-o", "StrictHostKeyChecking=yes", "-o", "PubkeyAuthentication=no", "-o", "ConnectTimeout=5",
			"-p", itoa(d.Port()), d.Username() + "@127.0.0.1"}
		cmd := exec.CommandContext(ctx, sshpass, append(base, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ssh %v: %v\n%s", args, err, out)
		}
		return strings.ReplaceAll(string(out), "\r\n", "\n")
	}
	script := "enable\nadmin\nterminal length 0\nconfigure terminal\nntp server 10.0.1.100\nlogging host 10.0.1.50\nend\n" +
		"show running-config | include ntp|logging host\nwrite memory\nexit\n"
	out := run(script, "-tt")
	for _, w := range []string{"r1#show running-config | include ntp|logging host\nlogging host 10.0.255.50\nlogging host 10.0.1.50\nntp server 10.0.1.100\n", "Building configuration...\n[OK]\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("session output lacks %q:\n%s", w, out)
		}
	}
	if !strings.Contains(d.StartupConfig(), "ntp server 10.0.1.100") {
		t.Errorf("write memory did not reach startup-config")
	}
	// exec request, as "ssh host command".
	if out := run("", "show startup-config | include ntp"); out != "ntp server 10.0.1.100\n" {
		t.Errorf("exec: %q", out)
	}
}

// TestNetmiko drives every platform with Netmiko (Debian's python3-netmiko),
// a client independent of runbook's driver: send_command, send_config_set,
// save_config/commit. It skips when Netmiko is not installed, unless
// RUNBOOK_REQUIRE_NETMIKO=1 (CI sets it and installs python3-netmiko).
func TestNetmiko(t *testing.T) {
	required := os.Getenv("RUNBOOK_REQUIRE_NETMIKO") == "1"
	py := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import netmiko").Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		if required {
			t.Fatal("RUNBOOK_REQUIRE_NETMIKO=1 but no python3 can import netmiko (apt-get install python3-netmiko)")
		}
		t.Skip("Netmiko not installed (apt-get install python3-netmiko)")
	}
	if testing.Short() && !required {
		t.Skip("Netmiko is slow (fixed delays on its side); skipped with -short")
	}
	t.Parallel() // Netmiko's own timing waits dominate; overlap them with the other tests
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{
		{Name: "r1", Platform: CiscoIOS}, {Name: "nx1", Platform: CiscoNXOS}, {Name: "eos1", Platform: AristaEOS},
		{Name: "vmx1", Platform: JuniperJunos}, {Name: "srv1", Platform: Linux},
		{Name: "xr1", Platform: CiscoXR}, {Name: "asa1", Platform: CiscoASA},
	}})
	logLine := map[string]string{
		CiscoIOS: "logging host 10.0.1.50", AristaEOS: "logging host 10.0.1.50", CiscoNXOS: "logging server 10.0.1.50",
		CiscoASA: "logging host management 10.0.1.50",
	}
	for _, d := range f.Devices() {
		t.Run(d.Platform(), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, py, "testdata/netmiko_drive.py", d.Platform(), itoa(d.Port()), d.Username(), d.Password(), d.Secret())
			out, err := cmd.Output()
			if err != nil {
				var stderr string
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = string(ee.Stderr)
				}
				t.Fatalf("netmiko: %v\n%s\n%s", err, out, stderr)
			}
			var res map[string]string
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if !strings.Contains(res["prompt"], d.Name()) {
				t.Errorf("find_prompt: %q, want the hostname %q in it", res["prompt"], d.Name())
			}
			switch d.Platform() {
			case Linux:
				if !strings.Contains(res["version"], "Linux srv1") {
					t.Errorf("uname: %q", res["version"])
				}
				return
			case JuniperJunos:
				if !strings.Contains(res["commit"], "commit complete") || !strings.Contains(res["verify"], "server 10.0.1.100;") {
					t.Errorf("junos: %q", res)
				}
			case CiscoXR:
				// Committed: in running-config, in the commit database.
				if !strings.Contains(res["verify"], "ntp\n server 10.0.1.100\n!") || strings.Contains(res["commit"], "Failed") {
					t.Errorf("xr commit/verify: %q", res)
				}
				wantAll(t, "running-config", d.RunningConfig(), "logging 10.0.1.50 vrf default severity info")
				// Netmiko answered the uncommitted-changes question with no.
				wantAll(t, "exit_config_mode", res["exit"], "Uncommitted changes found, commit them before exiting(yes/no/cancel)? [cancel]:")
				wantNone(t, "running-config after the discarded change", res["after_discard"]+d.RunningConfig(), "lab-rack-9")
			default:
				if !strings.Contains(res["verify"], "ntp server 10.0.1.100") {
					t.Errorf("verify: %q", res)
				}
				if !strings.Contains(d.StartupConfig(), "ntp server 10.0.1.100") || !strings.Contains(d.StartupConfig(), logLine[d.Platform()]) {
					t.Errorf("save_config did not save: %q\n%s", res["save"], d.StartupConfig())
				}
				if d.Platform() == CiscoASA {
					wantAll(t, "write mem", res["save"], "Building configuration...\nCryptochecksum: ", "bytes copied in", "[OK]")
				}
			}
			if !strings.Contains(d.RunningConfig(), "10.0.1.100") {
				t.Errorf("running-config lacks the NTP server")
			}
		})
	}
}

func TestPreAuthBanner(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", Banner: "Authorized users only\n"}}})
	d := f.Device("r1")
	var got string
	cfg := sshConfig(d, d.Password())
	cfg.BannerCallback = func(msg string) error { got = msg; return nil }
	c, err := dialErr(t, d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.expect(`r1>$`)
	if got != "Authorized users only\n" {
		t.Errorf("banner %q", got)
	}
}

// TestManyDevicesIsolated runs sessions on many devices at once while one
// device hangs and another drops its connection: the others answer
// normally, each with its own output.
func TestManyDevicesIsolated(t *testing.T) {
	const n = 40
	spec := FleetSpec{}
	plats := []string{CiscoIOS, CiscoNXOS, AristaEOS, JuniperJunos, Linux}
	for i := 0; i < n; i++ {
		spec.Devices = append(spec.Devices, DeviceSpec{Name: fmt.Sprintf("d%d", i), Platform: plats[i%len(plats)], StartPrivileged: true})
	}
	const hung, dropped = 0, 1
	spec.Devices[hung].Faults = &Faults{Hang: "."}
	spec.Devices[dropped].Faults = &Faults{DropAfter: 2}
	f := startFleet(t, spec)
	devs := f.Devices()

	// exec runs one command as "ssh host command".
	exec := func(d *Device, cmd string) (*ssh.Client, chan struct{}, *[]byte, *error) {
		var out []byte
		var err error
		done := make(chan struct{})
		client, derr := ssh.Dial("tcp", d.Addr(), sshConfig(d, d.Password()))
		if derr != nil {
			err = derr
			close(done)
			return nil, done, &out, &err
		}
		sess, serr := client.NewSession()
		if serr != nil {
			err = serr
			close(done)
			return client, done, &out, &err
		}
		go func() { out, err = sess.CombinedOutput(cmd); close(done) }()
		return client, done, &out, &err
	}

	// The hung device first: it must stay silent while all others answer.
	hungClient, hungDone, hungOut, hungErr := exec(devs[hung], "show version")
	if hungClient == nil {
		t.Fatalf("%s: %v", devs[hung].Name(), *hungErr)
	}

	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, d := range devs {
		if i == hung || i == dropped {
			continue
		}
		wg.Go(func() {
			// A command whose output names the device, per platform.
			cmd, want := "show version", ""
			switch d.Platform() {
			case CiscoIOS:
				want = d.Hostname() + " uptime is"
			case CiscoNXOS:
				want = "Device name: " + d.Hostname()
			case AristaEOS:
				cmd, want = "show hostname", "Hostname: "+d.Hostname()
			case JuniperJunos:
				want = "Hostname: " + d.Hostname()
			case Linux:
				cmd, want = "uname -a", "Linux "+d.Hostname()+" "
			}
			client, done, out, err := exec(d, cmd)
			if client != nil {
				defer client.Close()
			}
			select {
			case <-done:
			case <-time.After(30 * time.Second): // a liveness bound, not a timing check
				errs <- fmt.Errorf("%s: no answer", d.Name())
				client.Close()
				<-done
				return
			}
			if *err != nil || !strings.Contains(string(*out), want) {
				errs <- fmt.Errorf("%s: %v %q, want %q in it", d.Name(), *err, *out, want)
			}
		})
	}

	// Meanwhile the dropping device answers its first two commands and
	// closes the connection when the third arrives.
	dd := devs[dropped]
	c := dial(t, dd)
	prompt := regexp.QuoteMeta(dd.Hostname()) + `# $`
	c.expect(prompt)
	c.cmd("terminal length 0", prompt)
	if out := c.cmd("show version", prompt); !strings.Contains(out, "Device name: "+dd.Hostname()) {
		t.Errorf("%s: first command before the drop: %q", dd.Name(), out)
	}
	c.send("show clock\n")
	if out, err := c.expectErr(prompt, 30*time.Second); err != io.EOF {
		t.Errorf("%s: third command: %v, want the connection dropped (EOF); got %q", dd.Name(), err, out)
	}

	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Everyone else has answered; the hung device still has not.
	select {
	case <-hungDone:
		t.Errorf("hung device answered: %v %q", *hungErr, *hungOut)
	default:
	}
	hungClient.Close()
	<-hungDone
	if len(*hungOut) != 0 {
		t.Errorf("hung device wrote %q", *hungOut)
	}
}
