package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/runbook-dev/runbook/driver"
	"github.com/runbook-dev/runbook/hcl"
)

// DriverOpener opens real SSH sessions with package driver. The logger
// receives driver warnings (such as host key checking turned off).
func DriverOpener(logger *slog.Logger) Opener {
	return func(ctx context.Context, h *hcl.Host, transcript io.Writer) (Session, error) {
		return driver.Open(ctx, DriverConfig(h, transcript, logger))
	}
}

// DriverConfig maps an inventory host to a driver configuration. This is
// the one place where secrets are revealed: they go to the driver only.
func DriverConfig(h *hcl.Host, transcript io.Writer, logger *slog.Logger) driver.Config {
	return driver.Config{
		Name:                 h.Name,
		Address:              h.Address,
		Port:                 h.Port,
		Platform:             h.Platform,
		Username:             h.Username,
		Password:             h.Password.Reveal(),
		Secret:               h.Secret.Reveal(),
		PrivateKey:           h.PrivateKey,
		PrivateKeyPassphrase: h.PrivateKeyPassphrase.Reveal(),
		HostKeyCheck:         h.HostKeyCheck,
		KnownHostsFile:       h.KnownHostsFile,
		LegacyAlgorithms:     h.LegacyAlgorithms,
		UseAgent:             h.UseAgent,
		Jump:                 jumpConfigs(h, logger),
		ConnectTimeout:       h.Timeouts.Connect,
		CommandTimeout:       h.Timeouts.Command,
		IdleTimeout:          h.Timeouts.Idle,
		Transcript:           transcript,
		Logger:               logger,
	}
}

// jumpConfigs maps the host's ProxyJump chain. A bastion gets the host's
// key, agent and host key policy but never its password or enable
// secret: those belong to the device, not to the bastion.
func jumpConfigs(h *hcl.Host, logger *slog.Logger) []driver.Config {
	var out []driver.Config
	for _, hop := range h.ProxyJump {
		user := hop.User
		if user == "" {
			user = h.Username
		}
		out = append(out, driver.Config{
			Name:                 fmt.Sprintf("%s (jump %s)", h.Name, hop.Address),
			Address:              hop.Address,
			Port:                 hop.Port,
			Platform:             "linux",
			Username:             user,
			PrivateKey:           h.PrivateKey,
			PrivateKeyPassphrase: h.PrivateKeyPassphrase.Reveal(),
			UseAgent:             h.UseAgent,
			HostKeyCheck:         h.HostKeyCheck,
			KnownHostsFile:       h.KnownHostsFile,
			LegacyAlgorithms:     h.LegacyAlgorithms,
			ConnectTimeout:       h.Timeouts.Connect,
			Logger:               logger,
		})
	}
	return out
}
