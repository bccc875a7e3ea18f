package lab

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// waitFor polls cond until it holds or the bounded wait expires; used for
// state that changes asynchronously on the server side (sessions closing).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func loginIOS(t *testing.T, d *Device) *testClient {
	t.Helper()
	c := dial(t, d)
	c.expect(`>$`)
	c.send("enable\n")
	c.expect(`Password: $`)
	c.send(d.Secret() + "\n")
	c.expect(`#$`)
	return c
}

func TestFaultLatency(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{
		{Name: "slow", Faults: &Faults{Latency: 150 * time.Millisecond}},
		{Name: "fast"},
	}})
	c := dial(t, f.Device("slow"))
	c.expect(`slow>$`)
	// A latency delays the answer; it does not lose or cut it.
	if out := c.cmd("show clock", `slow>$`); !strings.Contains(out, ":") {
		t.Errorf("slow device: show clock = %q", out)
	}
	// The slow device sits on the answer: the fleet's other device, asked
	// after it, answers first (the slow one waits for an hour), so the
	// latency neither is skipped nor slows down the rest of the fleet.
	f.Device("slow").SetFaults(Faults{Latency: time.Hour})
	c.send("show clock\n")
	c2 := dial(t, f.Device("fast"))
	c2.expect(`fast>$`)
	if out := c2.cmd("show clock", `fast>$`); !strings.Contains(out, ":") {
		t.Errorf("healthy device: show clock = %q", out)
	}
	if out, err := c.expectErr(`slow>$`, 0); err == nil {
		t.Errorf("slow device answered during its latency: %q", out)
	}
}

func TestFaultChunks(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1"}, {Name: "stuck"}, {Name: "other"}},
		Faults: Faults{ChunkLatency: 10 * time.Millisecond, ChunkSize: 200}})
	c := dial(t, f.Device("r1"))
	c.expect(`r1>$`)
	c.cmd("terminal length 0", `r1>$`)
	out := c.cmd("show version", `r1>$`)
	if !strings.Contains(out, "Configuration register is 0x0") {
		t.Errorf("chunked output incomplete:\n%s", out)
	}

	// With an hour between chunks the client gets the first chunk, of
	// ChunkSize bytes, and nothing more, even after another device has
	// answered a whole command.
	stuck := f.Device("stuck")
	c = dial(t, stuck)
	c.expect(`stuck>$`)
	c.cmd("terminal length 0", `stuck>$`)
	stuck.SetFaults(Faults{ChunkLatency: time.Hour, ChunkSize: 200})
	c.send("show version\n")
	first := c.expect(`Cisco IOS Software`) // in the first chunk
	o := dial(t, f.Device("other"))
	o.expect(`other>$`)
	if out := o.cmd("show clock", `other>$`); !strings.Contains(out, ":") {
		t.Errorf("other device: show clock = %q", out)
	}
	rest, _ := c.expectErr(`stuck>$`, 0)
	got := strings.TrimPrefix(first+rest, "show version\r\n")
	if len(got) != 200 {
		t.Errorf("received %d bytes of output, want the first chunk's 200:\n%q", len(got), got)
	}
}

func TestFaultAuthFail(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", Faults: &Faults{AuthFail: true}}}})
	d := f.Device("r1")
	_, err := dialErr(t, d, sshConfig(d, d.Password()))
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("dial with AuthFail: %v, want an authentication error", err)
	}
	if n := d.AuthAttempts(); n != 1 {
		t.Errorf("AuthAttempts = %d, want 1", n)
	}
	// Clearing the fault at run time lets the same credentials in.
	d.SetFaults(Faults{})
	c := dial(t, d)
	c.expect(`r1>$`)
	if n := d.AuthAttempts(); n != 2 {
		t.Errorf("AuthAttempts = %d, want 2", n)
	}
}

func TestFaultRefuse(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", Faults: &Faults{Refuse: true}}}})
	d := f.Device("r1")
	if _, err := dialErr(t, d, sshConfig(d, d.Password())); err == nil {
		t.Fatal("dial succeeded on a refusing device")
	}
	if n := d.AuthAttempts(); n != 0 {
		t.Errorf("AuthAttempts = %d on a refused connection", n)
	}
}

// The first N connections are refused as with Refuse, the next served.
func TestFaultRefuseFirst(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", Faults: &Faults{RefuseFirst: 2}}}})
	d := f.Device("r1")
	for i := range 2 {
		if _, err := dialErr(t, d, sshConfig(d, d.Password())); err == nil {
			t.Fatalf("connection %d was served", i+1)
		}
	}
	if n := d.AuthAttempts(); n != 0 {
		t.Errorf("AuthAttempts = %d on refused connections", n)
	}
	c := dial(t, d)
	c.expect(`r1>$`)
}

func TestFaultDropAfter(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", Faults: &Faults{DropAfter: 2}}}})
	c := dial(t, f.Device("r1"))
	c.expect(`r1>$`)
	c.cmd("show clock", `r1>$`)
	c.send("\n") // empty lines do not count
	c.expect(`r1>$`)
	c.cmd("show clock", `r1>$`)
	c.send("show version\n")
	out, err := c.expectErr(`r1>$`, 5*time.Second)
	if !errors.Is(err, io.EOF) {
		t.Fatalf("third command: err %v, want EOF; got %q", err, out)
	}
	if strings.Contains(out, "Cisco IOS") {
		t.Errorf("dropped command printed output: %q", out)
	}
}

func TestFaultDropMidOutput(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", Faults: &Faults{DropAfter: 1, DropMidOutput: true}}}})
	c := dial(t, f.Device("r1"))
	c.expect(`r1>$`)
	c.cmd("terminal length 0", `r1>$`)
	c.send("show version\n")
	out, err := c.expectErr(`r1>$`, 5*time.Second)
	if !errors.Is(err, io.EOF) {
		t.Fatalf("err %v, want EOF", err)
	}
	if !strings.Contains(out, "Cisco IOS Software") || strings.Contains(out, "Configuration register") {
		t.Errorf("want the first half of show version only, got:\n%s", out)
	}
}

func TestFaultHang(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", Faults: &Faults{Hang: `^show tech`}}}})
	d := f.Device("r1")
	c := dial(t, d)
	c.expect(`r1>$`)
	c.send("show tech-support\n")
	if out, err := c.expectErr(`r1>$`, 300*time.Millisecond); !errors.Is(err, errTimeout) {
		t.Fatalf("hung command answered: %q %v", out, err)
	}
	if got := d.Received(); len(got) != 1 || got[0] != "show tech-support" {
		t.Errorf("Received = %q", got)
	}
	// The client giving up frees the server side.
	c.close()
	waitFor(t, "the hung session to end", func() bool { return d.Sessions() == 0 })
}

func TestFaultRejectConfig(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", Faults: &Faults{RejectConfig: `^ntp server 10\.9\.`}}}})
	d := f.Device("r1")
	c := loginIOS(t, d)
	c.cmd("configure terminal", `r1\(config\)#$`)
	if out := c.cmd("ntp server 10.1.1.1", `r1\(config\)#$`); out != "" {
		t.Errorf("accepted line printed %q", out)
	}
	out := c.cmd("ntp server 10.9.9.9", `r1\(config\)#$`)
	if !strings.Contains(out, "% Invalid input detected at '^' marker.") {
		t.Errorf("rejected line printed %q", out)
	}
	c.cmd("end", `r1#$`)
	run := d.RunningConfig()
	if !strings.Contains(run, "ntp server 10.1.1.1") || strings.Contains(run, "10.9.9.9") {
		t.Errorf("running-config:\n%s", run)
	}
}

func TestFaultBannerDelay(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{
		{Name: "r1", Faults: &Faults{BannerDelay: 200 * time.Millisecond}},
		{Name: "mute", Faults: &Faults{BannerDelay: time.Hour}},
		{Name: "r3"},
	}})
	// A delayed banner still comes, with the prompt.
	c := dial(t, f.Device("r1"))
	c.expect(`r1>$`)
	// With an hour's delay the shell says nothing, even after another
	// device, dialled later, has given its prompt and answered a command.
	m := dial(t, f.Device("mute"))
	o := dial(t, f.Device("r3"))
	o.expect(`r3>$`)
	if out := o.cmd("show clock", `r3>$`); !strings.Contains(out, ":") {
		t.Errorf("healthy device: show clock = %q", out)
	}
	if out, err := m.expectErr(`(?s).+`, 0); err == nil {
		t.Errorf("the delayed device spoke before its banner delay: %q", out)
	}
}

// An exec request ("ssh host cmd") is a command: it counts towards
// DropAfter on its connection, as lines typed at the prompt do.
func TestFaultDropAfterExec(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{
		{Name: "r1", Faults: &Faults{DropAfter: 2}},
		{Name: "r2", Faults: &Faults{DropAfter: 1, DropMidOutput: true}},
	}})
	execOn := func(client *ssh.Client, cmd string) (string, error) {
		sess, err := client.NewSession()
		if err != nil {
			return "", err
		}
		defer sess.Close()
		out, err := sess.CombinedOutput(cmd)
		return string(out), err
	}
	d := f.Device("r1")
	client, err := ssh.Dial("tcp", d.Addr(), sshConfig(d, d.Password()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	for i := 1; i <= 2; i++ {
		if out, err := execOn(client, "show clock"); err != nil || !strings.Contains(out, ":") {
			t.Fatalf("exec %d: %q, %v", i, out, err)
		}
	}
	if out, err := execOn(client, "show version"); err == nil || strings.Contains(out, "Cisco IOS") {
		t.Fatalf("third exec on the connection: %q, %v; want the connection dropped", out, err)
	}
	if err := client.Wait(); err == nil { // returns: the connection is gone
		t.Error("the connection ended cleanly, want it dropped")
	}

	d = f.Device("r2")
	client, err = ssh.Dial("tcp", d.Addr(), sshConfig(d, d.Password()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := execOn(client, "terminal length 0"); err != nil {
		t.Fatal(err)
	}
	out, err := execOn(client, "show version")
	if err == nil {
		client.Close() // not dropped: the test ends here
	}
	if err == nil || !strings.Contains(out, "Cisco IOS Software") || strings.Contains(out, "Configuration register") {
		t.Errorf("second exec: err %v, want the first half of show version only, got:\n%s", err, out)
	}
}

func TestPager(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1"}}, Faults: Faults{PagerLines: 10}})
	d := f.Device("r1")
	c := loginIOS(t, d)
	c.send("show running-config\n")
	first := c.expect(` --More-- $`)
	if n := strings.Count(first, "\r\n"); n != 11 { // the echoed command + 10 lines
		t.Errorf("first page has %d lines, want 10:\n%s", n-1, first)
	}
	c.send(" ")
	c.expect(` --More-- $`)
	c.send("\r") // one more line
	one := c.expect(` --More-- $`)
	if n := strings.Count(one, "\r\n"); n != 1 {
		t.Errorf("Enter showed %d lines, want 1: %q", n, one)
	}
	c.send("q")
	c.expect(`r1#$`)
	c.cmd("terminal length 0", `r1#$`)
	out := c.cmd("show running-config", `r1#$`)
	if strings.Contains(out, "--More--") || !strings.HasSuffix(out, "end\n") {
		t.Errorf("terminal length 0 still pages:\n%s", out)
	}
}
