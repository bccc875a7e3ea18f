package lab

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// flashFile is one file on a device's flash filesystem (IOS flash0:, EOS
// flash:). Files written by "copy running-config" hold text; the image
// the device boots from and other system files only have a size.
type flashFile struct {
	name   string
	index  int // IOS "dir" number, in creation order
	perm   string
	size   int // size of a file without text
	text   string
	isText bool
	mtime  time.Time
}

func (f *flashFile) length() int {
	if f.isText {
		return len(f.text)
	}
	return f.size
}

const (
	iosFlashTotal = 2142715904 // IOSv flash0: (2 GB CompactFlash)
	eosFlashTotal = 3957878784 // vEOS-lab flash:
)

// initialFlash is what the device's flash holds at boot.
func initialFlash(d *Device) []*flashFile {
	boot := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	switch d.platform {
	case CiscoIOS:
		return []*flashFile{
			{name: "vios-adventerprisek9-m", index: 1, perm: "-rw-", size: 147888128, mtime: boot},
			{name: "nvram", index: 2, perm: "-rw-", size: 524288, mtime: boot},
		}
	case AristaEOS:
		return []*flashFile{
			{name: "vEOS-lab.swi", perm: "-rwx", size: 468057426, mtime: boot},
			{name: "boot-config", perm: "-rwx", text: "SWI=flash:/vEOS-lab.swi\n", isText: true, mtime: boot},
			{name: "debug", perm: "drwx", size: 4096, mtime: boot},
			{name: "persist", perm: "drwx", size: 4096, mtime: boot},
		}
	}
	return nil
}

// file returns the flash file called name (under dev.mu), or nil.
func (st *devState) file(name string) *flashFile {
	for _, f := range st.flash {
		if f.name == name {
			return f
		}
	}
	return nil
}

// writeFile creates or overwrites a text file on flash (under dev.mu).
func (st *devState) writeFile(name, text string) {
	if f := st.file(name); f != nil {
		f.text, f.isText, f.size, f.mtime = text, true, 0, time.Now()
		return
	}
	next := 1
	for _, f := range st.flash {
		next = max(next, f.index+1)
	}
	perm := "-rw-"
	if st.dev.platform == AristaEOS {
		perm = "-rwx" // EOS flash: is a FAT filesystem
	}
	st.flash = append(st.flash, &flashFile{name: name, index: next, perm: perm, text: text, isText: true, mtime: time.Now()})
}

func (st *devState) removeFile(name string) bool {
	for i, f := range st.flash {
		if f.name == name {
			st.flash = append(st.flash[:i], st.flash[i+1:]...)
			return true
		}
	}
	return false
}

// filePath is a parsed "fs:name" argument: fs is the filesystem's real
// name ("flash0" on IOSv for "flash:"), name has no leading "/".
type filePath struct {
	typed string // as the user typed it
	fs    string
	name  string
}

// parseFilePath reads "flash:NAME", "flash:/NAME", "flash0:NAME" (IOS)
// and "nvram:startup-config" (IOS). ok is false for a filesystem the
// device does not have.
func (p *iosLike) parseFilePath(arg string) (filePath, bool) {
	fs, name, found := strings.Cut(arg, ":")
	if !found {
		return filePath{}, false
	}
	fp := filePath{typed: arg, name: strings.TrimPrefix(name, "/")}
	switch strings.ToLower(fs) {
	case "flash":
		fp.fs = "flash"
		if p.name == CiscoIOS {
			fp.fs = "flash0"
		}
	case "flash0":
		if p.name != CiscoIOS {
			return filePath{}, false
		}
		fp.fs = "flash0"
	case "nvram":
		if p.name != CiscoIOS {
			return filePath{}, false
		}
		fp.fs = "nvram"
	default:
		return filePath{}, false
	}
	return fp, true
}

// full is the path as the device prints it: "flash0:/NAME".
func (fp filePath) full() string { return fp.fs + ":/" + fp.name }

// argPos is the column of arg in the line being answered, for carets.
func argPos(s *session, arg string) int {
	return strings.LastIndex(s.lastLine, arg)
}

// iosFilePromptQuiet: "file prompt quiet" in the running configuration
// turns the confirmations of file operations off.
func (s *session) iosFilePromptQuiet() bool {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	return s.dev.st.running.find("file prompt quiet") != nil
}

// savedConfig is the configuration text "copy running-config flash:X"
// writes: the running configuration without the "Building
// configuration..." and "Current configuration" lines of the show command.
func (st *devState) savedConfig() string {
	text := st.runningText()
	if i := strings.Index(text, "Current configuration : "); i >= 0 {
		if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
			return text[i+j+1:]
		}
	}
	return text
}

// ---- Cisco IOS ----

// iosCopyRunFile answers "copy running-config flash:NAME".
func (p *iosLike) iosCopyRunFile(s *session, args []string) (string, error) {
	fp, ok := p.parseFilePath(args[0])
	if !ok {
		return p.invalid(s, argPos(s, args[0])), nil
	}
	if fp.fs == "nvram" {
		if fp.name != "startup-config" {
			return fmt.Sprintf("%%Error opening %s (Permission denied)\n", fp.typed), nil
		}
		return iosCopyRunStart(s, nil)
	}
	quiet := s.iosFilePromptQuiet()
	name := fp.name
	if name == "" {
		name = "running-config"
	}
	if !quiet {
		ans, err := s.ask("Destination filename ["+name+"]? ", false)
		if err != nil {
			return "", err
		}
		if a := strings.TrimSpace(ans); a != "" {
			name = strings.TrimPrefix(a, "/")
		}
	}
	if strings.Contains(name, "/") {
		return fmt.Sprintf("%%Error opening %s:/%s (No such file or directory)\n", fp.fs, name), nil
	}
	s.dev.mu.Lock()
	exists := s.dev.st.file(name) != nil
	s.dev.mu.Unlock()
	if exists && !quiet {
		s.write("%Warning:There is a file already existing with this name \n")
		ok, err := s.confirm("Do you want to over write? [confirm]")
		if err != nil || !ok {
			return "", err
		}
	}
	s.dev.mu.Lock()
	text := s.dev.st.savedConfig()
	s.dev.st.writeFile(name, text)
	s.dev.mu.Unlock()
	return bytesCopied(len(text)), nil
}

// bytesCopied is IOS's line after a copy.
func bytesCopied(n int) string {
	const secs = 0.052
	return fmt.Sprintf("%d bytes copied in %.3f secs (%d bytes/sec)\n", n, secs, int(float64(n)/secs))
}

// iosDir answers "dir" and "dir flash:".
func (p *iosLike) iosDir(s *session, args []string) (string, error) {
	if len(args) == 1 {
		fp, ok := p.parseFilePath(args[0])
		if !ok || fp.fs != "flash0" || fp.name != "" {
			return p.invalid(s, argPos(s, args[0])), nil
		}
	}
	s.dev.mu.Lock()
	files := append([]*flashFile(nil), s.dev.st.flash...)
	s.dev.mu.Unlock()
	var b strings.Builder
	b.WriteString("Directory of flash0:/\n\n")
	used := 0
	for _, f := range files {
		used += f.length()
		fmt.Fprintf(&b, "%5d  %s  %10d  %6s %s  %s\n", f.index, f.perm, f.length(),
			f.mtime.UTC().Format("Jan 2"), f.mtime.UTC().Format("2006 15:04:05 -07:00"), f.name)
	}
	fmt.Fprintf(&b, "\n%d bytes total (%d bytes free)\n", iosFlashTotal, iosFlashTotal-used)
	return b.String(), nil
}

// iosMore answers "more flash:NAME".
func (p *iosLike) iosMore(s *session, args []string) (string, error) {
	fp, ok := p.parseFilePath(args[0])
	if !ok || fp.name == "" {
		return p.invalid(s, argPos(s, args[0])), nil
	}
	text, found := s.readFile(fp)
	if !found {
		s.failed = true
		return fmt.Sprintf("%%Error opening %s (No such file or directory)\n", fp.full()), nil
	}
	return text, nil
}

// readFile returns a file's text; nvram:startup-config is the saved
// configuration.
func (s *session) readFile(fp filePath) (string, bool) {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	if fp.fs == "nvram" {
		if fp.name != "startup-config" {
			return "", false
		}
		text := st.startupText()
		if i := strings.Index(text, "Current configuration : "); i >= 0 {
			text = text[i+strings.IndexByte(text[i:], '\n')+1:]
		}
		return text, true
	}
	f := st.file(fp.name)
	if f == nil || fp.name == "" {
		return "", false
	}
	return f.text, true
}

// iosDelete answers "delete [/force] [/recursive] flash:NAME".
func (p *iosLike) iosDelete(s *session, args []string) (string, error) {
	force := false
	var target string
	for _, w := range strings.Fields(args[0]) {
		switch {
		case strings.EqualFold(w, "/force"):
			force = true
		case strings.EqualFold(w, "/recursive"):
		case target == "":
			target = w
		default:
			return p.invalid(s, argPos(s, w)), nil
		}
	}
	if target == "" {
		s.failed = true
		return p.incomplete(s, s.lastLine), nil
	}
	fp, ok := p.parseFilePath(target)
	if !ok || fp.fs != "flash0" {
		return p.invalid(s, argPos(s, target)), nil
	}
	quiet := force || s.iosFilePromptQuiet()
	name := fp.name
	if !quiet {
		ans, err := s.ask("Delete filename ["+name+"]? ", false)
		if err != nil {
			return "", err
		}
		if a := strings.TrimSpace(ans); a != "" {
			name = strings.TrimPrefix(a, "/")
		}
	}
	path := "flash0:/" + name
	s.dev.mu.Lock()
	exists := name != "" && s.dev.st.file(name) != nil
	s.dev.mu.Unlock()
	if !exists {
		s.failed = true
		return "%Error deleting " + path + " (No such file or directory)\n", nil
	}
	if !quiet {
		ok, err := s.confirm("Delete " + path + "? [confirm]")
		if err != nil || !ok {
			return "", err
		}
	}
	s.dev.mu.Lock()
	s.dev.st.removeFile(name)
	s.dev.mu.Unlock()
	return "", nil
}

// iosReplaceQuestion is what IOS asks before "configure replace" without
// "force".
const iosReplaceQuestion = "This will apply all necessary additions and deletions\n" +
	"to replace the current running configuration with the\n" +
	"contents of the specified configuration file, which is\n" +
	"assumed to be a complete configuration, not a partial\n" +
	"configuration. Enter Y if you are sure you want to proceed. ? [no]: "

// iosConfigureReplace answers "configure replace <file> [force]".
func (p *iosLike) iosConfigureReplace(force bool) cmdFunc {
	return func(s *session, args []string) (string, error) {
		return p.iosReplace(s, args[0], force)
	}
}

func (p *iosLike) iosReplace(s *session, arg string, force bool) (string, error) {
	fp, ok := p.parseFilePath(arg)
	if !ok || fp.name == "" {
		return p.invalid(s, argPos(s, arg)), nil
	}
	text, found := s.readFile(fp)
	if !found {
		s.failed = true
		return "Error: Could not open file " + fp.typed + " for reading\n", nil
	}
	if !force {
		ans, err := s.ask(iosReplaceQuestion, false)
		if err != nil {
			return "", err
		}
		if a := strings.ToLower(strings.TrimSpace(ans)); a != "y" && a != "yes" {
			return "", nil
		}
	}
	if !iosValidConfigFile(text) {
		s.failed = true
		return "%The input file is not a valid config file.\n", nil
	}
	passes := s.replaceRunning(text)
	return fmt.Sprintf("Total number of passes: %d\nRollback Done\n\n", passes), nil
}

// iosValidConfigFile: IOS replaces the configuration only with a complete
// configuration file, which has a "version" line and ends with "end".
func iosValidConfigFile(text string) bool {
	hasVersion, hasEnd := false, false
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "version "):
			hasVersion = true
		case t == "end":
			hasEnd = true
		case t != "" && !strings.HasPrefix(t, "!"):
			hasEnd = false
		}
	}
	return hasVersion && hasEnd
}

// replaceRunning makes the running configuration the one in text and
// returns how many passes IOS would report: 0 when nothing changed.
func (s *session) replaceRunning(text string) int {
	c := parseConfig(text)
	out := c.stanzas[:0]
	for _, st := range c.stanzas {
		if st.line != "end" || len(st.children) > 0 {
			out = append(out, st)
		}
	}
	c.stanzas = out
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	if st.running.render(" ", "!") == c.render(" ", "!") {
		return 0
	}
	st.running = c
	st.lastChange = time.Now()
	return 1
}

// ---- Arista EOS ----

// eosFile reads "flash:NAME" / "flash:/NAME" on EOS; ok is false for
// another filesystem, a missing name or a subdirectory.
func eosFile(arg string) (string, bool) {
	fs, name, found := strings.Cut(arg, ":")
	if !found || !strings.EqualFold(fs, "flash") {
		return "", false
	}
	name = strings.TrimPrefix(name, "/")
	return name, name != "" && !strings.Contains(name, "/")
}

// eosCopyToFile answers "copy running-config flash:NAME" and "copy
// startup-config flash:NAME".
func (p *iosLike) eosCopyToFile(startup bool) cmdFunc {
	return func(s *session, args []string) (string, error) {
		name, ok := eosFile(args[0])
		if !ok {
			return p.invalid(s, argPos(s, args[0])), nil
		}
		s.dev.mu.Lock()
		text := s.dev.st.runningText()
		if startup {
			text = s.dev.st.startupText()
		}
		s.dev.st.writeFile(name, text)
		s.dev.mu.Unlock()
		return "Copy completed successfully.\n", nil
	}
}

// eosDir answers "dir" and "dir flash:".
func (p *iosLike) eosDir(s *session, args []string) (string, error) {
	if len(args) == 1 && !strings.EqualFold(strings.TrimSuffix(args[0], "/"), "flash:") {
		return p.invalid(s, argPos(s, args[0])), nil
	}
	s.dev.mu.Lock()
	files := append([]*flashFile(nil), s.dev.st.flash...)
	s.dev.mu.Unlock()
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	var b strings.Builder
	b.WriteString("Directory of flash:/\n\n")
	used := 0
	for _, f := range files {
		used += f.length()
		// As ls: the time for files of the last six months, else the year.
		stamp := f.mtime.UTC().Format("Jan 2 15:04")
		if time.Since(f.mtime) > 182*24*time.Hour || time.Until(f.mtime) > time.Hour {
			stamp = f.mtime.UTC().Format("Jan 2  2006")
		}
		fmt.Fprintf(&b, "       %s %11d %22s  %s\n", f.perm, f.length(), stamp, f.name)
	}
	fmt.Fprintf(&b, "\n%d bytes total (%d bytes free)\n", eosFlashTotal, eosFlashTotal-used)
	return b.String(), nil
}

// eosDelete answers "delete flash:NAME": silent, as on EOS.
func (p *iosLike) eosDelete(s *session, args []string) (string, error) {
	f := strings.Fields(args[0])
	if len(f) != 1 {
		return p.invalid(s, argPos(s, f[len(f)-1])), nil
	}
	name, ok := eosFile(f[0])
	if !ok {
		return p.invalid(s, argPos(s, f[0])), nil
	}
	s.dev.mu.Lock()
	removed := s.dev.st.removeFile(name)
	s.dev.mu.Unlock()
	if !removed {
		s.failed = true
		return "% Error deleting flash:/" + name + " (No such file or directory)\n", nil
	}
	return "", nil
}

// eosConfigureReplace answers "configure replace flash:NAME": silent on
// success.
func (p *iosLike) eosConfigureReplace(s *session, args []string) (string, error) {
	name, ok := eosFile(args[0])
	if !ok {
		return p.invalid(s, argPos(s, args[0])), nil
	}
	s.dev.mu.Lock()
	f := s.dev.st.file(name)
	var text string
	if f != nil {
		text, ok = f.text, f.isText
	}
	s.dev.mu.Unlock()
	if f == nil {
		s.failed = true
		return "% Error copying flash:/" + name + " to running-config (No such file or directory)\n", nil
	}
	if !ok {
		s.failed = true
		return "% Error copying flash:/" + name + " to running-config (Invalid argument)\n", nil
	}
	s.replaceRunning(text)
	return "", nil
}
