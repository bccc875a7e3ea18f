package lab

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"golang.org/x/crypto/ssh"
)

// ServeOptions configures "runbook lab serve".
type ServeOptions struct {
	Devices    int    // number of devices; default 1
	Platform   string // a platform or alias; "mixed" cycles through all seven; default cisco_ios
	BasePort   int    // 0: ephemeral ports
	ListenAddr string // loopback only; default 127.0.0.1
	NamePrefix string // device names are NamePrefix1..N; default from the platform ("r", "nx", "eos", "vmx", "srv", "xr", "asa")
	Seed       string // host key seed; default "runbook-lab"
	Latency    time.Duration
	// Minute is the length of a device minute for the devices' own timers
	// (Junos "commit confirmed N"); 0 means one real minute.
	Minute time.Duration
	// Faults is a fault spec for every device, as ParseFaults reads it
	// ("no_hangup_on_exit,chunk_size=16"); Latency and Minute, when set,
	// win over the same faults in it.
	Faults   string
	Username string // default admin
	Password string // default admin
	Secret   string // default admin
	// InventoryOut, when set, receives an HCL inventory of the fleet, and
	// InventoryOut+".known_hosts" the devices' host keys, which it references.
	InventoryOut string
}

// DefaultSeed keeps host keys stable between "lab serve" runs, so
// known_hosts written by one run still holds for the next.
const DefaultSeed = "runbook-lab"

// FleetSpecFor builds the fleet "lab serve" starts.
func FleetSpecFor(o ServeOptions) (FleetSpec, error) {
	n := o.Devices
	if n <= 0 {
		n = 1
	}
	plats := []string{CiscoIOS}
	switch p := strings.ToLower(o.Platform); p {
	case "":
	case "mixed", "all":
		plats = []string{CiscoIOS, CiscoNXOS, AristaEOS, JuniperJunos, Linux, CiscoXR, CiscoASA}
	default:
		np := NormalizePlatform(p)
		if np == "" {
			return FleetSpec{}, fmt.Errorf("lab: unknown platform %q (want cisco_ios, cisco_nxos, arista_eos, juniper_junos, linux, cisco_xr, cisco_asa or mixed)", o.Platform)
		}
		plats = []string{np}
	}
	seed := o.Seed
	if seed == "" {
		seed = DefaultSeed
	}
	faults, err := ParseFaults(o.Faults)
	if err != nil {
		return FleetSpec{}, fmt.Errorf("lab: faults: %w", err)
	}
	if o.Latency > 0 {
		faults.Latency = o.Latency
	}
	if o.Minute > 0 {
		faults.Minute = o.Minute
	}
	spec := FleetSpec{BasePort: o.BasePort, ListenAddr: o.ListenAddr, Seed: seed, Faults: faults}
	for i := 0; i < n; i++ {
		p := plats[i%len(plats)]
		prefix := o.NamePrefix
		if prefix == "" {
			prefix = namePrefix[p]
		}
		spec.Devices = append(spec.Devices, DeviceSpec{
			Name: prefix + strconv.Itoa(i+1), Platform: p,
			Username: o.Username, Password: o.Password, Secret: o.Secret,
		})
	}
	return spec, nil
}

var namePrefix = map[string]string{CiscoIOS: "r", CiscoNXOS: "nx", AristaEOS: "eos", JuniperJunos: "vmx", Linux: "srv", CiscoXR: "xr", CiscoASA: "asa"}

// Serve starts a fleet, prints each device's address on stdout, writes the
// inventory when asked, and runs until ctx is cancelled (Ctrl+C).
func Serve(ctx context.Context, o ServeOptions, stdout io.Writer) error {
	spec, err := FleetSpecFor(o)
	if err != nil {
		return err
	}
	start := time.Now()
	f, err := StartFleet(ctx, spec)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(stdout, "runbook lab: %d devices up in %s\n", len(f.devices), time.Since(start).Round(time.Millisecond))
	for _, d := range f.devices {
		fmt.Fprintf(stdout, "  %-10s %-14s %s\n", d.Name(), d.Platform(), d.Addr())
	}
	// A password given with --password is the user's: never echo it.
	u, pw, sec := f.devices[0].Username(), f.devices[0].Password(), f.devices[0].Secret()
	creds := "password and enable secret as given with --password and --secret"
	if pw == "admin" && sec == "admin" {
		creds = "password admin, enable secret admin (the defaults)"
	}
	fmt.Fprintf(stdout, "credentials: username %s, %s (loopback only)\n", u, creds)
	if o.InventoryOut != "" {
		kh := o.InventoryOut + ".known_hosts"
		var khBuf, invBuf bytes.Buffer
		if err := WriteKnownHosts(&khBuf, f); err != nil {
			return err
		}
		if err := WriteInventory(&invBuf, f, InventoryOptions{KnownHostsFile: filepath.Base(kh)}); err != nil {
			return err
		}
		if err := writeFileAtomic(kh, khBuf.Bytes()); err != nil {
			return err
		}
		if err := writeFileAtomic(o.InventoryOut, invBuf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "inventory written to %s (host keys in %s)\n", o.InventoryOut, kh)
	}
	fmt.Fprintln(stdout, "press Ctrl+C to stop")
	<-ctx.Done()
	return nil
}

// writeFileAtomic makes the file appear whole or not at all.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// InventoryOptions tunes WriteInventory.
type InventoryOptions struct {
	// KnownHostsFile, when set, is referenced as known_hosts_file (relative
	// paths resolve against the inventory file) with host_key_check "strict".
	// Empty: host_key_check = "accept-new".
	KnownHostsFile string
}

// WriteInventory writes an HCL inventory block for the fleet. The
// password and enable secret are read from RUNBOOK_PASSWORD and
// RUNBOOK_SECRET with no default (a literal default for a secret is
// refused by the loader, like a plaintext secret), so the file holds no
// secret; the username defaults to the lab's.
func WriteInventory(w io.Writer, f *Fleet, o InventoryOptions) error {
	if len(f.devices) == 0 {
		return fmt.Errorf("lab: empty fleet")
	}
	d0 := f.devices[0]
	var b strings.Builder
	fmt.Fprintf(&b, "# runbook lab: %d simulated devices on %s.\n", len(f.devices), strings.Split(d0.Addr(), ":")[0])
	b.WriteString("# Set RUNBOOK_PASSWORD and RUNBOOK_SECRET to the lab's password and enable\n# secret (admin and admin unless lab serve was given --password, --secret).\n")
	b.WriteString("inventory {\n  defaults {\n")
	fmt.Fprintf(&b, "    username = env(\"RUNBOOK_USERNAME\", %q)\n", d0.Username())
	b.WriteString("    password = env(\"RUNBOOK_PASSWORD\")\n")
	b.WriteString("    secret   = env(\"RUNBOOK_SECRET\")\n")
	if o.KnownHostsFile != "" {
		b.WriteString("    host_key_check   = \"strict\"\n")
		fmt.Fprintf(&b, "    known_hosts_file = %q\n", o.KnownHostsFile)
	} else {
		b.WriteString("    host_key_check = \"accept-new\"\n")
	}
	b.WriteString("  }\n")
	for _, d := range f.devices {
		host, _, _ := strings.Cut(d.Addr(), ":")
		fmt.Fprintf(&b, "\n  host %q {\n    address  = %q\n    port     = %d\n    platform = %q\n", d.Name(), host, d.Port(), d.Platform())
		if d.Username() != d0.Username() {
			fmt.Fprintf(&b, "    username = %q\n", d.Username())
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
	// Canonical layout, so that `runbook fmt --check` passes on it.
	_, err := w.Write(hclwrite.Format([]byte(b.String())))
	return err
}

// WriteKnownHosts writes an OpenSSH known_hosts line per device
// ("[127.0.0.1]:PORT ssh-ed25519 AAAA...").
func WriteKnownHosts(w io.Writer, f *Fleet) error {
	for _, d := range f.devices {
		line := knownHostsLine(d)
		if _, err := io.WriteString(w, line+"\n"); err != nil {
			return err
		}
	}
	return nil
}

func knownHostsLine(d *Device) string {
	host, port, _ := strings.Cut(d.Addr(), ":")
	return "[" + host + "]:" + port + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(d.HostKey())))
}
