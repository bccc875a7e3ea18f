package hcl

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
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
