package driver

// cleaner turns the raw terminal byte stream into plain text, incrementally:
// ANSI escape sequences are dropped, backspaces erase the previous
// character of the current line, and "\r\n", "\r\r\n" and a lone "\r" all
// become "\n" (a lone "\r" at the start of a line, where a terminal would
// not move, is dropped). Its state survives between reads, so an escape sequence or a
// "\r\n" split across two reads is handled like an unsplit one.
type cleaner struct {
	out   []byte
	state cleanState
	cr    bool // a '\r' was seen and not yet resolved
	// erase is set after a pager prompt was cut from out: the device then
	// erases it from the screen, IOS-style with backspaces, blanks and
	// backspaces again, or with '\r', blanks, '\r'. Those bytes are
	// dropped; blanks followed by text are indentation and are kept.
	erase  eraseState
	blanks int // blanks held in eraseBlanks
}

type eraseState uint8

const (
	eraseOff    eraseState = iota
	eraseStart             // dropping backspaces and carriage returns
	eraseBlanks            // holding blanks: erasure or indentation?
	eraseBack              // blanks were erasure: dropping backspaces, '\r'
)

type cleanState uint8

const (
	stNormal  cleanState = iota
	stEsc                // after ESC
	stCSI                // ESC [ ... final byte
	stOSC                // ESC ] ... BEL or ESC \
	stOSCEsc             // ESC inside an OSC
	stCharset            // ESC ( X and friends: one more byte
)

func (c *cleaner) write(p []byte) {
	for _, b := range p {
		switch c.state {
		case stEsc:
			switch b {
			case '[':
				c.state = stCSI
			case ']':
				c.state = stOSC
			case '(', ')', '*', '+', '#', '%':
				c.state = stCharset
			default:
				c.state = stNormal // two-byte sequence such as ESC 7, ESC =
			}
			continue
		case stCSI:
			if b >= 0x40 && b <= 0x7e {
				c.state = stNormal
			}
			continue
		case stOSC:
			switch b {
			case 0x07:
				c.state = stNormal
			case 0x1b:
				c.state = stOSCEsc
			}
			continue
		case stOSCEsc:
			c.state = stNormal
			if b != '\\' {
				c.state = stOSC
			}
			continue
		case stCharset:
			c.state = stNormal
			continue
		}
		if b == 0x1b {
			c.state = stEsc
			continue
		}
		if c.erase != eraseOff && c.eraseByte(b) {
			continue
		}
		if b == '\r' {
			c.cr = true
			continue
		}
		if c.cr {
			c.cr = false
			// A lone '\r' ends the line, except at the start of a line,
			// where a terminal would not move at all (bash sends one after
			// every command, behind its bracketed-paste escape).
			if b != '\n' && len(c.out) > 0 && c.out[len(c.out)-1] != '\n' {
				c.put('\n')
			}
		}
		switch {
		case b == '\n':
			c.put('\n')
		case b == '\b' || b == 0x7f:
			if n := len(c.out); n > 0 && c.out[n-1] != '\n' {
				c.out = c.out[:n-1]
			}
		case b == '\t':
			c.put(b)
		case b < 0x20:
			// BEL, NUL and other controls carry no text.
		default:
			c.put(b)
		}
	}
}

func (c *cleaner) put(b byte) { c.out = append(c.out, b) }

// eraseByte consumes b if it is part of a pager prompt's erasure.
func (c *cleaner) eraseByte(b byte) bool {
	back := b == '\b' || b == 0x7f || b == '\r'
	switch c.erase {
	case eraseStart:
		switch {
		case back:
			return true
		case b == ' ':
			c.erase, c.blanks = eraseBlanks, 1
			return true
		case b == '\n':
			// The pager line ended; it is gone already.
			c.erase = eraseOff
			return true
		}
	case eraseBlanks:
		switch {
		case b == ' ':
			c.blanks++
			return true
		case back:
			c.erase, c.blanks = eraseBack, 0
			return true
		}
		// Text after blanks: they were the indentation of the next line.
		for range c.blanks {
			c.put(' ')
		}
	case eraseBack:
		if back {
			return true
		}
	}
	c.erase, c.blanks = eraseOff, 0
	return false
}

// startErase is called after the pager prompt was cut from out.
func (c *cleaner) startErase() { c.erase, c.blanks, c.cr = eraseStart, 0, false }

// flushCR resolves a pending '\r' at the end of the stream as a newline.
// Only used when the stream ends; a prompt never ends in '\r'.
func (c *cleaner) flushCR() {
	if c.cr {
		c.cr = false
		c.put('\n')
	}
}
