package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/runbook-dev/runbook/hcl"
	"github.com/runbook-dev/runbook/lab"
)

// Lab credentials: loopback only, so fixed and documented.
const (
	labUser   = "admin"
	labPass   = "admin"
	labSecret = "admin"
)

// labRun is a lab fleet standing in for an inventory.
type labRun struct {
	fleet   *lab.Fleet
	hosts   []*hcl.Host
	tempDir string
}

// startLab starts one lab device per host, of the host's platform, and
// returns copies of the hosts pointing at them. Host keys stay checked:
// the lab's keys go into a known_hosts file of this run.
func startLab(ctx context.Context, hosts []*hcl.Host) (*labRun, error) {
	spec := lab.FleetSpec{Seed: "runbook apply --lab"}
	for _, h := range hosts {
		spec.Devices = append(spec.Devices, lab.DeviceSpec{
			Name: h.Name, Platform: h.Platform,
			Username: labUser, Password: labPass, Secret: labSecret,
		})
	}
	// The fleet lives until Close, not until ctx ends: an interrupted run
	// still closes its sessions cleanly against it.
	fleet, err := lab.StartFleet(context.WithoutCancel(ctx), spec)
	if err != nil {
		return nil, err
	}
	lr := &labRun{fleet: fleet}
	lr.tempDir, err = os.MkdirTemp("", "runbook-lab-")
	if err != nil {
		lr.Close()
		return nil, err
	}
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

func (lr *labRun) Close() {
	if lr.fleet != nil {
		_ = lr.fleet.Close()
	}
	if lr.tempDir != "" {
		_ = os.RemoveAll(lr.tempDir)
	}
}
