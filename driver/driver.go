package driver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// Session is an open CLI session with one device. Operations are
// serialised: a Session may be shared between goroutines, but runs one
// dialogue at a time. Close may be called at any time, from any
// goroutine, and makes a running operation fail at once with ErrClosed.
type Session struct {
	cfg  Config
	plat *Platform
	sec  *secrets
	log  *slog.Logger
	tx   *transcript

	tr    *transport
	ssh   ssh.Channel // the interactive session channel
	stdin io.Writer

	opMu sync.Mutex // one dialogue at a time
	// Timers of the running operation (guarded by opMu): wait's deadline
	// and idle timeout, and send's write deadline.
	deadlineT, idleT, writeT *time.Timer
	writeStuck               atomic.Bool

	mu       sync.Mutex // guards cl and readErr (shared with the read loop)
	cl       cleaner
	readErr  error
	notify   chan struct{} // capacity 1: bytes arrived or the read loop ended
	readDone chan struct{}

	stateMu  sync.Mutex
	hostname string // as the prompt shows it (junos/linux: may include user@)
	mode     string
	prompt   string

	closeOnce sync.Once
	closed    chan struct{}
}

// WithMode runs SendCommand / SendInteractive in this mode (ModeExec,
// ModePrivileged, ModeConfiguration) instead of the platform's command
// mode (privileged EXEC). "" leaves the session in whatever mode it is.
func WithMode(mode string) SendOption { return func(o *sendOptions) { o.mode = mode } }

// Open connects, authenticates, verifies the host key, starts an
// interactive shell, learns the prompt and runs the platform's on-open
// commands (terminal length 0, ...).
func Open(ctx context.Context, cfg Config) (*Session, error) {
	applyDefaults(&cfg)
	plat, ok := LookupPlatform(cfg.Platform)
	if !ok {
		return nil, newError(cfg.Name, "open", ErrPlatform, nil, nil, "%q (known: %s)", cfg.Platform, strings.Join(Platforms(), ", "))
	}
	sec := &secrets{}
	sec.add(cfg.Password, cfg.Secret, cfg.PrivateKeyPassphrase)
	for _, j := range cfg.Jump {
		sec.add(j.Password, j.Secret, j.PrivateKeyPassphrase)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg.Logger = logger

	s := &Session{
		cfg:      cfg,
		plat:     plat,
		sec:      sec,
		log:      logger,
		tx:       &transcript{w: cfg.Transcript, secrets: sec},
		notify:   make(chan struct{}, 1),
		readDone: make(chan struct{}),
		closed:   make(chan struct{}),
	}
	tr, err := dialTransport(ctx, &s.cfg, sec)
	if err != nil {
		return nil, err
	}
	s.tr = tr
	NotifyAuthenticated(ctx)
	if tr.banner != "" {
		logger.Debug("ssh banner", "device", cfg.Name, "banner", sec.redact(tr.banner))
	}
	if err := s.startShell(ctx); err != nil {
		tr.close()
		return nil, err
	}
	if err := s.learnPrompt(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if !cfg.SkipSessionSetup {
		for _, c := range plat.OnOpen {
			r, err := s.command(ctx, "session setup", c, expectation{echo: c, prompt: true})
			if err != nil {
				s.Close()
				return nil, err
			}
			if r.Failed {
				// Not fatal: the pager fallback still copes with paging.
				logger.Debug("session setup command rejected", "device", cfg.Name, "command", c, "error", r.ErrorText)
			}
		}
	}
	return s, nil
}

type authenticatedKey struct{}

// WithAuthenticated returns a context with which Open calls fn once the
// device has accepted the login (TCP connect, SSH handshake, host key and
// authentication done), before the shell starts. A caller that caps
// simultaneous logins frees its slot there: the authentication server's
// work is over, and learning the prompt only waits on the device.
func WithAuthenticated(ctx context.Context, fn func()) context.Context {
	return context.WithValue(ctx, authenticatedKey{}, fn)
}

// NotifyAuthenticated calls the function WithAuthenticated put in ctx, if
// any. Open calls it; other openers (test doubles, wrappers) may too.
func NotifyAuthenticated(ctx context.Context) {
	if fn, ok := ctx.Value(authenticatedKey{}).(func()); ok && fn != nil {
		fn()
	}
}

// startShell opens the channel with a PTY (network CLIs only show prompts
// and pagers on a terminal) and starts the read loop. The three requests
// are bounded by the connect timeout: a server that accepts TCP and SSH
// but never answers a channel request must not hang Open.
func (s *Session) startShell(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, s.tr.close)
	defer stop()

	fail := func(err error) error {
		if ctx.Err() != nil {
			return s.errf("open shell", ctxSentinel(ctx.Err()), ctx.Err(), "%s", ctxDetail(ctx.Err(),
				fmt.Sprintf("the device did not open a shell within %s", s.cfg.ConnectTimeout), "stopped before the device opened a shell"))
		}
		return s.errf("open shell", ErrConnect, err, "%v", err)
	}
	ch, chReqs, err := s.tr.device.OpenChannel("session", nil)
	if err != nil {
		return fail(err)
	}
	s.tr.answerer.handOver(chReqs)
	if ok, err := ch.SendRequest("pty-req", true, ptyRequest("vt100", 511, 0)); err != nil || !ok {
		ch.Close()
		return fail(refused("a terminal (pty-req)", err))
	}
	if ok, err := ch.SendRequest("shell", true, nil); err != nil || !ok {
		ch.Close()
		return fail(refused("a shell", err))
	}
	s.ssh = ch
	s.stdin = ch
	// With a PTY the device merges stderr into stdout; this reader is for
	// servers that send it apart all the same, and keeps their window open.
	go func() { _, _ = feeder{s}.ReadFrom(ch.Stderr()) }()
	go s.readLoop(ch)
	return nil
}

func refused(what string, err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("the device refused %s", what)
}

// ptyRequest is the payload of a "pty-req" channel request (RFC 4254
// 6.2): the terminal type and size, then the terminal modes, each an
// opcode byte and a uint32, ended by TTY_OP_END. Echo is on, as on any
// login terminal. The pixel size is 8 per character, as x/crypto's
// RequestPty gives it.
func ptyRequest(term string, cols, rows uint32) []byte {
	modes := []struct {
		op  byte
		val uint32
	}{{ssh.ECHO, 1}, {ssh.TTY_OP_ISPEED, 115200}, {ssh.TTY_OP_OSPEED, 115200}}
	var ml []byte
	for _, m := range modes {
		ml = append(ml, m.op, byte(m.val>>24), byte(m.val>>16), byte(m.val>>8), byte(m.val))
	}
	ml = append(ml, 0) // TTY_OP_END
	return ssh.Marshal(struct {
		Term                         string
		Columns, Rows, Width, Height uint32
		Modes                        string
	}{term, cols, rows, cols * 8, rows * 8, string(ml)})
}

// learnPrompt finds the prompt. It first waits, without sending anything,
// for the prompt the device prints after login: typing ahead while a shell
// starts can be lost (bash flushes it) or answered out of order. A device
// that prints nothing gets an empty line after a quiet second. Then empty
// lines are sent until two consecutive answers end in the same prompt:
// one is not enough, as a MOTD line that happens to look like a prompt
// ("core1#") can be the last line before the real prompt; it is never
// repeated.
func (s *Session) learnPrompt(ctx context.Context) error {
	x := expectation{prompt: true, newHost: true, timeout: s.cfg.CommandTimeout}
	first := x
	first.nudge = min(time.Second, s.cfg.IdleTimeout/2)
	ex, err := s.wait(ctx, "learn prompt", first)
	if err != nil {
		return err
	}
	for range 5 {
		next, err := s.converse(ctx, "learn prompt", "", x)
		if err != nil {
			return err
		}
		if next.prompt == ex.prompt {
			s.setState(next)
			return nil
		}
		ex = next
	}
	return s.errf("learn prompt", ErrTimeout, nil, "the prompt never settled; last seen %q", ex.prompt)
}

func (s *Session) setState(ex *exchange) {
	if ex.prompt == "" {
		return
	}
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	s.prompt = ex.prompt
	s.mode = ex.mode
	if ex.hostname != s.hostname {
		if s.hostname != "" {
			s.log.Info("device name changed", "device", s.cfg.Name, "from", s.hostname, "to", ex.hostname)
		}
		s.hostname = ex.hostname
	}
}

func (s *Session) hostnameRaw() string {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	return s.hostname
}

// Platform returns the canonical platform name.
func (s *Session) Platform() string { return s.plat.Name }

// Hostname returns the device name the prompt shows; it follows hostname
// changes made during the session.
func (s *Session) Hostname() string {
	h := s.hostnameRaw()
	if i := strings.LastIndexByte(h, '@'); i >= 0 { // linux user@host
		h = h[i+1:]
	}
	return h
}

// Mode returns the current CLI mode (ModeExec, ModePrivileged,
// ModeConfiguration) as the last prompt showed it.
func (s *Session) Mode() string {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	return s.mode
}

// Prompt returns the last prompt seen.
func (s *Session) Prompt() string {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	return s.prompt
}

// Banner returns the pre-authentication SSH banner the device sent.
func (s *Session) Banner() string { return s.sec.redact(s.tr.banner) }

func (s *Session) errf(op string, sentinel error, cause error, format string, args ...any) error {
	return newError(s.cfg.Name, op, sentinel, s.sec, cause, format, args...)
}

// begin takes the operation lock, refusing closed sessions.
func (s *Session) begin(op string) error {
	select {
	case <-s.closed:
		return s.errf(op, ErrClosed, nil, "the session is closed")
	default:
	}
	s.opMu.Lock()
	select {
	case <-s.closed:
		s.opMu.Unlock()
		return s.errf(op, ErrClosed, nil, "the session is closed")
	default:
	}
	return nil
}

func opName(kind, cmd string) string { return fmt.Sprintf("%s %q", kind, cmd) }

// typed is cmd as it must be typed for the device to receive cmd: on a
// CLI where '?' asks for help, each '?' is preceded by the key that makes
// it literal; false where there is none (typed as is, the device would
// print help and take the line without its '?'). The echo is still cmd:
// the device does not print the quoting key.
func (p *Platform) typed(cmd string) (string, bool) {
	if !p.QuestionHelp || !strings.Contains(cmd, "?") {
		return cmd, true
	}
	if p.QuoteNext == "" {
		return "", false
	}
	return strings.ReplaceAll(cmd, "?", p.QuoteNext+"?"), true
}

// untypable is the error for a line the platform cannot type (typed).
func (s *Session) untypable(op, cmd string) error {
	return s.errf(op, ErrUnsupported, nil, "%q holds a '?', which %s takes as a request for help, and it has no way to type one literally; the line was not sent", cmd, s.plat.Name)
}

// command runs one line and builds its Response.
func (s *Session) command(ctx context.Context, op, cmd string, x expectation) (*Response, error) {
	typed, ok := s.plat.typed(cmd)
	if !ok {
		return nil, s.untypable(op, cmd)
	}
	r := &Response{Command: cmd, Start: time.Now()}
	ex, err := s.converse(ctx, op, typed, x)
	r.End = time.Now()
	if err != nil {
		return nil, err
	}
	s.setState(ex)
	s.fill(r, ex)
	return r, nil
}

// fill sets Output, Prompt and the failure fields from an exchange.
func (s *Session) fill(r *Response, ex *exchange) {
	out := ex.text[:ex.outEnd]
	out = strings.TrimSuffix(out, "\n")
	if s.plat.NoiseLines != nil {
		out = dropTrailingNoise(out, s.plat.NoiseLines)
	}
	r.Output = out
	r.Prompt = ex.prompt
	if by, text, failed := s.plat.failure(out); failed {
		r.Failed, r.FailedBy, r.ErrorText = true, by, text
	}
}

// dropTrailingNoise removes lines matching re from the end of out.
func dropTrailingNoise(out string, re *regexp.Regexp) string {
	for out != "" {
		i := strings.LastIndexByte(out, '\n')
		if !re.MatchString(out[i+1:]) {
			break
		}
		if i < 0 {
			return ""
		}
		out = out[:i]
	}
	return out
}

// ensureMode walks the mode graph to target.
func (s *Session) ensureMode(ctx context.Context, op, target string, timeout time.Duration) error {
	if target == "" {
		return nil
	}
	cur := s.Mode()
	if cur == target {
		return nil
	}
	path := s.plat.path(cur, target)
	if path == nil {
		return s.errf(op, ErrUnsupported, nil, "%s has no way from %s mode to %s mode", s.plat.Name, cur, target)
	}
	for _, t := range path {
		x := expectation{echo: t.Command, prompt: true, timeout: timeout}
		secretAsked := false
		if t.SecretPrompt != nil {
			secret := s.cfg.Secret
			x.answers = append(x.answers, answer{question: t.SecretPrompt, reply: func(n int) string {
				secretAsked = true
				if n == 0 {
					return secret
				}
				// Asked again: the secret was wrong. Empty answers make
				// the device give up quickly; sending the secret again
				// would be a retry.
				return ""
			}})
		}
		for _, c := range t.Confirm {
			x.answers = append(x.answers, answer{question: c.Question, reply: constReply(c.Answer)})
		}
		r, err := s.command(ctx, op+": "+t.Command, t.Command, x)
		if err != nil {
			return err
		}
		if got := s.Mode(); got != t.To {
			if t.SecretPrompt != nil {
				why := r.ErrorText
				if why == "" {
					why = lastLine(r.Output)
				}
				hint := ""
				if s.cfg.Secret == "" {
					hint = " (no enable secret is configured)"
				}
				// The device asked for the secret and did not take it:
				// that is an authentication failure (wrapping ErrAuth),
				// which must not be retried: a retry sends the secret
				// again and counts towards a lockout.
				var cause error
				if secretAsked {
					cause = ErrAuth
				}
				return s.errf(op, ErrPrivilege, cause, "%q left the session in %s mode%s: %s", t.Command, got, hint, why)
			}
			return s.errf(op, ErrUnsupported, nil, "%q left the session in %s mode, want %s: %s", t.Command, got, t.To, lastLine(r.Output))
		}
	}
	return nil
}

func constReply(a string) func(int) string { return func(int) string { return a } }

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// SendCommand runs one command in privileged mode (or the mode given with
// WithMode) and returns its output without the echo and the prompt. A
// rejected command is a Failed response, not an error. On error the
// response is nil.
func (s *Session) SendCommand(ctx context.Context, cmd string, opts ...SendOption) (*Response, error) {
	o := sendOptions{mode: s.plat.CommandMode}
	for _, f := range opts {
		f(&o)
	}
	op := opName("send_command", cmd)
	if err := s.begin(op); err != nil {
		return nil, err
	}
	defer s.opMu.Unlock()
	return s.sendCommand(ctx, op, cmd, o)
}

func (s *Session) sendCommand(ctx context.Context, op, cmd string, o sendOptions) (*Response, error) {
	if err := s.ensureMode(ctx, op, o.mode, o.timeout); err != nil {
		return nil, err
	}
	x := expectation{echo: cmd, prompt: true, timeout: o.timeout, newHost: s.changesHostname(cmd)}
	for _, q := range o.answers {
		x.answers = append(x.answers, answer{question: q.Question, reply: constReply(q.Answer)})
	}
	if o.expect != "" {
		re, err := regexp.Compile(o.expect)
		if err != nil {
			return nil, s.errf(op, ErrUnsupported, nil, "expect pattern: %v", err)
		}
		x.prompt, x.expect, x.expectText = false, re, o.expect
	}
	r, err := s.command(ctx, op, cmd, x)
	if err == nil && x.prompt {
		err = s.checkStatus(ctx, op, r, o.timeout)
	}
	return r, err
}

// checkStatus asks a shell for the exit status of the command that just
// ran (Platform.StatusCommand) and fails the response when it is not 0,
// with the code and the command's last output line (stderr, on a
// terminal): `false` is a failure, not an ok.
func (s *Session) checkStatus(ctx context.Context, op string, r *Response, timeout time.Duration) error {
	if s.plat.StatusCommand == "" || r.Failed {
		return nil
	}
	c := s.plat.StatusCommand
	st, err := s.command(ctx, op+": exit status", c, expectation{echo: c, prompt: true, timeout: timeout})
	if err != nil {
		return err
	}
	m := s.plat.StatusPattern.FindStringSubmatch(st.Output)
	if m == nil {
		return nil // not a shell that answers: nothing to add
	}
	if code, _ := strconv.Atoi(m[1]); code != 0 {
		r.Failed, r.FailedBy = true, "exit status "+m[1]
		r.ErrorText = "exit status " + m[1]
		if last := strings.TrimSpace(lastLine(strings.TrimSpace(r.Output))); last != "" {
			r.ErrorText += ": " + last
		}
	}
	return nil
}

func (s *Session) changesHostname(cmd string) bool {
	return s.plat.HostnameChange != nil && s.plat.HostnameChange.MatchString(cmd)
}

// SendCommands runs commands in order with SendCommand's rules. It stops
// at the first error and returns the responses so far with it; a Failed
// response does not stop it.
func (s *Session) SendCommands(ctx context.Context, cmds []string, opts ...SendOption) (*MultiResponse, error) {
	o := sendOptions{mode: s.plat.CommandMode}
	for _, f := range opts {
		f(&o)
	}
	mr := &MultiResponse{}
	if err := s.begin("send_commands"); err != nil {
		return mr, err
	}
	defer s.opMu.Unlock()
	for _, c := range cmds {
		r, err := s.sendCommand(ctx, opName("send_command", c), c, o)
		if err != nil {
			return mr, err
		}
		mr.Responses = append(mr.Responses, r)
		mr.Failed = mr.Failed || r.Failed
	}
	return mr, nil
}

// SendConfigSet enters configuration mode, sends each line and checks each
// line's output against the failure indicators, then leaves configuration
// mode (always, also after a failure). It stops at the first rejected line
// unless ContinueOnError. Lines are sent one at a time, each as soon as the
// previous one's prompt arrives: there are no per-line sleeps. On junos the
// candidate is committed, or rolled back when a line was rejected. On
// error the responses so far are returned with it.
func (s *Session) SendConfigSet(ctx context.Context, lines []string, opts ...ConfigOption) (*MultiResponse, error) {
	var o configOptions
	for _, f := range opts {
		f(&o)
	}
	mr := &MultiResponse{}
	op := "send_config_set"
	if err := s.begin(op); err != nil {
		return mr, err
	}
	defer s.opMu.Unlock()

	// A line that cannot be typed fails the set before any line is sent.
	for _, line := range lines {
		if _, ok := s.plat.typed(line); !ok && !strings.Contains(line, "\n") {
			return mr, s.untypable(opName(op, line), line)
		}
	}
	target := s.plat.ConfigMode
	if target == "" {
		target = s.plat.CommandMode
	}
	if err := s.ensureMode(ctx, op, target, o.timeout); err != nil {
		return mr, err
	}
	err := s.configLines(ctx, mr, lines, o)
	if err == nil && s.plat.Commit != "" {
		c := s.plat.Commit
		if o.confirmIn > 0 && s.plat.CommitConfirmed != "" {
			c = fmt.Sprintf(s.plat.CommitConfirmed, confirmMinutes(o.confirmIn))
		}
		if mr.Failed && !o.continueOnError {
			c = s.plat.Abort
		}
		var r *Response
		r, err = s.command(ctx, opName(op, c), c, expectation{echo: c, prompt: true, timeout: o.timeout, newHost: s.changesHostname(c)})
		if err == nil && r.Failed && c != s.plat.Abort && s.plat.CommitFailed != "" {
			// Name what the commit refused: the lines were all accepted
			// as typed.
			why := s.plat.CommitFailed
			if d, derr := s.command(ctx, opName(op, why), why, expectation{echo: why, prompt: true, timeout: o.timeout}); derr == nil && strings.TrimSpace(d.Output) != "" {
				r.Output += "\n" + d.Output
				r.ErrorText += "\n" + strings.TrimSpace(d.Output)
			}
		}
		if err == nil {
			mr.Responses = append(mr.Responses, r)
			mr.Failed = mr.Failed || r.Failed
		}
	}
	// Leave configuration mode even after a failure or a timeout, so the
	// session is usable and the device is not left in config mode. After a
	// cancellation or timeout this gets a short deadline of its own.
	if s.plat.ConfigMode != "" && !errors.Is(err, ErrClosed) {
		ectx := ctx
		to := o.timeout
		if err != nil {
			var cancel context.CancelFunc
			ectx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			to = 2 * time.Second
		}
		if s.Mode() == s.plat.ConfigMode || err != nil {
			if eerr := s.ensureMode(ectx, op+": leave configuration mode", s.plat.CommandMode, to); eerr != nil && err == nil {
				err = eerr
			}
		}
	}
	return mr, err
}

// echoed matches as soon as a typed line's echo has arrived (matching
// starts after the echo).
var echoed = regexp.MustCompile(`^`)

// configBlock types a multi-line construct (a banner between its
// delimiters, a certificate, a macro): the device answers its lines with
// no prompt until the block ends, so every line but the last waits only
// for its own echo, and the last for the prompt, with x's answers. The
// response holds the whole block as its command and what the device
// printed as its output.
func (s *Session) configBlock(ctx context.Context, op, block string, x expectation) (*Response, error) {
	lines := strings.Split(strings.TrimRight(block, "\n"), "\n")
	r := &Response{Command: block, Start: time.Now()}
	var out strings.Builder
	for _, l := range lines[:len(lines)-1] {
		ex, err := s.converse(ctx, op, l, expectation{echo: l, expect: echoed, expectText: "the echo of a line of the block", answers: x.answers, timeout: x.timeout})
		if err != nil {
			return nil, err
		}
		if t := strings.TrimLeft(ex.text, "\n"); t != "" {
			out.WriteString(t)
		}
	}
	last := lines[len(lines)-1]
	x.echo = last
	ex, err := s.converse(ctx, op, last, x)
	r.End = time.Now()
	if err != nil {
		return nil, err
	}
	s.setState(ex)
	s.fill(r, ex)
	r.Output = strings.TrimPrefix(out.String()+r.Output, "\n")
	if by, text, failed := s.plat.failure(r.Output); failed && !r.Failed {
		r.Failed, r.FailedBy, r.ErrorText = true, by, text
	}
	return r, nil
}

// confirmMinutes is a confirm timer in the whole minutes devices take,
// rounded up so that the device never reverts earlier than asked.
func confirmMinutes(d time.Duration) int {
	return max(1, int((d+time.Minute-1)/time.Minute))
}

func (s *Session) configLines(ctx context.Context, mr *MultiResponse, lines []string, o configOptions) error {
	var answers []answer // the same for every line, and only read
	for _, q := range o.answers {
		answers = append(answers, answer{question: q.Question, reply: constReply(q.Answer)})
	}
	for _, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		x := expectation{echo: line, prompt: true, timeout: o.timeout, newHost: s.changesHostname(line), answers: answers}
		op := opName("send_config_set", line)
		var r *Response
		var err error
		if strings.Contains(line, "\n") {
			r, err = s.configBlock(ctx, op, line, x)
		} else {
			r, err = s.command(ctx, op, line, x)
		}
		if err == nil {
			err = s.checkStatus(ctx, op, r, o.timeout)
		}
		if err != nil {
			return err
		}
		mr.Responses = append(mr.Responses, r)
		if r.Failed {
			mr.Failed = true
			if !o.continueOnError {
				return nil
			}
		}
	}
	return nil
}

// Save persists the running configuration (copy running-config
// startup-config, answering its confirmations). On junos the configuration
// was committed by SendConfigSet and Save returns an empty, successful
// response; on linux it is ErrUnsupported.
func (s *Session) Save(ctx context.Context) (*Response, error) {
	op := "save"
	if !s.plat.SaveNoop && s.plat.SaveCommand == "" {
		return nil, s.errf(op, ErrUnsupported, nil, "%s has no save command", s.plat.Name)
	}
	if err := s.begin(op); err != nil {
		return nil, err
	}
	defer s.opMu.Unlock()
	if s.plat.SaveNoop {
		now := time.Now()
		return &Response{Start: now, End: now, Prompt: s.Prompt()}, nil
	}
	if err := s.ensureMode(ctx, op, s.plat.CommandMode, 0); err != nil {
		return nil, err
	}
	c := s.plat.SaveCommand
	x := expectation{echo: c, prompt: true}
	for _, q := range s.plat.SaveConfirm {
		x.answers = append(x.answers, answer{question: q.Question, reply: constReply(q.Answer)})
	}
	r, err := s.command(ctx, opName(op, c), c, x)
	if err == nil && !r.Failed && s.plat.SaveSuccess != nil && !s.plat.SaveSuccess.MatchString(r.Output) {
		r.Failed, r.FailedBy = true, "no save confirmation"
		r.ErrorText = "the device did not confirm that it saved"
		if last := strings.TrimSpace(lastLine(strings.TrimSpace(r.Output))); last != "" {
			r.ErrorText += ": " + last
		}
	}
	return r, err
}

// SendInteractive runs a dialogue: for each event it sends Send and waits
// for Expect (a prompt when Expect is empty). A prompt arriving before an
// expected question ends the dialogue early with a Failed response
// (FailedBy "unexpected prompt"). Hidden sends are redacted from the
// transcript and the response. It runs in privileged mode unless WithMode
// says otherwise.
func (s *Session) SendInteractive(ctx context.Context, events []InteractiveEvent, opts ...SendOption) (*Response, error) {
	o := sendOptions{mode: s.plat.CommandMode}
	for _, f := range opts {
		f(&o)
	}
	var shown []string
	for _, ev := range events {
		if ev.Hidden {
			s.sec.add(ev.Send)
			shown = append(shown, redactedMark)
			continue
		}
		shown = append(shown, ev.Send)
	}
	r := &Response{Command: strings.Join(shown, "\n"), Start: time.Now()}
	for _, ev := range events {
		r.Redacted = r.Redacted || ev.Hidden
	}
	op := opName("send_interactive", r.Command)
	if err := s.begin(op); err != nil {
		return nil, err
	}
	defer s.opMu.Unlock()
	if err := s.ensureMode(ctx, op, o.mode, o.timeout); err != nil {
		return nil, err
	}

	var out strings.Builder
	var last *exchange
	for i, ev := range events {
		x := expectation{prompt: true, timeout: o.timeout}
		if !ev.Hidden {
			x.echo = ev.Send
		}
		if ev.Expect != "" {
			pat := ev.Expect
			if !ev.Regex {
				pat = regexp.QuoteMeta(pat)
			}
			re, err := regexp.Compile(pat)
			if err != nil {
				return nil, s.errf(op, ErrUnsupported, nil, "event %d: expect pattern: %v", i+1, err)
			}
			x.expect, x.expectText = re, ev.Expect
		}
		ex, err := s.converse(ctx, op, ev.Send, x)
		if err != nil {
			return nil, err
		}
		last = ex
		text := ex.text
		if !ex.expected {
			text = text[:ex.outEnd]
			s.setState(ex)
		}
		if ev.Hidden && ev.Send != "" {
			text = strings.ReplaceAll(text, ev.Send, redactedMark)
		}
		out.WriteString(text)
		if !ex.expected && ev.Expect != "" {
			r.Failed, r.FailedBy = true, "unexpected prompt"
			r.ErrorText = fmt.Sprintf("event %d: got the prompt %q before %q", i+1, ex.prompt, ev.Expect)
			break
		}
	}
	r.End = time.Now()
	r.Output = strings.TrimSuffix(out.String(), "\n")
	if last != nil && !last.expected {
		r.Prompt = last.prompt
	}
	if !r.Failed {
		if by, text, failed := s.plat.failure(r.Output); failed {
			r.Failed, r.FailedBy, r.ErrorText = true, by, text
		}
	}
	return r, nil
}

// Close ends the session and frees everything it holds. When no operation
// is running it sends the logout ("exit", after leaving configuration
// mode), so that the device releases the VTY line at once rather than at
// its idle timeout, and returns without waiting for the device: a
// goroutine of its own gives the device up to closeGrace to hang up, then
// closes the channel and the connections (jump hosts included); call
// WaitClosed before the program exits. The transcript ends with the
// logout: the caller may close its writer when Close returns. When an
// operation is running, Close closes everything at once and the operation
// fails with ErrClosed. Close is idempotent and safe to call concurrently.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		if s.ssh != nil && s.opMu.TryLock() {
			s.mu.Lock()
			gone := s.readErr != nil
			s.mu.Unlock()
			if !gone {
				// Leave configuration mode first (without waiting for
				// its prompt), so that "exit" logs out rather than
				// climbing one mode up.
				bye := "exit\n"
				if s.plat.ConfigMode != "" && s.Mode() == s.plat.ConfigMode {
					if p := s.plat.path(s.plat.ConfigMode, s.plat.CommandMode); len(p) == 1 {
						bye = p[0].Command + "\n" + bye
					}
				}
				s.tx.Write([]byte(bye))
				s.endTranscript()
				go s.hangUp(bye, beginHangUp())
				s.opMu.Unlock()
				return
			}
			s.opMu.Unlock()
		}
		s.release()
	})
	// Nothing useful can be reported: the device may already have hung
	// up, which is what was asked for.
	return nil
}

// closeGrace is how long a closed session waits, off the caller's
// goroutine, for the device to hang up after the logout.
const closeGrace = 500 * time.Millisecond
