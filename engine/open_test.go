package engine

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/hcl"
)

func TestDriverConfigJumpHostsGetNoDeviceSecrets(t *testing.T) {
	h := &hcl.Host{
		Name: "leaf1", Address: "192.0.2.31", Port: 22, Platform: "cisco_nxos",
		Username: "netops", Password: hcl.NewSecret("device-pw"), Secret: hcl.NewSecret("enable-pw"),
		PrivateKey: "/keys/id_ed25519", UseAgent: true,
		HostKeyCheck: "strict", KnownHostsFile: "/kh",
		ProxyJump: []hcl.JumpHost{{User: "jump", Address: "bastion1", Port: 22}, {Address: "bastion2", Port: 2222}},
	}
	cfg := DriverConfig(h, nil, nil)
	if cfg.Password != "device-pw" || cfg.Secret != "enable-pw" || !cfg.UseAgent {
		t.Errorf("device config lost its credentials: %+v", cfg)
	}
	type hop struct {
		Address, User, Password, Secret, Key, HostKeyCheck, KnownHosts string
		Port                                                           int
		Agent                                                          bool
	}
	var got []hop
	for _, j := range cfg.Jump {
		got = append(got, hop{j.Address, j.Username, j.Password, j.Secret, j.PrivateKey, j.HostKeyCheck, j.KnownHostsFile, j.Port, j.UseAgent})
	}
	want := []hop{
		{Address: "bastion1", User: "jump", Key: "/keys/id_ed25519", HostKeyCheck: "strict", KnownHosts: "/kh", Port: 22, Agent: true},
		{Address: "bastion2", User: "netops", Key: "/keys/id_ed25519", HostKeyCheck: "strict", KnownHosts: "/kh", Port: 2222, Agent: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("jump hops (-want +got):\n%s", diff)
	}
}
