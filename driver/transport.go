package driver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/runbook-dev/runbook/internal/sshconn"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// transport is the SSH layer: the client connections (jump hosts first,
// the device last) that carry the interactive channel. It moves bytes and
// knows nothing about prompts.
//
// The device's connection is kept as a bare ssh.Conn rather than an
// ssh.Client: a Client and its Session start four goroutines per device
// (global requests, channel opens, forwards, session requests) that
// answerRequests does from a timer, which matters with a thousand sessions
// open.
type transport struct {
	jumps  []*ssh.Client // outermost jump host first
	device ssh.Conn
	// answerer answers the device's requests; it starts with the
	// connection and gets the session channel's requests when it opens.
	answerer *requestAnswerer
	banner   string   // pre-auth banner of the device, if any
	agent    net.Conn // ssh-agent connection, closed with the transport
}

// close closes the device connection first, then the jump hosts.
func (t *transport) close() {
	if t.device != nil {
		t.device.Close()
	}
	if t.answerer != nil {
		t.answerer.stop()
	}
	for i := len(t.jumps) - 1; i >= 0; i-- {
		t.jumps[i].Close()
	}
	if t.agent != nil {
		t.agent.Close()
	}
}

// requestAnswerer answers what the device asks of the client until the
// connection is gone: global requests (such as OpenSSH's
// keepalive@openssh.com, which must get a reply), channels the device
// tries to open (refused: runbook forwards nothing) and, once handed over,
// the session channel's own requests (exit-status, eow@openssh.com).
//
// It runs from a timer every answerEvery, not on a goroutine of its own:
// devices ask rarely, and a parked goroutine per session was a sixth of
// the stacks of a thousand open sessions. x/crypto queues up to 16
// requests of each kind before its reader waits, and a keepalive's sender
// waits seconds for the reply, so a poll twice a second loses nothing.
type requestAnswerer struct {
	mu      sync.Mutex
	global  <-chan *ssh.Request
	chans   <-chan ssh.NewChannel
	session <-chan *ssh.Request
	timer   *time.Timer
}

const answerEvery = 500 * time.Millisecond

// answerInterval is answerEvery unless a test changed it.
var answerInterval atomic.Int64

func answerPoll() time.Duration {
	if d := answerInterval.Load(); d > 0 {
		return time.Duration(d)
	}
	return answerEvery
}

func answerRequests(global <-chan *ssh.Request, chans <-chan ssh.NewChannel) *requestAnswerer {
	a := &requestAnswerer{global: global, chans: chans}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.timer = time.AfterFunc(answerPoll(), a.answer)
	return a
}

// handOver adds the session channel's requests, unless the connection is
// gone already.
func (a *requestAnswerer) handOver(session <-chan *ssh.Request) {
	a.mu.Lock()
	if !a.gone() {
		a.session = session
	}
	a.mu.Unlock()
}

// stop forgets the channels once the connection is closed: nothing can be
// answered any more, and a request still queued (devices send exit-status
// as they hang up) points back to the connection, so until the next poll
// the closed connection's buffers and ciphers stayed in memory: with a
// poll every 500 ms, half the connections of a 50-fork run were closed
// ones waiting for it.
func (a *requestAnswerer) stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.global, a.chans, a.session = nil, nil, nil
	a.timer.Stop()
}

// answer answers every request queued, and polls again later unless the
// connection is gone.
func (a *requestAnswerer) answer() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for a.answerOne() {
	}
	if !a.gone() {
		a.timer.Reset(answerPoll())
	}
}

// gone says whether every channel is closed: the connection is gone. The
// session channel closes with the connection; until it is handed over,
// the connection's own channels say so.
func (a *requestAnswerer) gone() bool {
	return a.global == nil && a.chans == nil && a.session == nil
}

// answerOne answers one queued request, or notes a closed channel; false:
// nothing was queued.
func (a *requestAnswerer) answerOne() bool {
	select {
	case r, ok := <-a.global:
		if !ok {
			a.global = nil
		} else if r.WantReply {
			_ = r.Reply(false, nil)
		}
	case r, ok := <-a.session:
		if !ok {
			a.session = nil
		} else if r.WantReply {
			_ = r.Reply(false, nil)
		}
	case nc, ok := <-a.chans:
		if !ok {
			a.chans = nil
		} else {
			_ = nc.Reject(ssh.Prohibited, "runbook opens no channels for the device")
		}
	default:
		return false
	}
	return true
}

// dialTransport connects through cfg.Jump (outermost first) to the device.
// Every hop gets its own authentication and host key check; the connect
// timeout applies to each hop's dial and handshake.
func dialTransport(ctx context.Context, cfg *Config, sec *secrets) (*transport, error) {
	t := &transport{}
	hops := append(slices.Clone(cfg.Jump), *cfg)
	var prev *ssh.Client
	for i := range hops {
		hop := hops[i]
		// Jump hosts share the device's host key policy, known_hosts file
		// and connect timeout unless they set their own. Credentials are
		// never inherited: the device's password must not be offered to
		// a bastion (or the other way round).
		if hop.HostKeyCheck == "" {
			hop.HostKeyCheck = cfg.HostKeyCheck
		}
		if hop.KnownHostsFile == "" {
			hop.KnownHostsFile = cfg.KnownHostsFile
		}
		if hop.ConnectTimeout == 0 {
			hop.ConnectTimeout = cfg.ConnectTimeout
		}
		applyDefaults(&hop)
		isDevice := i == len(hops)-1
		c, chans, reqs, banner, err := dialHop(ctx, prev, &hop, cfg, sec, t, isDevice)
		if err != nil {
			t.close()
			return nil, err
		}
		if isDevice {
			t.device, t.banner = c, banner
			t.answerer = answerRequests(reqs, chans)
			break
		}
		prev = ssh.NewClient(c, chans, reqs)
		t.jumps = append(t.jumps, prev)
	}
	return t, nil
}

func applyDefaults(c *Config) {
	if c.Port == 0 {
		c.Port = 22
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = 10 * time.Second
	}
	if c.CommandTimeout <= 0 {
		c.CommandTimeout = 30 * time.Second
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = c.CommandTimeout
	}
	if c.HostKeyCheck == "" {
		c.HostKeyCheck = HostKeyStrict
	}
	if c.Name == "" {
		c.Name = c.Address
	}
}

// dialHop opens one SSH connection, either directly (prev == nil) or
// tunnelled through prev.
func dialHop(ctx context.Context, prev *ssh.Client, hop, dev *Config, sec *secrets, t *transport, isDevice bool) (ssh.Conn, <-chan ssh.NewChannel, <-chan *ssh.Request, string, error) {
	addr := net.JoinHostPort(hop.Address, strconv.Itoa(hop.Port))
	op := "connect"
	if !isDevice {
		op = "connect via jump host " + addr
	}
	fail := func(sentinel error, cause error, format string, args ...any) error {
		return newError(dev.Name, op, sentinel, sec, cause, format, args...)
	}
	if hop.Address == "" {
		return nil, nil, nil, "", fail(ErrConnect, nil, "no address")
	}

	ctx, cancel := context.WithTimeout(ctx, hop.ConnectTimeout)
	defer cancel()

	var conn net.Conn
	var err error
	if prev == nil {
		conn, err = dialTCP(ctx, addr)
	} else {
		conn, err = prev.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, nil, "", fail(ctxSentinel(ctx.Err()), ctx.Err(), "dialing %s: %s", addr, ctxDetail(ctx.Err(),
				fmt.Sprintf("no answer within %s", hop.ConnectTimeout),
				fmt.Sprintf("stopped before an answer (connect timeout %s)", hop.ConnectTimeout)))
		}
		return nil, nil, nil, "", fail(ErrConnect, err, "dialing %s: %v", addr, err)
	}

	hk, algos, err := hostKeyCallback(hop, dev.Name, dev.Logger)
	if err != nil {
		conn.Close()
		return nil, nil, nil, "", fail(ErrHostKey, err, "%v", err)
	}
	auth, agentConn, err := authMethods(hop)
	if err != nil {
		conn.Close()
		return nil, nil, nil, "", fail(ErrAuth, nil, "%v", err)
	}
	if agentConn != nil {
		t.agent = agentConn
	}

	var banner strings.Builder
	sc := &ssh.ClientConfig{
		User:              hop.Username,
		Auth:              auth,
		HostKeyCallback:   hk.check,
		HostKeyAlgorithms: algos,
		BannerCallback: func(msg string) error {
			banner.WriteString(msg)
			return nil
		},
		Timeout: hop.ConnectTimeout,
	}
	sc.KeyExchanges = keyExchanges
	if hop.LegacyAlgorithms {
		legacy(sc)
	}

	// The handshake (banner, key exchange, authentication) gets the same
	// deadline as the dial; a context cancellation closes the socket,
	// which makes the handshake return at once.
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	cc, chans, reqs, err := ssh.NewClientConn(sshconn.ReadBuffered(conn), addr, sc)
	stop()
	if err != nil {
		conn.Close()
		switch {
		case hk.err != nil:
			return nil, nil, nil, "", fail(ErrHostKey, nil, "%s", hk.err.Error())
		case authRejected(err):
			return nil, nil, nil, "", fail(ErrAuth, nil, "user %q on %s: the device rejected the credentials (tried %s); not retried", hop.Username, addr, authNames(hop))
		case hk.typeMismatch(addr, err) != nil:
			return nil, nil, nil, "", fail(ErrHostKey, nil, "%s", hk.typeMismatch(addr, err).Error())
		case ctx.Err() != nil:
			return nil, nil, nil, "", fail(ctxSentinel(ctx.Err()), ctx.Err(), "SSH handshake with %s %s", addr, ctxDetail(ctx.Err(),
				fmt.Sprintf("not finished within %s", hop.ConnectTimeout), "stopped before it finished"))
		case errors.Is(err, os.ErrDeadlineExceeded):
			return nil, nil, nil, "", fail(ErrTimeout, err, "SSH handshake with %s not finished within %s", addr, hop.ConnectTimeout)
		case strings.Contains(err.Error(), "no common algorithm") && !hop.LegacyAlgorithms:
			return nil, nil, nil, "", fail(ErrConnect, err, "SSH handshake with %s: %v (old devices may need legacy_algorithms = true)", addr, err)
		default:
			return nil, nil, nil, "", fail(ErrConnect, err, "SSH handshake with %s: %v", addr, err)
		}
	}
	conn.SetDeadline(time.Time{})
	return cc, chans, reqs, banner.String(), nil
}

// keyExchanges are x/crypto's default key exchanges, with ECDH on P-256
// ahead of curve25519: network OSes that offer one usually offer both, and
// P-256 costs each side of a handshake about a third of curve25519's CPU
// in Go (67 µs against 177 µs in BenchmarkKeyExchangeMath: x/crypto
// computes a public key it drops on every X25519 call), CPU that a fleet's
// logins all want at once. The post-quantum hybrid stays first for the
// servers that offer it.
var keyExchanges = []string{
	ssh.KeyExchangeMLKEM768X25519,
	ssh.KeyExchangeECDHP256,
	ssh.KeyExchangeCurve25519,
	ssh.KeyExchangeECDHP384,
	ssh.KeyExchangeECDHP521,
	ssh.KeyExchangeDH14SHA256,
	ssh.InsecureKeyExchangeDH14SHA1,
}

// dialTCP opens the TCP connection to a device or the first jump host.
var dialTCP = func(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// legacy adds the algorithms old IOS images need to the defaults.
func legacy(sc *ssh.ClientConfig) {
	sup := ssh.SupportedAlgorithms()
	sc.KeyExchanges = append(slices.Clone(keyExchanges), ssh.KeyExchangeDH16SHA512, ssh.KeyExchangeDHGEXSHA256, ssh.InsecureKeyExchangeDH1SHA1)
	sc.Ciphers = append(sup.Ciphers, ssh.InsecureCipherAES128CBC, ssh.InsecureCipherTripleDESCBC)
	sc.MACs = append(sup.MACs, ssh.HMACSHA1)
	if len(sc.HostKeyAlgorithms) == 0 {
		sc.HostKeyAlgorithms = sup.HostKeys
	}
	if !slices.Contains(sc.HostKeyAlgorithms, ssh.KeyAlgoRSA) {
		sc.HostKeyAlgorithms = append(sc.HostKeyAlgorithms, ssh.KeyAlgoRSA)
	}
}

var errPasswordRejected = errors.New("password rejected; not sent again")

// authRejected says whether a handshake error means the server refused
// the credentials. Besides x/crypto's "unable to authenticate", OpenSSH
// without PAM (UsePAM no) answers the keyboard-interactive method tried
// after a rejected password with SSH_MSG_USERAUTH_FAILURE (51) instead of
// an info request (60), which x/crypto reports as "unexpected message type
// 51": the password was refused all the same.
func authRejected(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "unable to authenticate") ||
		strings.Contains(msg, errPasswordRejected.Error()) ||
		strings.Contains(msg, "unexpected message type 51 ")
}

// authMethods lists the methods in the order they are tried: keys (agent,
// then key file), password, keyboard-interactive. None is retried: a
// wrong password is one failed attempt, never three.
func authMethods(c *Config) ([]ssh.AuthMethod, net.Conn, error) {
	var methods []ssh.AuthMethod
	var signers []ssh.Signer
	var agentConn net.Conn
	if c.UseAgent {
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return nil, nil, errors.New("use_agent is set but SSH_AUTH_SOCK is empty")
		}
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return nil, nil, fmt.Errorf("connecting to ssh-agent at SSH_AUTH_SOCK: %v", err)
		}
		agentConn = conn
		ag := agent.NewClient(conn)
		methods = append(methods, ssh.PublicKeysCallback(ag.Signers))
	}
	if c.PrivateKey != "" {
		s, err := loadKey(c.PrivateKey, c.PrivateKeyPassphrase)
		if err != nil {
			if agentConn != nil {
				agentConn.Close()
			}
			return nil, nil, err
		}
		signers = append(signers, s)
		methods = append(methods, ssh.PublicKeys(signers...))
	}
	if c.Password != "" {
		pw := c.Password
		// One password attempt per connection, whichever method carries
		// it: after "password" is rejected, keyboard-interactive would
		// send the same password again and count as a second failure
		// towards the account's lockout.
		var tried atomic.Bool
		methods = append(methods, ssh.PasswordCallback(func() (string, error) {
			if tried.Swap(true) {
				return "", errPasswordRejected
			}
			return pw, nil
		}))
		methods = append(methods, ssh.KeyboardInteractive(func(name, instruction string, questions []string, echos []bool) ([]string, error) {
			answers := make([]string, len(questions))
			for i, q := range questions {
				lq := strings.ToLower(q)
				if strings.Contains(lq, "password") || strings.Contains(lq, "passcode") {
					if tried.Swap(true) {
						return nil, errPasswordRejected
					}
					answers[i] = pw
				}
			}
			return answers, nil
		}))
	}
	if len(methods) == 0 {
		return nil, nil, errors.New("no credentials: set a password, a private key or use_agent")
	}
	return methods, agentConn, nil
}

func authNames(c *Config) string {
	var n []string
	if c.UseAgent {
		n = append(n, "agent")
	}
	if c.PrivateKey != "" {
		n = append(n, "key "+c.PrivateKey)
	}
	if c.Password != "" {
		n = append(n, "password", "keyboard-interactive")
	}
	return strings.Join(n, ", ")
}

// keyCache avoids re-parsing (and re-decrypting, which is deliberately
// slow for bcrypt-protected keys) the same key file for every device of a
// fleet.
var keyCache sync.Map // keyCacheKey -> ssh.Signer

type keyCacheKey struct {
	path, passphrase string
	mtime            time.Time
	size             int64
}

func loadKey(path, passphrase string) (ssh.Signer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("private key: %v", err)
	}
	k := keyCacheKey{path, passphrase, st.ModTime(), st.Size()}
	if s, ok := keyCache.Load(k); ok {
		return s.(ssh.Signer), nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("private key: %v", err)
	}
	s, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		if passphrase == "" {
			return nil, fmt.Errorf("private key %s is encrypted and no passphrase is set", path)
		}
		s, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(passphrase))
		if err != nil {
			// Never include err's text verbatim: keep the message fixed.
			return nil, fmt.Errorf("private key %s: cannot decrypt it with the passphrase given", path)
		}
	} else if err != nil {
		return nil, fmt.Errorf("private key %s: %v", path, err)
	}
	keyCache.Store(k, s)
	return s, nil
}
