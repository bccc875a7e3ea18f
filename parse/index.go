package parse

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// Index is an ntc-templates index read as Python's clitable reads it:
// "#" lines skipped, the first non-blank line is the header, rows with
// another number of columns ignored, and each column a Python regex
// applied with re.match (anchored at the start only). Column regexes are
// compiled on first use, each on its own: a row that no engine can read
// is skipped with a warning and never fails the others.
type Index struct {
	name     string
	rows     []*IndexRow
	warnings []string
	mu       sync.Mutex
}

// IndexRow is one row of an index.
type IndexRow struct {
	Templates []string // file names, in order
	Line      int      // 1-based line in the index file

	platform, command string // regex sources (command with [[ ]] expanded)
	once              sync.Once
	platformRe        *pyRegexp
	commandRe         *pyRegexp
	literalPlatform   bool // platform has no regex syntax: a prefix test
	err               error
}

// Warnings lists rows that were skipped (file:line: reason).
func (ix *Index) Warnings() []string {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return append([]string(nil), ix.warnings...)
}

// Rows returns the index rows in file order.
func (ix *Index) Rows() []*IndexRow { return ix.rows }

var completion = regexp.MustCompile(`\[\[.+?\]\]`)

// expandCompletion is clitable's _Completion: "sh[[ow]]" becomes
// "sh(o(w)?)?".
func expandCompletion(s string) string {
	return completion.ReplaceAllStringFunc(s, func(m string) string {
		word := m[2 : len(m)-2]
		var b strings.Builder
		b.WriteByte('(')
		for i, r := range word {
			if i > 0 {
				b.WriteByte('(')
			}
			b.WriteRune(r)
		}
		b.WriteString(strings.Repeat(")?", len([]rune(word))))
		return b.String()
	})
}

// ParseIndex reads an index file's text; name labels warnings and errors.
func ParseIndex(src, name string) (*Index, error) {
	ix := &Index{name: name}
	lines := strings.Split(src, "\n")
	var header []string
	col := map[string]int{}
	for n, line := range lines {
		if header == nil {
			h := strings.TrimSpace(strings.SplitN(line, "#", 2)[0])
			if h == "" {
				continue
			}
			for _, f := range strings.Split(h, ",") {
				f = strings.TrimSpace(f)
				if _, dup := col[f]; dup {
					return nil, fmt.Errorf("index %s:%d: duplicate header entry %q", name, n+1, f)
				}
				col[f] = len(header)
				header = append(header, f)
			}
			for _, need := range []string{"Template", "Platform", "Command"} {
				if _, ok := col[need]; !ok {
					return nil, fmt.Errorf("index %s:%d: the header %q has no %q column", name, n+1, h, need)
				}
			}
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ",")
		if len(fields) != len(header) {
			continue // clitable ignores such rows, blank lines included
		}
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		row := &IndexRow{Line: n + 1, platform: fields[col["Platform"]], command: expandCompletion(fields[col["Command"]])}
		for _, t := range strings.Split(fields[col["Template"]], ":") {
			row.Templates = append(row.Templates, strings.TrimSpace(t))
		}
		row.literalPlatform = regexp.QuoteMeta(row.platform) == row.platform
		ix.rows = append(ix.rows, row)
	}
	if header == nil {
		return nil, fmt.Errorf("index %s: no header line (Template, Hostname, Platform, Command)", name)
	}
	return ix, nil
}

func (ix *Index) compileRow(r *IndexRow) error {
	r.once.Do(func() {
		var err error
		if !r.literalPlatform && r.platform != "" {
			if r.platformRe, err = compilePy(r.platform); err != nil {
				r.err = fmt.Errorf("%s:%d: Platform %q: %v", ix.name, r.Line, r.platform, err)
			}
		}
		if r.err == nil && r.command != "" {
			if r.commandRe, err = compilePy(r.command); err != nil {
				r.err = fmt.Errorf("%s:%d: Command %q: %v", ix.name, r.Line, r.command, err)
			}
		}
		if r.err != nil {
			ix.mu.Lock()
			ix.warnings = append(ix.warnings, "skipped "+r.err.Error())
			ix.mu.Unlock()
		}
	})
	return r.err
}

// Match returns the first row whose Platform and Command match, as
// clitable's GetRowMatch does. An empty column matches anything.
func (ix *Index) Match(platform, command string) (*IndexRow, bool) {
	pPlain, cPlain := plain(platform), plain(command)
	for _, r := range ix.rows {
		if r.literalPlatform && !strings.HasPrefix(platform, r.platform) {
			continue
		}
		if ix.compileRow(r) != nil {
			continue
		}
		if r.platformRe != nil && !r.platformRe.matches(platform, pPlain) {
			continue
		}
		if r.commandRe != nil && !r.commandRe.matches(command, cPlain) {
			continue
		}
		return r, true
	}
	return nil, false
}

// CompileAll compiles every row now (rather than on first use) and
// returns the warnings for rows that cannot be used.
func (ix *Index) CompileAll() []string {
	for _, r := range ix.rows {
		_ = ix.compileRow(r)
	}
	return ix.Warnings()
}

// Dir is a templates directory with its index. Templates are compiled on
// first use and cached; a Dir is safe for concurrent use.
type Dir struct {
	Label string // "NTC_TEMPLATES_DIR /x", "built-in templates"
	*dirCache
}

// dirCache is what every Dir of one directory shares within a process.
type dirCache struct {
	fsys  fs.FS
	index *Index

	mu        sync.Mutex
	templates map[string]*lazyTemplate
}

type lazyTemplate struct {
	once sync.Once
	t    *Template
	err  error
}

// Index returns the directory's index.
func (d *Dir) Index() *Index { return d.index }

// Template compiles (once) and returns the named template file.
func (d *dirCache) Template(file string) (*Template, error) {
	d.mu.Lock()
	lt, ok := d.templates[file]
	if !ok {
		lt = &lazyTemplate{}
		d.templates[file] = lt
	}
	d.mu.Unlock()
	lt.once.Do(func() {
		b, err := fs.ReadFile(d.fsys, file)
		if err != nil {
			lt.err = fmt.Errorf("%s lists %s, which cannot be read: %w", d.index.name, file, err)
			return
		}
		lt.t, lt.err = Compile(file, string(b))
	})
	return lt.t, lt.err
}

// Lookup finds the row for platform and command and compiles its
// templates. ok is false when no row matches.
func (d *Dir) Lookup(platform, command string) (row *IndexRow, ts []*Template, ok bool, err error) {
	row, ok = d.index.Match(platform, command)
	if !ok {
		return nil, nil, false, nil
	}
	for _, f := range row.Templates {
		t, err := d.Template(f)
		if err != nil {
			return row, nil, true, err
		}
		ts = append(ts, t)
	}
	return row, ts, true, nil
}

func newDirCache(fsys fs.FS, indexName string) (*dirCache, error) {
	b, err := fs.ReadFile(fsys, "index")
	if err != nil {
		return nil, fmt.Errorf("reading the index: %w", err)
	}
	ix, err := ParseIndex(string(b), indexName)
	if err != nil {
		return nil, err
	}
	return &dirCache{fsys: fsys, index: ix, templates: map[string]*lazyTemplate{}}, nil
}

var (
	dirsMu sync.Mutex
	dirs   = map[string]*dirCache{}
)

// OpenDir opens a templates directory (it must hold an "index"); label
// names it in messages. The index is read once per process per
// directory; later calls share it and the compiled templates.
func OpenDir(label, dir string) (*Dir, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	dirsMu.Lock()
	defer dirsMu.Unlock()
	if c, ok := dirs[abs]; ok {
		return &Dir{Label: label, dirCache: c}, nil
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", label)
	}
	c, err := newDirCache(os.DirFS(abs), filepath.Join(dir, "index"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", label, err)
	}
	dirs[abs] = c
	return &Dir{Label: label, dirCache: c}, nil
}

// builtinFS holds the templates runbook ships, with their own index, so
// that textfsm = "auto" works against the lab and the example playbooks
// with no external files.
//
//go:embed templates
var builtinFS embed.FS

// Builtin returns the built-in templates, shared by the whole process.
var Builtin = sync.OnceValues(func() (*Dir, error) {
	sub, err := fs.Sub(builtinFS, "templates")
	if err != nil {
		return nil, err
	}
	c, err := newDirCache(sub, "built-in templates/index")
	if err != nil {
		return nil, err
	}
	return &Dir{Label: "built-in templates", dirCache: c}, nil
})

// ParseCmd is clitable's ParseCmd: it runs the templates of one index
// row over text. The first template gives the records; each later one
// adds its new columns, matched on the Key values (of the first template
// that has any), by position when there are none. Cells are what
// clitable stores: strings, and for List values lists whose items went
// through Python's str() (None is "None"). It returns the header and the
// rows aligned with it.
func ParseCmd(ts []*Template, text string) ([]string, [][]any, error) {
	var header []string
	var rows [][]any
	var keys []string
	for i, t := range ts {
		recs, err := t.ParseText(text)
		if err != nil {
			return nil, nil, err
		}
		if len(keys) == 0 {
			keys = t.Keys()
		}
		for _, r := range recs {
			for j, v := range r {
				r[j] = pyStrCell(v, t.values[j])
			}
		}
		if i == 0 {
			header, rows = t.Header(), recs
			continue
		}
		var err2 error
		header, rows, err2 = extend(header, rows, t.Header(), recs, keys)
		if err2 != nil {
			return nil, nil, fmt.Errorf("%s: %w", t.name, err2)
		}
	}
	return header, rows, nil
}

// extend is texttable's extend.
func extend(header []string, rows [][]any, h2 []string, rows2 [][]any, keys []string) ([]string, [][]any, error) {
	pos := func(h []string, name string) int {
		for i, x := range h {
			if x == name {
				return i
			}
		}
		return -1
	}
	for _, k := range keys {
		if pos(header, k) < 0 {
			return nil, nil, fmt.Errorf("unknown key: %q", k)
		}
	}
	var add []int // columns of h2 to add
	for j, c := range h2 {
		if pos(header, c) < 0 {
			add = append(add, j)
		}
	}
	if len(add) == 0 {
		return header, rows, nil
	}
	for _, j := range add {
		header = append(header, h2[j])
	}
	for i := range rows {
		for range add {
			rows[i] = append(rows[i], "")
		}
	}
	base := len(header) - len(add)
	if len(keys) == 0 {
		for i := 0; i < len(rows) && i < len(rows2); i++ {
			for n, j := range add {
				rows[i][base+n] = rows2[i][j]
			}
		}
		return header, rows, nil
	}
	for _, r1 := range rows {
	next:
		for _, r2 := range rows2 {
			for _, k := range keys {
				k2 := pos(h2, k)
				if k2 < 0 || !reflect.DeepEqual(r1[pos(header, k)], r2[k2]) {
					continue next
				}
			}
			for n, j := range add {
				r1[base+n] = r2[j]
			}
			break
		}
	}
	return header, rows, nil
}

// pyStrCell is texttable's _ToStr for cells that are already strings or
// lists: list items go through str().
func pyStrCell(v any, def *valueDef) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	var names []string
	if def.nested != nil {
		names = def.nested.names
	}
	out := make([]any, len(list))
	for i, item := range list {
		out[i] = pyStr(item, names)
	}
	return out
}

// pyStr is Python's str() of None, a str, or a dict of str/None whose
// keys, in insertion order, are names.
func pyStr(v any, names []string) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case string:
		return v
	case map[string]any:
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range names {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyRepr(k))
			b.WriteString(": ")
			if s, ok := v[k].(string); ok {
				b.WriteString(pyRepr(s))
			} else {
				b.WriteString("None")
			}
		}
		b.WriteByte('}')
		return b.String()
	}
	return fmt.Sprint(v)
}

// pyRepr is Python's repr() of a str.
func pyRepr(s string) string {
	quote := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0x100 && !unicode.IsPrint(r)):
			fmt.Fprintf(&b, `\x%02x`, r)
		case !unicode.IsPrint(r) && r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		case !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}
