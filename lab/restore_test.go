package lab

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// stripVolatile removes the lines of a configuration listing that change
// by themselves (build banner, size, timestamps) and blank lines, so two
// listings of one configuration compare equal.
func stripVolatile(text string) string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case t == "", t == "!",
			strings.HasPrefix(t, "Building configuration"),
			strings.HasPrefix(t, "Current configuration :"),
			strings.HasPrefix(t, "! Last configuration change"),
			strings.HasPrefix(t, "!Time:"),
			strings.HasPrefix(t, "!Running configuration last done"),
			strings.HasPrefix(t, "## Last commit:"):
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// ask sends line, waits for the question, answers it and returns what
// came after the answer up to prompt.
func (c *testClient) ask(line, question, answer, prompt string) (asked, after string) {
	c.t.Helper()
	c.send(line + "\n")
	asked = strings.ReplaceAll(c.expect(question), "\r\n", "\n")
	c.send(answer + "\n")
	after = strings.ReplaceAll(c.expect(prompt), "\r\n", "\n")
	after = strings.TrimPrefix(after, answer+"\n")
	return asked, strings.TrimSuffix(after, regexp.MustCompile(prompt+"$").FindString(after))
}

var bytesCopiedRE = regexp.MustCompile(`^(\d+) bytes copied in \d+\.\d{3} secs \(\d+ bytes/sec\)\n$`)

// junosPromptRE is what a Junos configuration-mode prompt puts before
// "user@host# ": a blank line, the pending-rollback line, "[edit ...]".
var junosPromptRE = regexp.MustCompile(`\n(# commit confirmed will be rolled back in \d+ minutes\n)?\[edit[^\]\n]*\]\n$`)

// jcmd runs a configuration-mode command and drops the prompt's preamble
// from its output.
func (c *testClient) jcmd(line, prompt string) string {
	c.t.Helper()
	return junosPromptRE.ReplaceAllString(c.cmd(line, prompt), "")
}

// TestIOSFlashRestorePoint drives the IOS restore point over SSH: a copy
// of the running configuration on flash, listed, shown, overwritten only
// when confirmed, restored with configure replace, deleted.
func TestIOSFlashRestorePoint(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "r1", Platform: CiscoIOS}}})
	d := f.Device("r1")
	c := loginIOS(t, d)
	const p = `r1#$`
	c.cmd("terminal length 0", p)
	original := c.cmd("show running-config", p)

	// copy running-config flash:NAME asks the destination (Enter accepts).
	asked, out := c.ask("copy running-config flash:before", `Destination filename \[before\]\? $`, "", p)
	if asked != "copy running-config flash:before\nDestination filename [before]? " {
		t.Errorf("copy asked %q", asked)
	}
	m := bytesCopiedRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("copy running-config flash:before printed %q", out)
	}
	saved := c.cmd("more flash:before", p)
	if m[1] != fmt.Sprint(len(strings.ReplaceAll(saved, "\n", "\r\n"))) && m[1] != fmt.Sprint(len(saved)) {
		t.Errorf("copy reported %s bytes, the file has %d", m[1], len(saved))
	}
	if got, want := stripVolatile(saved), stripVolatile(original); got != want {
		t.Errorf("more flash:before differs from the running-config:\n%s\n---\n%s", got, want)
	}
	if strings.Contains(saved, "Building configuration") || !strings.HasSuffix(saved, "end\n") {
		t.Errorf("the saved file is not a configuration file:\n%s", saved)
	}
	dir := c.cmd("dir flash:", p)
	if !regexp.MustCompile(`(?m)^ +\d+  -rw- +`+fmt.Sprint(len(saved))+`  [A-Z][a-z]{2} +\d+ \d{4} \d\d:\d\d:\d\d \+00:00  before$`).MatchString(dir) ||
		!strings.HasPrefix(dir, "Directory of flash0:/\n\n") || !strings.Contains(dir, "bytes total (") {
		t.Errorf("dir flash: does not list before (%d bytes):\n%s", len(saved), dir)
	}

	// Change the configuration.
	c.cmd("configure terminal", `r1\(config\)#$`)
	c.cmd("ntp server 10.9.9.9", `r1\(config\)#$`)
	c.cmd("hostname r1x", `r1x\(config\)#$`)
	c.cmd("end", `r1x#$`)
	const px = `r1x#$`

	// Copying again onto the file asks before overwriting; "n" keeps it.
	c.send("copy running-config flash:before\n")
	c.expect(`Destination filename \[before\]\? $`)
	asked, out = c.ask("", `Do you want to over write\? \[confirm\]$`, "n", px)
	if !strings.Contains(asked, "%Warning:There is a file already existing with this name \nDo you want to over write? [confirm]") {
		t.Errorf("overwrite question: %q", asked)
	}
	if out != "" {
		t.Errorf("declined overwrite printed %q", out)
	}
	if got := c.cmd("more flash:before", px); got != saved {
		t.Errorf("a declined overwrite changed the file:\n%s", got)
	}
	// Another file, overwritten with confirmation.
	c.ask("copy running-config flash:after", `\? $`, "", px)
	c.send("copy running-config flash:after\n")
	c.expect(`Destination filename \[after\]\? $`)
	if _, out = c.ask("", `\[confirm\]$`, "", px); !bytesCopiedRE.MatchString(out) {
		t.Errorf("confirmed overwrite printed %q", out)
	}

	// configure replace without force asks; "n" changes nothing.
	asked, out = c.ask("configure replace flash:before", `\? \[no\]: $`, "n", px)
	if !strings.HasSuffix(asked, iosReplaceQuestion) {
		t.Errorf("configure replace asked %q", asked)
	}
	if out != "" || !strings.Contains(d.RunningConfig(), "ntp server 10.9.9.9") {
		t.Errorf("declined configure replace printed %q or changed the configuration", out)
	}
	// "y" replaces the running configuration with the file.
	if _, out = c.ask("configure replace flash:before", `\? \[no\]: $`, "y", p); out != "Total number of passes: 1\nRollback Done\n\n" {
		t.Errorf("configure replace printed %q", out)
	}
	if got, want := stripVolatile(c.cmd("show running-config", p)), stripVolatile(saved); got != want {
		t.Errorf("after configure replace the running-config differs from the file:\n%s\n---\n%s", got, want)
	}
	// Nothing left to change: no pass.
	if out = c.cmd("configure replace flash:before force", p); out != "Total number of passes: 0\nRollback Done\n\n" {
		t.Errorf("configure replace with nothing to do printed %q", out)
	}
	// With force it does not ask.
	if out = c.cmd("configure replace flash:after force", px); out != "Total number of passes: 1\nRollback Done\n\n" {
		t.Errorf("configure replace force printed %q", out)
	}
	if !strings.Contains(d.RunningConfig(), "ntp server 10.9.9.9") {
		t.Errorf("configure replace flash:after did not restore the change")
	}
	c.cmd("configure replace flash0:/before force", p)
	if got, want := stripVolatile(d.RunningConfig()), stripVolatile(saved); got != want {
		t.Errorf("configure replace flash0:/before: running-config differs from the file")
	}

	// The saved startup-config is a restore point too.
	c.cmd("configure terminal", `r1\(config\)#$`)
	c.cmd("logging host 10.8.8.8", `r1\(config\)#$`)
	c.cmd("end", p)
	c.cmd("configure replace nvram:startup-config force", p)
	if strings.Contains(d.RunningConfig(), "10.8.8.8") {
		t.Errorf("configure replace nvram:startup-config kept an unsaved line")
	}

	// Errors.
	before := d.RunningConfig()
	if out = c.cmd("configure replace flash:missing force", p); out != "Error: Could not open file flash:missing for reading\n" {
		t.Errorf("missing file: %q", out)
	}
	if out = c.cmd("configure replace flash:vios-adventerprisek9-m force", p); out != "%The input file is not a valid config file.\n" {
		t.Errorf("an image as configuration: %q", out)
	}
	if out = c.cmd("configure replace tftp:x force", p); !strings.Contains(out, "% Invalid input detected at '^' marker.") {
		t.Errorf("unknown filesystem: %q", out)
	}
	if d.RunningConfig() != before {
		t.Errorf("a failed configure replace changed the running-config")
	}
	if out = c.cmd("more flash:missing", p); out != "%Error opening flash0:/missing (No such file or directory)\n" {
		t.Errorf("more missing: %q", out)
	}

	// delete asks the name and a confirmation; /force asks nothing.
	c.send("delete flash:after\n")
	if got := c.expect(`Delete filename \[after\]\? $`); !strings.HasSuffix(got, "Delete filename [after]? ") {
		t.Errorf("delete asked %q", got)
	}
	if asked, out = c.ask("", `\[confirm\]$`, "", p); !strings.HasSuffix(asked, "Delete flash0:/after? [confirm]") || out != "" {
		t.Errorf("delete: asked %q, printed %q", asked, out)
	}
	if out = c.cmd("delete /force flash:before", p); out != "" {
		t.Errorf("delete /force printed %q", out)
	}
	dir = c.cmd("dir flash:", p)
	wantNone(t, "dir after delete", dir, "before", "after")
	wantAll(t, "dir after delete", dir, "vios-adventerprisek9-m")
	if out = c.cmd("delete /force flash:before", p); out != "%Error deleting flash0:/before (No such file or directory)\n" {
		t.Errorf("delete missing: %q", out)
	}
	if out = c.cmd("configure replace flash:before force", p); !strings.Contains(out, "Could not open file flash:before") {
		t.Errorf("configure replace of a deleted file: %q", out)
	}

	// A name typed at the destination question replaces the proposed one.
	if _, out = c.ask("copy running-config flash:proposed", `Destination filename \[proposed\]\? $`, "typed", p); !bytesCopiedRE.MatchString(out) {
		t.Errorf("copy to a typed name: %q", out)
	}
	if dir = c.cmd("dir", p); !strings.Contains(dir, "  typed\n") || strings.Contains(dir, "proposed") {
		t.Errorf("dir after copy to a typed name:\n%s", dir)
	}

	// "file prompt quiet" turns the file questions off.
	c.cmd("configure terminal", `r1\(config\)#$`)
	c.cmd("file prompt quiet", `r1\(config\)#$`)
	c.cmd("end", p)
	if out = c.cmd("copy running-config flash:quiet", p); !bytesCopiedRE.MatchString(out) {
		t.Errorf("quiet copy: %q", out)
	}
	if out = c.cmd("copy running-config flash:quiet", p); !bytesCopiedRE.MatchString(out) {
		t.Errorf("quiet overwrite: %q", out)
	}
	if out = c.cmd("delete flash:quiet", p); out != "" || strings.Contains(c.cmd("dir", p), "quiet") {
		t.Errorf("quiet delete: %q", out)
	}

	// None of it from user EXEC.
	c.cmd("disable", `r1>$`)
	for _, cmd := range []string{"copy running-config flash:x", "configure replace flash:x force", "dir flash:", "delete /force flash:x"} {
		if out = c.cmd(cmd, `r1>$`); !strings.Contains(out, "% Invalid input detected at '^' marker.") {
			t.Errorf("%s at r1>: %q", cmd, out)
		}
	}
}

// TestEOSFlashRestorePoint: copy to flash, list, replace, delete, and the
// refusal of user EXEC.
func TestEOSFlashRestorePoint(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "eos1", Platform: AristaEOS}}})
	d := f.Device("eos1")
	c := dial(t, d)
	c.expect(`eos1>$`)
	for _, cmd := range []string{"configure replace flash:rollback-0", "copy running-config flash:rollback-0", "show running-config"} {
		if out := c.cmd(cmd, `eos1>$`); out != "% Invalid input (privileged mode required)\n" {
			t.Errorf("%s at eos1>: %q", cmd, out)
		}
	}
	if out := c.cmd("show foo", `eos1>$`); out != "% Invalid input (at token 1: 'foo')\n" {
		t.Errorf("an unknown command at eos1>: %q", out)
	}
	c.send("enable\n")
	c.expect("Password: $")
	c.send(d.Secret() + "\n")
	const p = `eos1#$`
	c.expect(p)
	c.cmd("terminal length 0", p)

	if out := c.cmd("copy running-config flash:rollback-0", p); out != "Copy completed successfully.\n" {
		t.Errorf("copy: %q", out)
	}
	saved := d.RunningConfig()
	dir := c.cmd("dir flash:", p)
	if !regexp.MustCompile(`(?m)^       -rwx +`+fmt.Sprint(len(saved))+` +[A-Z][a-z]{2} +\d+ \d\d:\d\d  rollback-0$`).MatchString(dir) ||
		!strings.HasPrefix(dir, "Directory of flash:/\n\n") {
		t.Errorf("dir flash: does not list rollback-0 (%d bytes):\n%s", len(saved), dir)
	}

	c.cmd("configure", `eos1\(config\)#$`)
	c.cmd("ntp server 10.9.9.9", `eos1\(config\)#$`)
	c.cmd("interface Ethernet3", `eos1\(config-if-Et3\)#$`)
	c.cmd("description changed", `eos1\(config-if-Et3\)#$`)
	c.cmd("end", p)
	if !strings.Contains(d.RunningConfig(), "ntp server 10.9.9.9") {
		t.Fatal("the change did not land")
	}
	if out := c.cmd("configure replace flash:rollback-0", p); out != "" {
		t.Errorf("configure replace printed %q", out)
	}
	if got := c.cmd("show running-config", p); got != saved {
		t.Errorf("after configure replace the running-config differs from the file:\n%s\n---\n%s", got, saved)
	}

	before := d.RunningConfig()
	if out := c.cmd("configure replace flash:nope", p); out != "% Error copying flash:/nope to running-config (No such file or directory)\n" {
		t.Errorf("missing file: %q", out)
	}
	if out := c.cmd("delete flash:rollback-0", p); out != "" {
		t.Errorf("delete printed %q", out)
	}
	if dir := c.cmd("dir flash:", p); strings.Contains(dir, "rollback-0") || !strings.Contains(dir, "vEOS-lab.swi") {
		t.Errorf("dir after delete:\n%s", dir)
	}
	if out := c.cmd("delete flash:rollback-0", p); out != "% Error deleting flash:/rollback-0 (No such file or directory)\n" {
		t.Errorf("delete missing: %q", out)
	}
	if d.RunningConfig() != before {
		t.Errorf("failed commands changed the running-config")
	}
	// startup-config to a file (NAPALM's EOS restore point).
	if out := c.cmd("copy startup-config flash:rollback-1", p); out != "Copy completed successfully.\n" {
		t.Errorf("copy startup-config: %q", out)
	}
	c.cmd("configure replace flash:rollback-1", p)
	if d.RunningConfig() != d.StartupConfig() {
		t.Errorf("configure replace of the saved startup-config:\n%s\n---\n%s", d.RunningConfig(), d.StartupConfig())
	}
}

// TestNXOSCheckpoints: checkpoint, summary, rollback, errors, removal.
func TestNXOSCheckpoints(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "nx1", Platform: CiscoNXOS}}})
	d := f.Device("nx1")
	c := dial(t, d)
	const p = `nx1# $`
	c.expect(p)
	c.cmd("terminal length 0", p)
	original := c.cmd("show running-config", p)

	if out := c.cmd("checkpoint before", p); out != "Done\n" {
		t.Errorf("checkpoint: %q", out)
	}
	if out := c.cmd("checkpoint before", p); out != "ERROR: Checkpoint name is in use already\n" {
		t.Errorf("checkpoint with a name in use: %q", out)
	}
	sum := c.cmd("show checkpoint summary", p)
	if !regexp.MustCompile(`^User Checkpoint Summary\n-{80}\n1\) before:\nCreated by admin\nCreated at [A-Z][a-z]{2}, \d\d:\d\d:\d\d \d\d [A-Z][a-z]{2} \d{4}\nSize is [\d,]+ bytes\nDescription: None\n\nSystem Checkpoint Summary\n-{80}\n$`).MatchString(sum) {
		t.Errorf("show checkpoint summary:\n%s", sum)
	}

	c.cmd("configure terminal", `nx1\(config\)# $`)
	c.cmd("ntp server 10.9.9.9 use-vrf management", `nx1\(config\)# $`)
	c.cmd("interface loopback9", `nx1\(config-if\)# $`)
	c.cmd("description temporary", `nx1\(config-if\)# $`)
	c.cmd("end", p)
	if !strings.Contains(d.RunningConfig(), "interface loopback9") {
		t.Fatal("the change did not land")
	}
	out := c.cmd("rollback running-config checkpoint before", p)
	if !strings.HasPrefix(out, "Note: Applying config parallelly may fail Rollback verification\nCollecting Running-Config\n#Generating Rollback Patch\nExecuting Rollback Patch\n") ||
		!strings.HasSuffix(strings.TrimRight(out, "\n"), "Verification is Successful.\n\nRollback completed successfully.") {
		t.Errorf("rollback printed:\n%s", out)
	}
	if got, want := stripVolatile(c.cmd("show running-config", p)), stripVolatile(original); got != want {
		t.Errorf("after rollback the running-config differs from the checkpoint:\n%s\n---\n%s", got, want)
	}

	before := d.RunningConfig()
	if out := c.cmd("rollback running-config checkpoint nope", p); out != "ERROR: Checkpoint nope does not exist\n" {
		t.Errorf("rollback to an unknown checkpoint: %q", out)
	}
	if d.RunningConfig() != before {
		t.Errorf("a failed rollback changed the running-config")
	}
	if out := c.cmd("checkpoint", p); out != "Done\n" {
		t.Errorf("checkpoint without a name: %q", out)
	}
	if out := c.cmd("no checkpoint before", p); out != "" {
		t.Errorf("no checkpoint: %q", out)
	}
	sum = c.cmd("show checkpoint summary", p)
	wantNone(t, "summary after no checkpoint", sum, "before:")
	wantAll(t, "summary after no checkpoint", sum, "1) user-checkpoint-1:\n")
	if out := c.cmd("rollback running-config checkpoint before", p); out != "ERROR: Checkpoint before does not exist\n" {
		t.Errorf("rollback to a removed checkpoint: %q", out)
	}
	if out := c.cmd("no checkpoint before", p); !strings.HasPrefix(out, "ERROR: ") {
		t.Errorf("no checkpoint of an unknown name: %q", out)
	}
	for i := 2; i <= nxosMaxCheckpoints; i++ {
		c.cmd(fmt.Sprintf("checkpoint c%d", i), p)
	}
	if out := c.cmd("checkpoint one-too-many", p); !strings.HasPrefix(out, "ERROR: ") {
		t.Errorf("an eleventh checkpoint: %q", out)
	}
	// A reload clears the checkpoints, as on NX-OS.
	c.send("reload\n")
	c.expect(`\(y/n\)\?  \[n\] $`)
	c.send("y\n")
	if _, err := c.expectErr(p, 5*time.Second); err != io.EOF {
		t.Fatalf("reload did not drop the session: %v", err)
	}
	c = dial(t, d)
	c.expect(p)
	if sum := c.cmd("show checkpoint summary", p); strings.Contains(sum, "1) ") {
		t.Errorf("checkpoints after reload:\n%s", sum)
	}
}

const (
	vmxOp  = `admin@vmx1> $`
	vmxCfg = `admin@vmx1# $`
)

var commitLineRE = regexp.MustCompile(`^(\d+) +(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC) by (\S+) via (\S+)(.*)$`)

// commitHistory parses "show system commit" into "N by USER via METHOD[ rest]".
func commitHistory(t *testing.T, out string) []string {
	t.Helper()
	var got []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if m := commitLineRE.FindStringSubmatch(l); m != nil {
			got = append(got, m[1]+" by "+m[3]+" via "+m[4]+m[5])
		} else if strings.HasPrefix(l, "    ") && len(got) > 0 {
			got[len(got)-1] += " | " + strings.TrimSpace(l)
		} else {
			t.Errorf("show system commit: unexpected line %q", l)
		}
	}
	return got
}

func junosLogin(t *testing.T, d *Device) *testClient {
	t.Helper()
	c := dial(t, d)
	c.expect(vmxOp)
	c.cmd("set cli screen-length 0", vmxOp)
	return c
}

// TestJunosCommitHistoryAndRollback: history entries, rollback N + commit.
func TestJunosCommitHistoryAndRollback(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "vmx1", Platform: JuniperJunos}}})
	d := f.Device("vmx1")
	c := junosLogin(t, d)
	if got := commitHistory(t, c.cmd("show system commit", vmxOp)); strings.Join(got, ";") != "0 by root via other" {
		t.Errorf("history at boot: %q", got)
	}
	original := c.cmd("show configuration", vmxOp)
	c.cmd("configure", vmxCfg)
	c.cmd("set system ntp server 10.9.9.9", vmxCfg)
	if out := c.jcmd(`commit comment "add ntp"`, vmxCfg); out != "commit complete\n" {
		t.Errorf("commit: %q", out)
	}
	hist := c.jcmd("run show system commit", vmxCfg)
	if !regexp.MustCompile(`^0   \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by admin via cli\n    add ntp\n1   `).MatchString(hist) {
		t.Errorf("show system commit after a commit:\n%s", hist)
	}
	if got := commitHistory(t, hist); strings.Join(got, ";") != "0 by admin via cli | add ntp;1 by root via other" {
		t.Errorf("history after a commit: %q", got)
	}
	// rollback 1 loads the configuration before the commit; commit makes it active.
	if out := c.jcmd("rollback 1", vmxCfg); out != "load complete\n" {
		t.Errorf("rollback 1: %q", out)
	}
	if !strings.Contains(d.RunningConfig(), "10.9.9.9") {
		t.Errorf("rollback 1 changed the active configuration before the commit")
	}
	c.cmd("commit", vmxCfg)
	c.cmd("exit", vmxOp)
	if got, want := stripVolatile(c.cmd("show configuration", vmxOp)), stripVolatile(original); got != want {
		t.Errorf("after rollback 1 + commit:\n%s\n---\n%s", got, want)
	}
	wantNone(t, "display set", c.cmd("show configuration | display set", vmxOp), "10.9.9.9")
	if got := commitHistory(t, c.cmd("show system commit", vmxOp)); strings.Join(got, ";") != "0 by admin via cli;1 by admin via cli | add ntp;2 by root via other" {
		t.Errorf("history after rollback 1 + commit: %q", got)
	}
	// rollback 2 is the boot configuration again: the history and the
	// configurations stay aligned.
	c.cmd("configure", vmxCfg)
	c.cmd("rollback 2", vmxCfg)
	if out := c.jcmd("show | compare", vmxCfg); out != "" {
		t.Errorf("rollback 2 differs from the active configuration:\n%s", out)
	}
}

func pending(d *Device) *junosPending {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st.junosPending
}

// TestJunosCommitConfirmedConfirmed: a commit confirmed kept by a later
// commit or commit check; the timer is stopped.
func TestJunosCommitConfirmedConfirmed(t *testing.T) {
	for _, confirm := range []string{"commit", "commit check", "commit and-quit"} {
		t.Run(confirm, func(t *testing.T) {
			f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "vmx1", Platform: JuniperJunos}}})
			d := f.Device("vmx1")
			c := junosLogin(t, d)
			c.cmd("configure", vmxCfg)
			c.cmd("set system ntp server 10.9.9.9", vmxCfg)
			c.send("commit confirmed 5\n")
			out := strings.ReplaceAll(c.expect(vmxCfg), "\r\n", "\n")
			want := "commit confirmed 5\ncommit confirmed will be automatically rolled back in 5 minutes unless confirmed\ncommit complete\n\n# commit confirmed will be rolled back in 5 minutes\n[edit]\nadmin@vmx1# "
			if out != want {
				t.Errorf("commit confirmed 5:\n%q\nwant\n%q", out, want)
			}
			if !strings.Contains(d.RunningConfig(), "10.9.9.9") {
				t.Errorf("commit confirmed did not commit")
			}
			if got := commitHistory(t, c.jcmd("run show system commit", vmxCfg)); len(got) != 2 || got[0] != "0 by admin via cli commit confirmed, rollback in 5mins" {
				t.Errorf("history while pending: %q", got)
			}
			c.send(confirm + "\n")
			if confirm == "commit and-quit" {
				out = c.expect(vmxOp)
			} else {
				out = c.expect(vmxCfg)
			}
			if strings.Contains(out, "# commit confirmed") {
				t.Errorf("%s left the rollback pending:\n%s", confirm, out)
			}
			if pending(d) != nil {
				t.Fatalf("%s did not confirm", confirm)
			}
			// Even with a minute of a millisecond nothing rolls back now.
			d.SetFaults(Faults{Minute: time.Millisecond})
			for i := 0; i < 20; i++ {
				time.Sleep(5 * time.Millisecond)
				if !strings.Contains(d.RunningConfig(), "10.9.9.9") {
					t.Fatalf("the confirmed commit was rolled back")
				}
			}
			if confirm == "commit and-quit" {
				c.cmd("configure", vmxCfg)
			}
			want = "0 by admin via cli;1 by admin via cli commit confirmed, rollback in 5mins;2 by root via other"
			if confirm == "commit check" {
				want = "0 by admin via cli commit confirmed, rollback in 5mins;1 by root via other"
			}
			if got := commitHistory(t, c.jcmd("run show system commit", vmxCfg)); strings.Join(got, ";") != want {
				t.Errorf("history after %s: %q, want %q", confirm, got, want)
			}
		})
	}
}

// TestJunosCommitConfirmedRollsBack: not confirmed, the device rolls the
// configuration back by itself, after the session that made the commit
// is gone, and records it in the history as Junos does.
func TestJunosCommitConfirmedRollsBack(t *testing.T) {
	// A device minute of an hour: nothing can fire before the test says so.
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "vmx1", Platform: JuniperJunos}},
		Faults: Faults{Minute: time.Hour}})
	d := f.Device("vmx1")
	before := d.RunningConfig()
	c := junosLogin(t, d)
	c.cmd("configure", vmxCfg)
	c.cmd("set system ntp server 10.9.9.9", vmxCfg)
	c.cmd("set system host-name vmx9", `admin@vmx1# $`)
	if out := c.cmd("commit confirmed 1", `admin@vmx9# $`); !strings.HasPrefix(out, "commit confirmed will be automatically rolled back in 1 minutes unless confirmed\ncommit complete\n\n# commit confirmed will be rolled back in 1 minutes\n[edit]\n") {
		t.Errorf("commit confirmed 1: %q", out)
	}
	c.close()
	waitFor(t, "the session to close", func() bool { return d.Sessions() == 0 })
	if !strings.Contains(d.RunningConfig(), "10.9.9.9") || d.Hostname() != "vmx9" {
		t.Fatalf("rolled back before the time")
	}
	// The device's minute shrinks: the timer, owned by the device, fires.
	d.SetFaults(Faults{Minute: 20 * time.Millisecond})
	waitFor(t, "the automatic rollback", func() bool { return d.RunningConfig() == before })
	if d.Hostname() != "vmx1" {
		t.Errorf("hostname after the rollback: %q", d.Hostname())
	}

	c = junosLogin(t, d)
	if got := commitHistory(t, c.cmd("show system commit", vmxOp)); strings.Join(got, ";") != "0 by root via other;1 by admin via cli commit confirmed, rollback in 1mins;2 by root via other" {
		t.Errorf("history after the automatic rollback: %q", got)
	}
	wantNone(t, "show configuration", c.cmd("show configuration", vmxOp), "10.9.9.9", "vmx9")
	wantNone(t, "display set", c.cmd("show configuration | display set", vmxOp), "10.9.9.9", "vmx9")
	if cfg := c.cmd("configure", vmxCfg); strings.Contains(cfg, "# commit confirmed") {
		t.Errorf("the rollback left a pending banner: %q", cfg)
	}
	if out := c.jcmd("show | compare", vmxCfg); out != "" {
		t.Errorf("the candidate differs from the rolled-back configuration:\n%s", out)
	}
}

// TestJunosCommitConfirmedErrors: the accepted range and the default.
func TestJunosCommitConfirmedErrors(t *testing.T) {
	f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: "vmx1", Platform: JuniperJunos}}})
	d := f.Device("vmx1")
	c := junosLogin(t, d)
	c.cmd("configure", vmxCfg)
	c.cmd("set system ntp server 10.9.9.9", vmxCfg)
	for _, n := range []string{"0", "65536"} {
		out := c.cmd("commit confirmed "+n, vmxCfg)
		if !strings.Contains(out, "Value "+n+" is not within range (1..65535)") {
			t.Errorf("commit confirmed %s: %q", n, out)
		}
		if col, want := caretColumn(out), len("admin@vmx1# commit confirmed "); col != want {
			t.Errorf("commit confirmed %s: caret at %d, want %d", n, col, want)
		}
	}
	if out := c.cmd("commit frobnicate", vmxCfg); !strings.Contains(out, "syntax error") {
		t.Errorf("commit frobnicate: %q", out)
	}
	if strings.Contains(d.RunningConfig(), "10.9.9.9") || pending(d) != nil {
		t.Errorf("a rejected commit committed")
	}
	if out := c.cmd("commit confirmed", vmxCfg); !strings.HasPrefix(out, "commit confirmed will be automatically rolled back in 10 minutes unless confirmed\n") {
		t.Errorf("commit confirmed without minutes: %q", out)
	}
	// A reboot before the confirmation rolls the commit back.
	c.cmd("exit", vmxOp)
	c.send("request system reboot\n")
	c.expect(`\[yes,no\] \(no\) $`)
	c.send("yes\n")
	if _, err := c.expectErr(vmxOp, 5*time.Second); err != io.EOF {
		t.Fatalf("the reboot did not drop the session: %v", err)
	}
	if strings.Contains(d.RunningConfig(), "10.9.9.9") || pending(d) != nil {
		t.Errorf("the unconfirmed commit survived the reboot")
	}
	c = junosLogin(t, d)
	if got := commitHistory(t, c.cmd("show system commit", vmxOp)); len(got) != 3 || got[0] != "0 by root via other" {
		t.Errorf("history after the reboot: %q", got)
	}
}

// TestConfirmTimerStopsWithFleet: Close waits for a pending timer's
// goroutine, which ends at once.
func TestConfirmTimerStopsWithFleet(t *testing.T) {
	before := runtime.NumGoroutine()
	f, err := StartFleet(context.Background(), FleetSpec{Devices: []DeviceSpec{{Name: "vmx1", Platform: JuniperJunos}}})
	if err != nil {
		t.Fatal(err)
	}
	d := f.Device("vmx1")
	c := junosLogin(t, d)
	c.cmd("configure", vmxCfg)
	c.cmd("set system ntp server 10.9.9.9", vmxCfg)
	c.cmd("commit confirmed 60", vmxCfg)
	c.close()
	if pending(d) == nil {
		t.Fatal("no timer armed")
	}
	done := make(chan struct{})
	go func() { f.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	waitFor(t, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= before })
}

// TestNoHangupOnExit: with the fault, "exit" at the top level leaves the
// connection open and the device answers the next command.
func TestNoHangupOnExit(t *testing.T) {
	tests := []struct {
		platform, name, prompt, cmd, want string
	}{
		{CiscoIOS, "r1", `r1>$`, "show privilege", "Current privilege level is 1"},
		{CiscoNXOS, "nx1", `nx1# $`, "show hostname", "nx1.lab.local"},
		{AristaEOS, "eos1", `eos1>$`, "show hostname", "Hostname: eos1"},
		{JuniperJunos, "vmx1", `admin@vmx1> $`, "show system commit", "by root via other"},
		{Linux, "srv1", `admin@srv1:~\$ $`, "whoami", "admin"},
	}
	for _, tt := range tests {
		t.Run(tt.platform, func(t *testing.T) {
			for _, fault := range []bool{false, true} {
				f := startFleet(t, FleetSpec{Devices: []DeviceSpec{{Name: tt.name, Platform: tt.platform, Faults: &Faults{NoHangupOnExit: fault}}}})
				d := f.Device(tt.name)
				c := dial(t, d)
				c.expect(tt.prompt)
				c.send("exit\n")
				out, err := c.expectErr(tt.prompt, 5*time.Second)
				if !fault {
					if err != io.EOF {
						t.Errorf("without the fault exit did not hang up: %v %q", err, out)
					}
					continue
				}
				if err != nil {
					t.Fatalf("with no_hangup_on_exit: %v after exit, got %q", err, out)
				}
				if got := c.cmd(tt.cmd, tt.prompt); !strings.Contains(got, tt.want) {
					t.Errorf("%s after exit: %q", tt.cmd, got)
				}
				if n := d.Sessions(); n != 1 {
					t.Errorf("Sessions() = %d after exit, want 1", n)
				}
			}
		})
	}
}
