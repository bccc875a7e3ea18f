package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/internal/atomicfile"
	"github.com/runbook-dev/runbook/lab"
)

// Credentials of the lab devices that stand in for an inventory. Loopback
// only, so fixed and documented; unlike `lab serve`'s admin/admin they
// are words no device output contains, so that redacting them (as every
// secret is redacted from transcripts and reports) mangles nothing.
const (
	labUser   = "admin"
	labPass   = "runbook-lab-password"
	labSecret = "runbook-lab-enable"
)

// labRun is a lab fleet standing in for an inventory.
type labRun struct {
	fleet   *lab.Fleet
	hosts   []*hcl.Host
	tempDir string
	untrack func() // forget tempDir once removed
}

// startLab starts one lab device per host, of the host's platform, and
// returns copies of the hosts pointing at them. Host keys stay checked:
// the lab's keys go into a known_hosts file of this run.
func startLab(ctx context.Context, hosts []*hcl.Host, faultFlags []string) (*labRun, error) {
	faults, err := labFaults(hosts, faultFlags)
	if err != nil {
		return nil, err
	}
	spec := lab.FleetSpec{Seed: "runbook apply --lab"}
	for _, h := range hosts {
		spec.Devices = append(spec.Devices, lab.DeviceSpec{
			Name: h.Name, Platform: h.Platform,
			Username: labUser, Password: labPass, Secret: labSecret,
			Faults: faults[h.Name],
		})
	}
	// The fleet lives until Close, not until ctx ends: an interrupted run
	// still closes its sessions cleanly against it.
	fleet, err := lab.StartFleet(context.WithoutCancel(ctx), spec)
	if err != nil {
		return nil, err
	}
	lr := &labRun{fleet: fleet, untrack: func() {}}
	lr.tempDir, err = os.MkdirTemp("", "runbook-lab-")
	if err != nil {
		lr.Close()
		return nil, err
	}
	lr.untrack = atomicfile.Track(lr.tempDir) // a forced exit removes it too
	var kh strings.Builder
	for _, d := range fleet.Devices() {
		kh.WriteString(knownhosts.Line([]string{knownhosts.Normalize(d.Addr())}, d.HostKey()))
		kh.WriteByte('\n')
	}
	khPath := filepath.Join(lr.tempDir, "known_hosts")
	if err := os.WriteFile(khPath, []byte(kh.String()), 0o600); err != nil {
		lr.Close()
		return nil, err
	}
	for _, h := range hosts {
		d := fleet.Device(h.Name)
		if d == nil {
			lr.Close()
			return nil, fmt.Errorf("lab has no device %q", h.Name)
		}
		c := *h
		c.Address = "127.0.0.1"
		c.Port = d.Port()
		c.Username = labUser
		c.Password = hcl.NewSecret(labPass)
		c.Secret = hcl.NewSecret(labSecret)
		c.PrivateKey = ""
		c.PrivateKeyPassphrase = hcl.Secret{}
		c.HostKeyCheck = "strict"
		c.KnownHostsFile = khPath
		lr.hosts = append(lr.hosts, &c)
	}
	return lr, nil
}

// labFaults reads --lab-fault HOSTS:FAULTS flags (HOSTS a name or glob,
// FAULTS as lab.ParseFaults reads them). Flags add up: a later flag sets
// the faults it names and keeps the others a host already has.
func labFaults(hosts []*hcl.Host, flags []string) (map[string]*lab.Faults, error) {
	out := map[string]*lab.Faults{}
	for _, fl := range flags {
		pattern, spec, ok := strings.Cut(fl, ":")
		if !ok || pattern == "" {
			return nil, fmt.Errorf("--lab-fault %q: want HOSTS:FAULTS, e.g. sw2:hang=^show clock", fl)
		}
		if _, err := lab.ParseFaults(spec); err != nil {
			return nil, fmt.Errorf("--lab-fault %q: %v", fl, err)
		}
		matched := false
		for _, h := range hosts {
			ok, err := path.Match(pattern, h.Name)
			if err != nil {
				return nil, fmt.Errorf("--lab-fault %q: %v", fl, err)
			}
			if !ok {
				continue
			}
			matched = true
			if out[h.Name] == nil {
				out[h.Name] = &lab.Faults{}
			}
			_ = out[h.Name].Set(spec) // parsed above
		}
		if !matched {
			return nil, fmt.Errorf("--lab-fault %q: no selected host matches %q", fl, pattern)
		}
	}
	return out, nil
}

func (lr *labRun) Close() {
	if lr.fleet != nil {
		_ = lr.fleet.Close()
	}
	if lr.tempDir != "" {
		_ = os.RemoveAll(lr.tempDir)
		lr.untrack()
	}
}

func newLabCmd() *cobra.Command {
	labCmd := &cobra.Command{
		Use:   "lab",
		Short: "A simulated fleet of network devices on 127.0.0.1",
	}
	var (
		o     lab.ServeOptions
		quiet bool
	)
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Start a simulated fleet and run until Ctrl+C",
		Long: "serve starts --devices simulated devices, each a real SSH server on 127.0.0.1,\n" +
			"prints their addresses and, with --inventory-out, writes an HCL inventory of them\n" +
			"(and a known_hosts file beside it). Defaults: username admin, password admin,\n" +
			"enable secret admin. It refuses to listen on anything but loopback.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Devices < 1 {
				return exitWith(exitInvalid, fmt.Errorf("--devices must be 1 or more, not %d", o.Devices))
			}
			out := cmd.OutOrStdout()
			if quiet {
				out = io.Discard
			}
			if err := lab.Serve(cmd.Context(), o, out); err != nil {
				return exitWith(exitInvalid, err)
			}
			return nil
		},
	}
	fl := serve.Flags()
	fl.IntVar(&o.Devices, "devices", 1, "number of devices")
	fl.StringVar(&o.Platform, "platform", "cisco_ios", "cisco_ios, cisco_nxos, arista_eos, juniper_junos, linux, cisco_xr, cisco_asa, or mixed")
	fl.IntVar(&o.BasePort, "base-port", 0, "first port (device i listens on base-port+i); 0: ephemeral ports")
	fl.StringVar(&o.ListenAddr, "listen", "127.0.0.1", "loopback address to listen on")
	fl.DurationVar(&o.Latency, "latency", 0, "delay before each response, e.g. 20ms")
	fl.StringVar(&o.Faults, "fault", "", "faults for every device, e.g. no_hangup_on_exit,chunk_size=16 (see docs/lab.md)")
	fl.DurationVar(&o.Minute, "minute", 0, "length of a device minute for the devices' own timers (Junos commit confirmed), e.g. 1s; default one real minute")
	fl.StringVar(&o.Username, "username", "admin", "login username")
	fl.StringVar(&o.Password, "password", "admin", "login password")
	fl.StringVar(&o.Secret, "secret", "admin", "enable secret")
	fl.StringVar(&o.Seed, "seed", lab.DefaultSeed, "host key seed: the same seed gives the same host keys")
	fl.StringVar(&o.InventoryOut, "inventory-out", "", "write an HCL inventory of the fleet to this file")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print nothing")
	labCmd.AddCommand(serve)
	return labCmd
}
