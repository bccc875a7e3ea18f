package lab

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// connState is what the sessions of one SSH connection share.
type connState struct {
	dev      *Device
	netConn  net.Conn
	sshConn  *ssh.ServerConn
	user     string
	commands atomic.Int64 // non-empty command lines received, for DropAfter
}

// errDropped ends a session after a fault closed the connection on purpose.
var errDropped = errors.New("lab: connection dropped by fault")

// session is one "session" channel: a shell or an exec request.
type session struct {
	ctx  context.Context
	conn *connState
	dev  *Device
	ch   ssh.Channel
	in   *bufio.Reader
	plat platformImpl

	pty    bool
	width  atomic.Int64
	height atomic.Int64
	// termLength: -1 until "terminal length N" (then the fault's PagerLines
	// applies); 0 disables paging.
	termLength int
	skipLF     bool // the last line ended with \r: a following \n is part of it
	werr       error

	// CLI mode, interpreted by the platform.
	priv       bool
	inConfig   bool
	cfgSection string      // IOS-like: header of the current submode ("interface Gi0/1")
	cfgMode    string      // IOS-like: its prompt name ("config-if")
	cfgStack   []cfgLevel  // IOS-like: the modes below global configuration
	xrOps      []xrOp      // IOS-XR: this session's target configuration
	xrFailed   []xrFailure // IOS-XR: the items of the last failed commit
	xrNoTS     bool        // IOS-XR: "terminal exec prompt no-timestamp"
	mask       bool        // echo "*" for typed characters (ASA enable secret)
	helpOK     bool        // "?" asks for help (at a command prompt)
	carry      string      // what readLine starts with (the line before "?")
	junosEdit  []string    // JunOS: [edit ...] path
	junosWords []string    // JunOS: the last checked set line, keywords in full
	lastPrompt string      // the prompt the current line was typed at (caret position)
	lastLine   string
	failed     bool // the last command was rejected (exec exit status)
	dropMid    bool // the current command's output is cut in half by a fault
	// out holds what the session wrote since it last waited: it goes out
	// in one packet, as from a device's output buffer, when the session
	// next waits (for input, a latency fault) or ends.
	out []byte
}

func (c *connState) handleChannel(ctx context.Context, ch ssh.Channel, reqs <-chan *ssh.Request) {
	ctx, cancel := context.WithCancel(ctx)
	s := &session{ctx: ctx, conn: c, dev: c.dev, ch: ch, in: bufio.NewReader(ch), termLength: -1}
	s.width.Store(80)
	s.height.Store(24)
	s.plat = platformFor(c.dev.platform)
	var wg sync.WaitGroup
	started := false
	for req := range reqs {
		switch req.Type {
		case "pty-req":
			s.pty = true
			if w, h, ok := parsePtyReq(req.Payload); ok {
				s.width.Store(int64(w))
				s.height.Store(int64(h))
			}
			req.Reply(true, nil)
		case "window-change":
			if len(req.Payload) >= 8 {
				s.width.Store(int64(binary.BigEndian.Uint32(req.Payload)))
				s.height.Store(int64(binary.BigEndian.Uint32(req.Payload[4:])))
			}
			req.Reply(true, nil)
		case "env":
			req.Reply(true, nil)
		case "shell", "exec":
			if started {
				req.Reply(false, nil)
				continue
			}
			started = true
			var cmd string
			if req.Type == "exec" {
				var p struct{ Cmd string }
				if ssh.Unmarshal(req.Payload, &p) != nil {
					req.Reply(false, nil)
					continue
				}
				cmd = p.Cmd
			}
			req.Reply(true, nil)
			wg.Add(1)
			go func(exec bool) {
				defer wg.Done()
				status := 0
				if exec {
					status = s.runExec(cmd)
				} else {
					s.runShell()
				}
				ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(status)}))
				ch.Close()
			}(req.Type == "exec")
		default:
			req.Reply(false, nil)
		}
	}
	// The channel is closed (by us or the client): stop whatever the session
	// is doing, even a hung command, and wait for it.
	cancel()
	ch.Close()
	wg.Wait()
}

func parsePtyReq(b []byte) (w, h uint32, ok bool) {
	if len(b) < 4 {
		return 0, 0, false
	}
	n := binary.BigEndian.Uint32(b)
	b = b[4:]
	if uint32(len(b)) < n+8 {
		return 0, 0, false
	}
	b = b[n:]
	return binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]), true
}

// runShell is the interactive CLI: MOTD, prompt, read a line, answer it.
func (s *session) runShell() {
	defer s.flush()
	f := s.dev.getFaults()
	if f.BannerDelay > 0 && !s.sleep(f.BannerDelay) {
		return
	}
	s.plat.login(s)
	if motd := s.dev.spec.MOTD; motd != "" {
		s.write(strings.TrimRight(motd, "\n") + "\n")
	}
	h, canHelp := s.plat.(helper)
	carry := "" // the line typed before "?": retyped after the help
	for s.werr == nil {
		s.lastPrompt = s.plat.prompt(s)
		s.write(s.lastPrompt)
		s.write(carry)
		s.carry, carry = carry, ""
		s.helpOK = canHelp
		// A shell without a PTY does not echo; network CLIs always do.
		line, err := s.readLine(s.pty || s.dev.platform != Linux)
		s.helpOK, s.carry = false, ""
		if errors.Is(err, errHelp) {
			s.write(h.help(s, line))
			carry = line
			continue
		}
		if err != nil && !errors.Is(err, errCtrlZ) && !errors.Is(err, errCtrlC) {
			return
		}
		if err != nil {
			if s.plat.control(s, err) != nil {
				return
			}
			continue
		}
		if err := s.command(line); err != nil {
			return
		}
	}
}

// command applies the faults, then lets the platform answer one line.
func (s *session) command(line string) error {
	trimmed := strings.TrimSpace(line)
	s.lastLine = line
	f := s.dev.getFaults()
	if trimmed != "" {
		s.dev.record(trimmed)
		if s.countCommand(f) {
			return errDropped
		}
		if f.Hang != "" {
			if re, err := regexp.Compile(f.Hang); err == nil && re.MatchString(trimmed) {
				// Never answer; only the client going away (or Fleet.Close) ends this.
				s.flush()
				<-s.ctx.Done()
				return s.ctx.Err()
			}
		}
	}
	if f.Latency > 0 && !s.sleep(f.Latency) {
		return s.ctx.Err()
	}
	if err := s.plat.handle(s, line); err != nil {
		if errors.Is(err, errExit) && s.dev.getFaults().NoHangupOnExit {
			// The device leaves nothing and keeps the line open: the
			// next prompt is all the client gets.
			return s.werr
		}
		return err
	}
	if s.dropMid {
		// The command printed nothing to cut in half: drop now.
		s.flush()
		s.conn.netConn.Close()
		return errDropped
	}
	return s.werr
}

// runExec answers one exec request (ssh host 'show version').
func (s *session) runExec(cmd string) int {
	defer s.flush()
	s.termLength = 0
	s.priv = true
	trimmed := strings.TrimSpace(cmd)
	s.dev.record(trimmed)
	f := s.dev.getFaults()
	// An exec request is a command like a line typed at the prompt: it
	// counts towards DropAfter on its connection.
	if trimmed != "" && s.countCommand(f) {
		return 1
	}
	if f.Hang != "" {
		if re, err := regexp.Compile(f.Hang); err == nil && re.MatchString(cmd) {
			s.flush()
			<-s.ctx.Done()
			return 1
		}
	}
	if f.Latency > 0 && !s.sleep(f.Latency) {
		return 1
	}
	status := s.plat.exec(s, cmd)
	if s.dropMid {
		// The command printed nothing to cut in half: drop now.
		s.flush()
		s.conn.netConn.Close()
		return 1
	}
	return status
}

// countCommand counts a non-empty command on the connection and applies
// DropAfter: it closes the connection and reports true when the command
// is one too many, or marks the session to drop halfway through the
// command's output (DropMidOutput).
func (s *session) countCommand(f Faults) bool {
	n := s.conn.commands.Add(1)
	if f.DropAfter <= 0 || n <= int64(f.DropAfter) {
		return false
	}
	if f.DropMidOutput {
		s.dropMid = true
		return false
	}
	s.flush()
	s.conn.netConn.Close()
	return true
}

func (s *session) sleep(d time.Duration) bool {
	s.flush()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}

var (
	errCtrlZ = errors.New("ctrl-z")
	errCtrlC = errors.New("ctrl-c")
	errHelp  = errors.New("help") // "?" typed at the prompt
)

// readByte reads one byte, giving up when the session ends.
func (s *session) readByte() (byte, error) {
	if s.in.Buffered() == 0 {
		s.flush() // about to wait for the client
	}
	b, err := s.in.ReadByte()
	if err != nil {
		return 0, err
	}
	return b, nil
}

// readLine reads one line as a PTY in canonical mode with the device's
// echo would: printable characters are echoed as they arrive, backspace
// erases, \r, \n and \r\n all end the line. Ctrl-Z and Ctrl-C are returned
// as errors for the platform to interpret.
func (s *session) readLine(echo bool) (string, error) {
	buf := []byte(s.carry)
	// Echo goes out once per burst of input rather than once per byte, as a
	// real device's output buffer does: a pasted line comes back in one
	// packet, not forty.
	pending := 0
	flush := func() {
		if echo && pending > 0 {
			if s.mask {
				s.writeRaw(strings.Repeat("*", pending))
			} else {
				s.writeRaw(string(buf[len(buf)-pending:]))
			}
		}
		pending = 0
	}
	for {
		if s.in.Buffered() == 0 {
			flush()
		}
		b, err := s.readByte()
		if err == nil && (b < 0x20 || b == 0x7f) {
			flush()
		}
		if err != nil {
			return "", err
		}
		if s.skipLF {
			s.skipLF = false
			if b == '\n' {
				continue
			}
		}
		switch {
		case b == '\r' || b == '\n':
			s.skipLF = b == '\r'
			s.write("\n")
			return string(buf), nil
		case b == 0x7f || b == 0x08:
			if len(buf) > 0 {
				buf = buf[:len(buf)-1]
				if echo {
					s.writeRaw("\b \b")
				}
			}
		case b == 0x15: // Ctrl-U: kill line
			if echo {
				s.writeRaw(strings.Repeat("\b \b", len(buf)))
			}
			buf = buf[:0]
		case b == 0x1a:
			if echo {
				s.write("^Z\n")
			}
			return string(buf), errCtrlZ
		case b == 0x03:
			if echo {
				s.write("^C\n")
			}
			return string(buf), errCtrlC
		case b == 0x1b: // escape sequence (arrow keys): swallow it
			if n, err := s.readByte(); err != nil {
				return "", err
			} else if n == '[' || n == 'O' {
				for {
					c, err := s.readByte()
					if err != nil {
						return "", err
					}
					if c >= 0x40 && c <= 0x7e {
						break
					}
				}
			}
		case b == 0x16 && s.helpOK:
			// Ctrl-V: the next character is typed as itself, the way to
			// put a '?' in a line where '?' asks for help. The key itself
			// prints nothing.
			n, err := s.readByte()
			if err != nil {
				return "", err
			}
			if n >= 0x20 && n != 0x7f {
				buf = append(buf, n)
				pending++
			}
		case b == '?' && s.helpOK:
			flush()
			if echo {
				s.write("?\n")
			}
			return string(buf), errHelp
		case b == '\t' || b < 0x20:
			// no completion, other control characters ignored
		default:
			buf = append(buf, b)
			pending++
		}
	}
}

// ask prints a prompt and reads the answer. Secret answers are not echoed
// and not recorded.
func (s *session) ask(prompt string, secret bool) (string, error) {
	s.write(prompt)
	line, err := s.readLine(!secret)
	if err != nil && !errors.Is(err, errCtrlC) && !errors.Is(err, errCtrlZ) {
		return "", err
	}
	if err != nil {
		return "", nil
	}
	if !secret && strings.TrimSpace(line) != "" {
		s.dev.record(strings.TrimSpace(line))
	}
	return line, nil
}

// askMasked reads a secret echoing "*" for each character, as the ASA
// does at its enable Password: prompt. It is not recorded.
func (s *session) askMasked(prompt string) (string, error) {
	s.write(prompt)
	s.mask = true
	line, err := s.readLine(true)
	s.mask = false
	if err != nil && !errors.Is(err, errCtrlC) && !errors.Is(err, errCtrlZ) {
		return "", err
	}
	if err != nil {
		return "", nil
	}
	return line, nil
}

// confirm handles "[confirm]" prompts: a bare Enter, y or yes confirms.
func (s *session) confirm(prompt string) (bool, error) {
	ans, err := s.ask(prompt, false)
	if err != nil {
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(ans))
	return a == "" || a == "y" || a == "yes", nil
}

// write sends text with \n translated to \r\n, as a PTY would (network
// CLIs send \r\n even without one; a Unix shell without PTY does not).
func (s *session) write(text string) {
	s.writeRaw(s.crlf(text))
}

func (s *session) crlf(text string) string {
	if !s.pty && s.dev.platform == Linux {
		return text
	}
	return strings.ReplaceAll(text, "\n", "\r\n")
}

func (s *session) writeRaw(text string) {
	if s.werr != nil || text == "" {
		return
	}
	s.out = append(s.out, text...)
}

// flush sends what the session wrote since it last waited.
func (s *session) flush() {
	if len(s.out) > 0 && s.werr == nil {
		_, s.werr = s.ch.Write(s.out)
	}
	s.out = s.out[:0]
}

// emit writes command output through the pager and the chunking faults.
func (s *session) emit(out string) error {
	if out == "" {
		return s.werr
	}
	lines := strings.SplitAfter(out, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	page := s.pageLines()
	if page <= 0 || len(lines) <= page {
		return s.output(out)
	}
	marker := s.plat.moreMarker()
	i, n := 0, page
	for {
		end := min(i+n, len(lines))
		if err := s.output(strings.Join(lines[i:end], "")); err != nil {
			return err
		}
		i = end
		if i >= len(lines) {
			return nil
		}
		s.writeRaw(marker)
		k, err := s.readByte()
		if err != nil {
			return err
		}
		// Erase the marker the way IOS does: backspaces, blanks, backspaces.
		bs := strings.Repeat("\b", len(marker))
		s.writeRaw(bs + strings.Repeat(" ", len(marker)) + bs)
		switch k {
		case ' ':
			n = page
		case '\r', '\n':
			s.skipLF = k == '\r'
			n = 1
		default:
			return s.werr
		}
	}
}

func (s *session) pageLines() int {
	if s.termLength >= 0 {
		return s.termLength
	}
	if p := s.dev.getFaults().PagerLines; p > 0 {
		return p
	}
	return 24
}

// output writes already-paged text, in chunks when ChunkLatency is set, and
// cuts the connection halfway when DropMidOutput fires.
func (s *session) output(text string) error {
	text = s.crlf(text)
	if s.dropMid {
		s.writeRaw(text[:len(text)/2])
		s.flush()
		s.conn.netConn.Close()
		return errDropped
	}
	f := s.dev.getFaults()
	if f.ChunkLatency <= 0 {
		s.writeRaw(text)
		return s.werr
	}
	size := f.ChunkSize
	if size <= 0 {
		size = 64
	}
	for len(text) > 0 {
		n := min(size, len(text))
		s.writeRaw(text[:n])
		text = text[n:]
		if len(text) > 0 && !s.sleep(f.ChunkLatency) {
			return s.ctx.Err()
		}
	}
	return s.werr
}
