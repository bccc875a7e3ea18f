package hcl

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
)

// WriteDiagnostics prints each diagnostic as
//
//	path:line:col: error: Summary: Detail
//
// ("warning" for warnings). With snippet set, the source line follows with
// the subject underlined, when files holds the subject's file.
func WriteDiagnostics(w io.Writer, diags hclv2.Diagnostics, files map[string]*hclv2.File, snippet bool) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	for _, d := range diags {
		sev := "error"
		if d.Severity == hclv2.DiagWarning {
			sev = "warning"
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + oneLine(d.Detail)
		}
		if d.Subject != nil {
			fmt.Fprintf(bw, "%s:%d:%d: %s: %s\n", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, sev, msg)
		} else {
			fmt.Fprintf(bw, "%s: %s\n", sev, msg)
		}
		if snippet && d.Subject != nil {
			_, redact := d.Extra.(RedactSubject)
			writeSnippet(bw, *d.Subject, files, redact)
		}
	}
}

// oneLine keeps one diagnostic on one line so that editors and grep can
// rely on the path:line:col prefix.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// RedactSubject, as a diagnostic's Extra, makes snippets hide the subject's
// text: it is a secret written where it should not be.
type RedactSubject struct{}

const redacted = "(sensitive)"

func writeSnippet(w io.Writer, rng hclv2.Range, files map[string]*hclv2.File, redact bool) {
	f := files[rng.Filename]
	if f == nil || rng.Start.Line < 1 {
		return
	}
	lines := bytes.Split(f.Bytes, []byte("\n"))
	if rng.Start.Line > len(lines) {
		return
	}
	line := strings.TrimRight(string(lines[rng.Start.Line-1]), "\r")
	runes := []rune(strings.ReplaceAll(line, "\t", " "))
	if redact {
		start := min(max(rng.Start.Column-1, 0), len(runes))
		end := len(runes)
		if rng.End.Line == rng.Start.Line {
			end = min(max(rng.End.Column-1, start), len(runes))
		}
		runes = append(append(append([]rune(nil), runes[:start]...), []rune(redacted)...), runes[end:]...)
		rng.End = hclv2.Pos{Line: rng.Start.Line, Column: start + 1 + len(redacted)}
	}
	line = string(runes)
	gutter := fmt.Sprintf("%5d | ", rng.Start.Line)
	fmt.Fprintf(w, "%s%s\n", gutter, line)

	// Columns count characters; underline from start to the end of the
	// range, or to the end of the line when the range spans lines.
	start := rng.Start.Column - 1
	if start < 0 || start > len(runes) {
		start = len(runes)
	}
	end := len(runes)
	if rng.End.Line == rng.Start.Line && rng.End.Column-1 <= len(runes) {
		end = rng.End.Column - 1
	}
	width := end - start
	if width < 1 {
		width = 1
	}
	fmt.Fprintf(w, "%s%s%s\n", strings.Repeat(" ", len(gutter)-2)+"| ", strings.Repeat(" ", start), "^"+strings.Repeat("~", width-1))
}

// diag builders keep Severity/Subject boilerplate out of the decoders.
func errorAt(rng hclv2.Range, summary, detail string) *hclv2.Diagnostic {
	return &hclv2.Diagnostic{Severity: hclv2.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()}
}

func warningAt(rng hclv2.Range, summary, detail string) *hclv2.Diagnostic {
	return &hclv2.Diagnostic{Severity: hclv2.DiagWarning, Summary: summary, Detail: detail, Subject: rng.Ptr()}
}

// JSONDiagnostic is one diagnostic in the shape of Terraform's `-json`
// diagnostics: severity, summary, detail and the source range.
type JSONDiagnostic struct {
	Severity string     `json:"severity"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail,omitempty"`
	Range    *JSONRange `json:"range,omitempty"`
}

// JSONRange is a diagnostic's subject: the file and the start and end
// positions (1-based line and column, 0-based byte offset).
type JSONRange struct {
	Filename string  `json:"filename"`
	Start    JSONPos `json:"start"`
	End      JSONPos `json:"end"`
}

// JSONPos is a position in a file.
type JSONPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// JSONDiagnostics is the document `--diag json` prints, as Terraform's
// `validate -json` does.
type JSONDiagnostics struct {
	Valid        bool             `json:"valid"`
	ErrorCount   int              `json:"error_count"`
	WarningCount int              `json:"warning_count"`
	Diagnostics  []JSONDiagnostic `json:"diagnostics"`
}

// DiagnosticsJSON converts diagnostics for `--diag json`. Details are
// kept whole (JSON has no line-length concern); a subject whose text is a
// secret carries only its position, never its text.
func DiagnosticsJSON(diags hclv2.Diagnostics) JSONDiagnostics {
	out := JSONDiagnostics{Valid: !diags.HasErrors(), Diagnostics: []JSONDiagnostic{}}
	for _, d := range diags {
		jd := JSONDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hclv2.DiagWarning {
			jd.Severity = "warning"
			out.WarningCount++
		} else {
			out.ErrorCount++
		}
		if d.Subject != nil {
			jd.Range = &JSONRange{
				Filename: d.Subject.Filename,
				Start:    JSONPos{Line: d.Subject.Start.Line, Column: d.Subject.Start.Column, Byte: d.Subject.Start.Byte},
				End:      JSONPos{Line: d.Subject.End.Line, Column: d.Subject.End.Column, Byte: d.Subject.End.Byte},
			}
		}
		out.Diagnostics = append(out.Diagnostics, jd)
	}
	return out
}

// ExpandPaths turns the playbook arguments of a command into files: a
// directory stands for the *.hcl files directly in it (Terraform's module
// convention), in name order. Files are kept as given, whatever their
// extension.
func ExpandPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || !st.IsDir() {
			out = append(out, p) // Load reports a missing file with the others
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.hcl"))
		if err != nil {
			return nil, err
		}
		var files []string
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil && !st.IsDir() {
				files = append(files, m)
			}
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: a directory with no .hcl files", p)
		}
		sort.Strings(files)
		out = append(out, files...)
	}
	return out, nil
}
