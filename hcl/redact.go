package hcl

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"html"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Sensitive is what a redacted secret reads as.
const Sensitive = "(sensitive)"

// minRedactLen is the shortest secret redacted: replacing one or two
// characters would mangle text while protecting nothing a guess would not
// find. Such secrets draw a warning when the playbook is loaded.
const minRedactLen = 3

// truncMarkers end a string that was cut short ("abc... (12 more bytes)",
// "abc…"): a prefix of a secret just before one is the start of a secret
// that was cut, and is redacted too.
var truncMarkers = []string{"...", "…"}

// Redactor replaces secrets with "(sensitive)" in text. Each secret is
// looked for in every form a report may hold it in: as is, JSON-escaped,
// XML-escaped, Go-quoted (%q) and base64, and its beginning when a
// truncation ("...") cut it short. A secret is replaced only on token
// boundaries: password "admin" leaves "administratively" alone, so that
// device output is never corrupted by redaction. The zero value and nil
// redact nothing. A Redactor is safe for concurrent use.
type Redactor struct {
	forms   []string        // longest first
	byFirst map[byte][]int  // first byte -> indexes into forms
	maxLen  int             // longest form
	trunc   map[string]bool // forms whose cut-short prefixes are redacted
	seen    map[string]bool // dedup while building
}

// NewRedactor returns a redactor of the given secrets. Empty strings and
// secrets shorter than 3 bytes are ignored.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{byFirst: map[byte][]int{}, trunc: map[string]bool{}, seen: map[string]bool{}}
	for _, s := range secrets {
		if len(s) < minRedactLen {
			continue
		}
		for _, f := range secretForms(s) {
			r.add(f.text, f.textual)
		}
	}
	sort.SliceStable(r.forms, func(i, j int) bool { return len(r.forms[i]) > len(r.forms[j]) })
	for i, f := range r.forms {
		r.byFirst[f[0]] = append(r.byFirst[f[0]], i)
		r.maxLen = max(r.maxLen, len(f))
	}
	r.seen = nil
	return r
}

func (r *Redactor) add(f string, textual bool) {
	if len(f) < minRedactLen || r.seen[f] {
		if textual && len(f) >= minRedactLen {
			r.trunc[f] = true
		}
		return
	}
	r.seen[f] = true
	r.forms = append(r.forms, f)
	if textual {
		r.trunc[f] = true
	}
}

type form struct {
	text    string
	textual bool // a text form (not base64): also redacted when cut short
}

// secretForms lists the ways s may be written in a log or report.
func secretForms(s string) []form {
	var out []form
	// Escapes of one level, and of two (a JSON value inside a %q message,
	// a %q message inside a JSON string).
	base := []string{s}
	for _, esc := range escapers {
		base = append(base, esc(s))
	}
	for _, b := range base {
		out = append(out, form{b, true})
		if b == s {
			continue
		}
		for _, esc := range escapers {
			out = append(out, form{esc(b), true})
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		out = append(out, form{enc.EncodeToString([]byte(s)), false})
	}
	return out
}

// escapers give a string's body as an encoding writes it (without the
// surrounding quotes).
var escapers = []func(string) string{
	jsonBody(true), jsonBody(false),
	func(s string) string { q := strconv.Quote(s); return q[1 : len(q)-1] },
	func(s string) string { q := strconv.QuoteToASCII(s); return q[1 : len(q)-1] },
	func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	},
	html.EscapeString,
}

func jsonBody(escapeHTML bool) func(string) string {
	return func(s string) string {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		_ = enc.Encode(s)
		q := strings.TrimSuffix(b.String(), "\n")
		return q[1 : len(q)-1]
	}
}

// Empty reports whether r redacts nothing.
func (r *Redactor) Empty() bool { return r == nil || len(r.forms) == 0 }

// Redact returns s with every secret replaced by "(sensitive)".
func (r *Redactor) Redact(s string) string {
	if r.Empty() {
		return s
	}
	spans := r.spans(s, 0, len(s), true)
	if len(spans) == 0 {
		return s
	}
	return replaceSpans(s, 0, len(s), spans)
}

type span struct{ start, end int }

func replaceSpans(s string, from, to int, spans []span) string {
	var b strings.Builder
	b.Grow(to - from)
	at := from
	for _, sp := range spans {
		b.WriteString(s[at:sp.start])
		b.WriteString(Sensitive)
		at = sp.end
	}
	b.WriteString(s[at:to])
	return b.String()
}

// spans finds the secrets in s[from:], leftmost first and longest at each
// position, that start before limit. s[:from] is context only (for the
// token boundary). final says s ends where the text ends (no more bytes
// will follow), so a secret may end at len(s).
func (r *Redactor) spans(s string, from, limit int, final bool) []span {
	var cut map[int]int // start -> end of secrets cut short by a truncation
	for _, m := range truncMarkers {
		for off := from; ; {
			j := strings.Index(s[off:], m)
			if j < 0 {
				break
			}
			j += off
			off = j + len(m)
			if j > from && (s[j-1] == '.' || strings.HasSuffix(s[:j], "…")) {
				continue // inside a run of dots: only the first can end a cut
			}
			for f := range r.trunc {
				for k := min(len(f)-1, j-from); k >= minRedactLen; k-- {
					if s[j-k:j] == f[:k] && leftBoundary(s, j-k, f) {
						if cut == nil {
							cut = map[int]int{}
						}
						if cut[j-k] < j {
							cut[j-k] = j
						}
						break
					}
				}
			}
		}
	}
	var out []span
	for i := from; i < limit; {
		end := -1
		for _, fi := range r.byFirst[s[i]] {
			f := r.forms[fi]
			if strings.HasPrefix(s[i:], f) && leftBoundary(s, i, f) && rightBoundary(s, i+len(f), f, final) {
				end = i + len(f)
				break
			}
		}
		if e, ok := cut[i]; ok && e > end {
			end = e
		}
		if end < 0 {
			i++
			continue
		}
		out = append(out, span{i, end})
		i = end
	}
	return out
}

func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// leftBoundary reports whether a secret f may start at s[i]: when f begins
// with a word character, the character before must not be one. An escape
// sequence (\n, \t, \u003c, &lt;) before it counts as a boundary.
func leftBoundary(s string, i int, f string) bool {
	first, _ := utf8.DecodeRuneInString(f)
	if i == 0 || !isWord(first) {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	if !isWord(prev) {
		return true
	}
	// "\n", "\t", "\r" of an escaped string.
	if i >= 2 && s[i-2] == '\\' && strings.IndexByte("ntrfbv0", s[i-1]) >= 0 && !escaped(s, i-2) {
		return true
	}
	// "\u003c" of JSON, "\x3c" of Go.
	if i >= 6 && s[i-6] == '\\' && s[i-5] == 'u' && isHex(s[i-4:i]) && !escaped(s, i-6) {
		return true
	}
	if i >= 4 && s[i-4] == '\\' && s[i-3] == 'x' && isHex(s[i-2:i]) && !escaped(s, i-4) {
		return true
	}
	return false
}

// escaped reports whether the backslash at s[i] is itself escaped.
func escaped(s string, i int) bool {
	n := 0
	for i > 0 && s[i-1] == '\\' {
		n++
		i--
	}
	return n%2 == 1
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// rightBoundary reports whether a secret f may end at s[j]: when f ends
// with a word character, the character after must not be one. At the end
// of s, that is known only when final.
func rightBoundary(s string, j int, f string, final bool) bool {
	last, _ := utf8.DecodeLastRuneInString(f)
	if !isWord(last) {
		return true
	}
	if j == len(s) {
		return final
	}
	next, _ := utf8.DecodeRuneInString(s[j:])
	return !isWord(next)
}

// Writer returns a writer that passes what it is given to w with the
// secrets replaced. A secret may arrive split across writes, so the last
// bytes (as many as the longest form of a secret, and a little context)
// are held back until the next Write or Close shows whether they begin
// one. Close writes what is held back; it does not close w. With no
// secrets, it is w itself behind a no-op Close.
func (r *Redactor) Writer(w io.Writer) io.WriteCloser {
	return &redactWriter{r: r, w: w}
}

type redactWriter struct {
	mu      sync.Mutex
	r       *Redactor
	w       io.Writer
	ctx     string // the last bytes written, for the token boundary
	pending []byte
	err     error
}

// redactContext is how many bytes before a secret decide its boundary
// ("\u003c" is the longest).
const redactContext = 8

func (rw *redactWriter) Write(p []byte) (int, error) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.err != nil {
		return 0, rw.err
	}
	if rw.r.Empty() {
		_, rw.err = rw.w.Write(p)
		if rw.err != nil {
			return 0, rw.err
		}
		return len(p), nil
	}
	rw.pending = append(rw.pending, p...)
	// Scanning only once twice the held-back length has gathered keeps the
	// cost per byte constant whatever the size of the writes.
	hold := rw.r.maxLen + redactContext
	if len(rw.pending) < 2*hold {
		return len(p), nil
	}
	s := rw.ctx + string(rw.pending)
	from := len(rw.ctx)
	cut := len(s) - hold
	spans := rw.r.spans(s, from, len(s), false)
	var done []span
	for _, sp := range spans {
		if sp.start >= cut {
			break
		}
		if sp.end > cut {
			cut = sp.start // never split a secret
			break
		}
		done = append(done, sp)
	}
	if cut <= from {
		return len(p), nil
	}
	if _, err := io.WriteString(rw.w, replaceSpans(s, from, cut, done)); err != nil {
		rw.err = err
		return 0, err
	}
	rw.ctx = s[max(0, cut-redactContext):cut]
	rw.pending = append(rw.pending[:0], s[cut:]...)
	return len(p), nil
}

func (rw *redactWriter) Close() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.err != nil || len(rw.pending) == 0 {
		return rw.err
	}
	s := rw.ctx + string(rw.pending)
	from := len(rw.ctx)
	out := replaceSpans(s, from, len(s), rw.r.spans(s, from, len(s), true))
	rw.pending = nil
	if _, err := io.WriteString(rw.w, out); err != nil {
		rw.err = err
	}
	return rw.err
}
