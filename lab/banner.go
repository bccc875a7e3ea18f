package lab

import (
	"errors"
	"strings"
	"time"
)

// Banners. IOS, NX-OS and IOS-XR take "banner motd D...D" with a delimiter
// D (any character, or the two characters "^C"): text on the same line up
// to the closing D, or, when the line ends first, the device prints
//
//	Enter TEXT message.  End with the character 'D'.
//
// and reads lines, without a prompt, until one holds D (the text before it
// is kept, the rest of that line is ignored). IOS shows the banner with ^C
// delimiters whatever was typed; NX-OS keeps the typed one.
//
// EOS takes "banner motd" alone, prints
//
//	Enter TEXT message. Type 'EOF' on its own line to end.
//
// and reads lines until a line "EOF". Sources: an IOS session quoted in
// ktbyers/netmiko#134; the DISA STIG for Arista EOS and Arista AVD's
// banner templates (EOF).

// maxBannerLines bounds a banner's text, as the devices bound its size.
const maxBannerLines = 500

// bannerAction runs "banner TYPE ..." for the IOS-like platforms.
func bannerAction(p *iosLike, s *session, c *cfgCmd) (bool, error) {
	if c.neg {
		c.words = c.words[:min(2, len(c.words))]
		return false, nil
	}
	kind := c.words[1]
	var line string
	if p.name == AristaEOS {
		if len(c.words) > 2 {
			return true, p.fail(s, p.invalid(s, c.toks[2].pos))
		}
		s.write("Enter TEXT message. Type 'EOF' on its own line to end.\n")
		body, ok, err := s.readBanner(func(l string) (string, bool) {
			if strings.TrimSpace(l) == "EOF" {
				return "", true
			}
			return "", false
		})
		if err != nil || !ok {
			return true, err
		}
		line = "banner " + kind + "\n" + body + "EOF"
	} else {
		text := c.words[2]
		delim := text[:1]
		if strings.HasPrefix(text, "^C") {
			delim = "^C"
		}
		after := text[len(delim):]
		var body string
		if i := strings.Index(after, delim); i >= 0 {
			body = after[:i]
		} else {
			s.write("Enter TEXT message.  End with the character '" + delim + "'.\n")
			rest, ok, err := s.readBanner(func(l string) (string, bool) {
				if i := strings.Index(l, delim); i >= 0 {
					return l[:i], true
				}
				return "", false
			})
			if err != nil || !ok {
				return true, err
			}
			body = after + "\n" + rest
		}
		shown := delim
		if p.name == CiscoIOS {
			shown = "^C"
		}
		line = "banner " + kind + " " + shown + body + shown
	}
	s.dev.mu.Lock()
	s.dev.st.running.setLine(line)
	s.dev.st.lastChange = time.Now()
	s.dev.mu.Unlock()
	return true, nil
}

// readBanner reads banner lines until last reports the closing line (and
// the part of it that belongs to the text). Ctrl-C abandons the banner.
func (s *session) readBanner(last func(string) (string, bool)) (string, bool, error) {
	var b strings.Builder
	for n := 0; n < maxBannerLines; n++ {
		l, err := s.readLine(true)
		if errors.Is(err, errCtrlC) || errors.Is(err, errCtrlZ) {
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		if t := strings.TrimSpace(l); t != "" {
			s.dev.record(t)
		}
		if head, done := last(l); done {
			b.WriteString(head)
			return b.String(), true, nil
		}
		b.WriteString(l + "\n")
	}
	s.failed = true
	s.write("% Banner too long\n")
	return "", false, nil
}

// bannerLines reads a banner stored over several lines back into one line
// (configuration files and restore points): "banner motd ^C" up to the
// closing delimiter, or EOS "banner motd" up to "EOF". It returns the
// number of extra lines it consumed.
func bannerLines(lines []string, i int) (string, int) {
	t := strings.TrimSpace(lines[i])
	f := strings.Fields(t)
	if len(f) < 2 || f[0] != "banner" {
		return t, 0
	}
	if len(f) == 2 {
		// EOS: text up to EOF.
		for j := i + 1; j < len(lines); j++ {
			if strings.TrimSpace(lines[j]) == "EOF" {
				return strings.Join(lines[i:j+1], "\n"), j - i
			}
		}
		return t, 0
	}
	text := strings.TrimPrefix(t, f[0]+" "+f[1]+" ")
	delim := text[:1]
	if strings.HasPrefix(text, "^C") {
		delim = "^C"
	}
	if strings.Contains(text[len(delim):], delim) {
		return t, 0
	}
	for j := i + 1; j < len(lines); j++ {
		if strings.Contains(lines[j], delim) {
			return strings.Join(lines[i:j+1], "\n"), j - i
		}
	}
	return t, 0
}
