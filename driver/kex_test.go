package driver_test

import (
	"context"
	"testing"
	"time"

	"github.com/runbook-dev/runbook/driver"
	"golang.org/x/crypto/ssh"
)

// The key exchange runbook picks from what a device offers: ECDH on P-256
// before curve25519 (a third of the CPU per login), the post-quantum
// hybrid before both, and with legacy_algorithms the old groups still
// reachable.
func TestKeyExchangePreference(t *testing.T) {
	for _, tc := range []struct {
		name   string
		offer  []string
		legacy bool
		want   string
	}{
		{"network OS", []string{ssh.KeyExchangeCurve25519, ssh.KeyExchangeECDHP256, ssh.KeyExchangeDH14SHA256}, false, ssh.KeyExchangeECDHP256},
		{"post-quantum first", []string{ssh.KeyExchangeCurve25519, ssh.KeyExchangeECDHP256, ssh.KeyExchangeMLKEM768X25519}, false, ssh.KeyExchangeMLKEM768X25519},
		{"curve25519 alone", []string{ssh.KeyExchangeCurve25519}, false, ssh.KeyExchangeCurve25519},
		{"P-384 before group 14", []string{ssh.KeyExchangeDH14SHA256, ssh.KeyExchangeECDHP384}, false, ssh.KeyExchangeECDHP384},
		{"legacy group 1", []string{ssh.InsecureKeyExchangeDH1SHA1}, true, ssh.InsecureKeyExchangeDH1SHA1},
		{"legacy keeps the order", []string{ssh.InsecureKeyExchangeDH1SHA1, ssh.KeyExchangeCurve25519, ssh.KeyExchangeECDHP256}, true, ssh.KeyExchangeECDHP256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan string, 1)
			cfg := &ssh.ServerConfig{Config: ssh.Config{KeyExchanges: tc.offer}}
			host, port, kh := serveOneSSHWith(t, cfg, newSigner(t), func(c *ssh.ServerConn, ch ssh.Channel, reqs <-chan *ssh.Request) {
				defer ch.Close()
				got <- c.Conn.(ssh.AlgorithmsConnMetadata).Algorithms().KeyExchange
				go func() {
					for r := range reqs {
						r.Reply(r.Type == "pty-req" || r.Type == "shell", nil)
					}
				}()
				shellLines(ch, func(line string) (string, bool) { return "", line != "exit" })
			})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			s, err := driver.Open(ctx, driver.Config{
				Name: "r1", Address: host, Port: port, Platform: "cisco_ios",
				Username: "admin", Password: "pw", KnownHostsFile: kh, SkipSessionSetup: true,
				LegacyAlgorithms: tc.legacy, CommandTimeout: 5 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			if k := <-got; k != tc.want {
				t.Errorf("negotiated %s; want %s", k, tc.want)
			}
		})
	}
}
