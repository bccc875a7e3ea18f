package lab

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/runbook-dev/runbook/internal/sshconn"
	"golang.org/x/crypto/ssh"
)

// Fleet is a running set of simulated devices. Close it when done.
type Fleet struct {
	devices []*Device
	byName  map[string]*Device

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine the fleet starts

	closeOnce sync.Once
}

// Device is one simulated device: an SSH server plus its CLI state.
type Device struct {
	fleet    *Fleet
	index    int
	spec     DeviceSpec // defaults filled in
	platform string
	ln       net.Listener
	port     int
	signer   ssh.Signer
	authKeys []ssh.PublicKey
	started  time.Time

	mu           sync.Mutex
	faults       Faults
	received     []string
	authAttempts int
	sessions     int
	refused      int // connections closed at once (Faults.RefuseFirst)
	conns        map[net.Conn]struct{}
	st           *devState // CLI state shared by every session (guarded by mu)
}

// refuses says whether the connection just accepted is closed at once
// (Faults.Refuse, or one of the first Faults.RefuseFirst).
func (d *Device) refuses() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.faults.Refuse {
		return true
	}
	if d.refused < d.faults.RefuseFirst {
		d.refused++
		return true
	}
	return false
}

// handshakeTimeout bounds the SSH handshake and authentication, as sshd's
// LoginGraceTime does.
const handshakeTimeout = 30 * time.Second

// platformAliases maps the names inventories use to the seven simulations.
var platformAliases = map[string]string{
	CiscoIOS: CiscoIOS, "cisco_xe": CiscoIOS, "cisco_ios_xe": CiscoIOS, "ios": CiscoIOS, "iosxe": CiscoIOS,
	CiscoNXOS: CiscoNXOS, "nxos": CiscoNXOS, "cisco_nxos_ssh": CiscoNXOS,
	AristaEOS: AristaEOS, "eos": AristaEOS,
	JuniperJunos: JuniperJunos, "juniper": JuniperJunos, "junos": JuniperJunos,
	Linux: Linux, "linux_ssh": Linux,
	CiscoXR: CiscoXR, "cisco_iosxr": CiscoXR, "iosxr": CiscoXR, "ios_xr": CiscoXR,
	CiscoASA: CiscoASA, "asa": CiscoASA, "cisco_asa_ssh": CiscoASA,
	HPComware: HPComware, "comware": HPComware, "hp_comware_ssh": HPComware,
	HuaweiVRP: HuaweiVRP, "huawei": HuaweiVRP, "vrp": HuaweiVRP, "huawei_vrpv8": HuaweiVRP,
	MikrotikRouterOS: MikrotikRouterOS, "routeros": MikrotikRouterOS, "mikrotik": MikrotikRouterOS,
}

// NormalizePlatform returns the lab platform for a platform name or alias,
// or "" when the lab does not simulate it.
func NormalizePlatform(p string) string {
	return platformAliases[strings.ToLower(strings.TrimSpace(p))]
}

// StartFleet starts one SSH server per device on the loopback interface and
// returns once every server listens. ctx bounds the fleet's life: cancelling
// it has the same effect as Close (but Close is still needed to wait).
func StartFleet(ctx context.Context, spec FleetSpec) (*Fleet, error) {
	host := spec.ListenAddr
	if host == "" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		// The lab accepts admin/admin: it must never be reachable from the network.
		return nil, fmt.Errorf("lab: listen address %q is not a loopback address", host)
	}
	if spec.BasePort < 0 || spec.BasePort+len(spec.Devices) > 65536 {
		return nil, fmt.Errorf("lab: base port %d cannot hold %d devices", spec.BasePort, len(spec.Devices))
	}
	fctx, cancel := context.WithCancel(ctx)
	f := &Fleet{byName: make(map[string]*Device, len(spec.Devices)), ctx: fctx, cancel: cancel}
	for i, ds := range spec.Devices {
		d, err := newDevice(f, i, ds, spec)
		if err == nil {
			if _, dup := f.byName[d.spec.Name]; dup {
				err = fmt.Errorf("lab: duplicate device name %q", d.spec.Name)
			}
		}
		if err == nil {
			port := 0
			if spec.BasePort > 0 {
				port = spec.BasePort + i
			}
			d.ln, err = net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
			if err != nil {
				err = fmt.Errorf("lab: device %s: %w", d.spec.Name, err)
			}
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		d.port = d.ln.Addr().(*net.TCPAddr).Port
		f.devices = append(f.devices, d)
		f.byName[d.spec.Name] = d
	}
	for _, d := range f.devices {
		f.wg.Add(1)
		go d.acceptLoop()
	}
	// Cancelling the caller's ctx stops the servers; Close still waits.
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		<-fctx.Done()
		f.shutdown()
	}()
	return f, nil
}

func newDevice(f *Fleet, i int, ds DeviceSpec, spec FleetSpec) (*Device, error) {
	if ds.Name == "" {
		ds.Name = fmt.Sprintf("dev%d", i+1)
	}
	p := NormalizePlatform(ds.Platform)
	if ds.Platform == "" {
		p = CiscoIOS
	}
	if p == "" {
		return nil, fmt.Errorf("lab: device %s: unsupported platform %q", ds.Name, ds.Platform)
	}
	if ds.Username == "" {
		ds.Username = "admin"
	}
	if ds.Password == "" {
		ds.Password = "admin"
	}
	if ds.Secret == "" {
		ds.Secret = "admin"
	}
	d := &Device{fleet: f, index: i, spec: ds, platform: p, conns: map[net.Conn]struct{}{}, started: time.Now()}
	if ds.Faults != nil {
		d.faults = *ds.Faults
	} else {
		d.faults = spec.Faults
	}
	// ed25519 from a hash of seed+name: stable across runs and cheap enough
	// for thousands of devices (RSA generation would take minutes).
	sum := sha256.Sum256([]byte("runbook-lab\x00" + spec.Seed + "\x00" + ds.Name))
	signer, err := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(sum[:]))
	if err != nil {
		return nil, err
	}
	d.signer = signer
	rest := ds.AuthorizedKeys
	for len(strings.TrimSpace(string(rest))) > 0 {
		var k ssh.PublicKey
		k, _, _, rest, err = ssh.ParseAuthorizedKey(rest)
		if err != nil {
			return nil, fmt.Errorf("lab: device %s: authorized keys: %w", ds.Name, err)
		}
		d.authKeys = append(d.authKeys, k)
	}
	d.st = newDevState(d)
	return d, nil
}

// Devices returns the devices in spec order.
func (f *Fleet) Devices() []*Device { return append([]*Device(nil), f.devices...) }

// Device returns the device with that name, or nil.
func (f *Fleet) Device(name string) *Device { return f.byName[name] }

// Close stops every server, drops every connection and waits until every
// goroutine the fleet started has returned.
func (f *Fleet) Close() error {
	f.cancel()
	f.shutdown()
	f.wg.Wait()
	return nil
}

func (f *Fleet) shutdown() {
	f.closeOnce.Do(func() {
		f.cancel()
		for _, d := range f.devices {
			d.ln.Close()
			d.mu.Lock()
			for c := range d.conns {
				c.Close()
			}
			d.mu.Unlock()
		}
	})
}

// Name returns the device name (its inventory name).
func (d *Device) Name() string { return d.spec.Name }

// Platform returns the normalized platform (one of the constants).
func (d *Device) Platform() string { return d.platform }

// Addr returns "127.0.0.1:PORT".
func (d *Device) Addr() string { return d.ln.Addr().String() }

// Port returns the TCP port the device listens on.
func (d *Device) Port() int { return d.port }

// Username, Password and Secret return the credentials the device accepts.
func (d *Device) Username() string { return d.spec.Username }

// Password returns the login password the device accepts.
func (d *Device) Password() string { return d.spec.Password }

// Secret returns the enable secret.
func (d *Device) Secret() string { return d.spec.Secret }

// HostKey returns the device's public host key, stable for a seed and name.
func (d *Device) HostKey() ssh.PublicKey { return d.signer.PublicKey() }

// RunningConfig returns the configuration as "show running-config" would
// (JunOS: the committed configuration as "show configuration" prints it).
func (d *Device) RunningConfig() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st.runningText()
}

// StartupConfig returns the saved configuration.
func (d *Device) StartupConfig() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st.startupText()
}

// Hostname returns the current hostname (it changes with "hostname X").
func (d *Device) Hostname() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.st.hostname()
}

// Received returns every line the device received, in order, across all
// sessions. Lines typed at a Password: prompt are not recorded.
func (d *Device) Received() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.received...)
}

// AuthAttempts counts authentication attempts (password, keyboard-interactive
// and public-key callbacks), successful or not.
func (d *Device) AuthAttempts() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.authAttempts
}

// Sessions returns the number of currently open SSH connections that passed
// authentication.
func (d *Device) Sessions() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sessions
}

// SetFaults replaces the device's faults; sessions see the change at their
// next command, a running device timer (commit confirmed) at once.
func (d *Device) SetFaults(f Faults) {
	d.mu.Lock()
	d.faults = f
	d.st.wakeTimers() // a new Minute rescales a running timer
	d.mu.Unlock()
}

func (d *Device) getFaults() Faults {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.faults
}

func (d *Device) record(line string) {
	d.mu.Lock()
	d.received = append(d.received, line)
	d.mu.Unlock()
}

func (d *Device) acceptLoop() {
	defer d.fleet.wg.Done()
	for {
		c, err := d.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || d.fleet.ctx.Err() != nil {
				return
			}
			// Temporary errors (EMFILE...): back off a little instead of spinning.
			select {
			case <-d.fleet.ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		if d.refuses() {
			c.Close()
			continue
		}
		d.mu.Lock()
		if d.fleet.ctx.Err() != nil {
			d.mu.Unlock()
			c.Close()
			return
		}
		d.conns[c] = struct{}{}
		d.mu.Unlock()
		d.fleet.wg.Add(1)
		go d.serveConn(c)
	}
}

func (d *Device) serverConfig() *ssh.ServerConfig {
	cfg := &ssh.ServerConfig{
		ServerVersion: d.serverVersion(),
		MaxAuthTries:  6,
	}
	// What network OSes offer: no post-quantum hybrid kex, which no IOS,
	// NX-OS or EOS image speaks and which doubles the handshake's CPU.
	cfg.KeyExchanges = []string{"curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "diffie-hellman-group14-sha256"}
	cfg.AddHostKey(d.signer)
	checkPassword := func(user string, pw []byte) bool {
		d.mu.Lock()
		d.authAttempts++
		fail := d.faults.AuthFail
		d.mu.Unlock()
		return !fail && user == d.spec.Username && string(pw) == d.spec.Password
	}
	cfg.PasswordCallback = func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
		if checkPassword(c.User(), pw) {
			return nil, nil
		}
		return nil, errors.New("authentication failed")
	}
	cfg.KeyboardInteractiveCallback = func(c ssh.ConnMetadata, ch ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
		ans, err := ch("", "", []string{"Password: "}, []bool{false})
		if err != nil {
			return nil, err
		}
		if len(ans) == 1 && checkPassword(c.User(), []byte(ans[0])) {
			return nil, nil
		}
		return nil, errors.New("authentication failed")
	}
	if len(d.authKeys) > 0 {
		cfg.PublicKeyCallback = func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			d.mu.Lock()
			d.authAttempts++
			fail := d.faults.AuthFail
			d.mu.Unlock()
			if !fail && c.User() == d.spec.Username {
				for _, k := range d.authKeys {
					if string(k.Marshal()) == string(key.Marshal()) {
						return nil, nil
					}
				}
			}
			return nil, errors.New("public key not authorized")
		}
	}
	if d.spec.Banner != "" {
		cfg.BannerCallback = func(ssh.ConnMetadata) string { return d.spec.Banner }
	}
	return cfg
}

func (d *Device) serverVersion() string {
	switch d.platform {
	case CiscoIOS, CiscoASA:
		return "SSH-2.0-Cisco-1.25"
	case CiscoXR:
		return "SSH-2.0-Cisco-2.0"
	case CiscoNXOS, AristaEOS, JuniperJunos, Linux:
		return "SSH-2.0-OpenSSH_8.4"
	}
	return "SSH-2.0-runbook-lab"
}

func (d *Device) serveConn(c net.Conn) {
	defer d.fleet.wg.Done()
	defer func() {
		c.Close()
		d.mu.Lock()
		delete(d.conns, c)
		d.mu.Unlock()
	}()
	// A client that connects and never completes the handshake must not
	// hold a goroutine forever.
	c.SetDeadline(time.Now().Add(handshakeTimeout))
	sc, chans, reqs, err := ssh.NewServerConn(sshconn.ReadBuffered(c), d.serverConfig())
	if err != nil {
		return
	}
	c.SetDeadline(time.Time{})
	d.mu.Lock()
	d.sessions++
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.sessions--
		d.mu.Unlock()
	}()
	// Everything started for this connection is cancelled when it ends, so a
	// "hung" command or a latency sleep does not outlive its client.
	ctx, cancel := context.WithCancel(d.fleet.ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ssh.DiscardRequests(reqs)
	}()
	conn := &connState{dev: d, netConn: c, sshConn: sc, user: sc.User()}
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "only session channels are supported")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn.handleChannel(ctx, ch, creqs)
		}()
	}
	// chans is closed: the connection is gone.
	cancel()
	wg.Wait()
}
