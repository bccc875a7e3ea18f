package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/spf13/cobra"

	"github.com/runbook-dev/runbook/hcl"
)

func newFmtCmd() *cobra.Command {
	var check, diff bool
	cmd := &cobra.Command{
		Use:   "fmt [--check] [--diff] [PATH...|-]",
		Short: "Rewrite playbooks in the canonical HCL style",
		Long: "fmt rewrites .hcl files in the canonical style: the files given, the .hcl files under\n" +
			"the directories given (walked, hidden directories skipped), or under the current\n" +
			"directory when no PATH is given. With -, it reads standard input and writes the\n" +
			"formatted text to standard output.\n" +
			"--diff prints a unified diff of each change; --check writes nothing, lists the files\n" +
			"that are not formatted and exits 1 when there is one. A file that does not parse is\n" +
			"reported and left alone (exit 2).",
		Example: "  runbook fmt                      # every .hcl file under the current directory\n" +
			"  runbook fmt --check --diff playbooks\n" +
			"  cat play.hcl | runbook fmt -",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			if slices.Contains(args, "-") {
				if len(args) > 1 {
					return exitWith(exitInvalid, fmt.Errorf("fmt: - (standard input) cannot be combined with other paths"))
				}
				return fmtStdin(cmd, check, diff)
			}
			files, err := hclFiles(args)
			if err != nil {
				return exitWith(exitInvalid, err)
			}
			out := cmd.OutOrStdout()
			var unformatted []string
			invalid := false
			for _, path := range files {
				src, err := os.ReadFile(path)
				if err != nil {
					return exitWith(exitInvalid, err)
				}
				formatted, ok := formatHCL(cmd.ErrOrStderr(), src, path)
				if !ok {
					invalid = true
					continue
				}
				if bytes.Equal(src, formatted) {
					continue
				}
				unformatted = append(unformatted, path)
				if diff {
					io.WriteString(out, unifiedDiff(path, src, formatted))
				}
				if check {
					continue
				}
				if err := writeFileAtomic(path, formatted); err != nil {
					return exitWith(exitFailed, err)
				}
				if !diff {
					fmt.Fprintln(out, path)
				}
			}
			if invalid {
				return exitWith(exitInvalid, nil)
			}
			if check && len(unformatted) > 0 {
				for _, p := range unformatted {
					fmt.Fprintf(out, "%s: not formatted\n", p)
				}
				return exitWith(exitFailed, nil)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "list files that are not formatted and exit 1; write nothing")
	cmd.Flags().BoolVar(&diff, "diff", false, "print a unified diff of the formatting changes")
	return cmd
}

// fmtStdin is `runbook fmt -`: standard input to standard output (or, with
// --diff, the diff; with --check alone, only the exit code and a note).
func fmtStdin(cmd *cobra.Command, check, diff bool) error {
	const name = "<stdin>"
	src, err := io.ReadAll(cmd.InOrStdin())
	if err != nil {
		return exitWith(exitFailed, err)
	}
	formatted, ok := formatHCL(cmd.ErrOrStderr(), src, name)
	if !ok {
		return exitWith(exitInvalid, nil)
	}
	out := cmd.OutOrStdout()
	changed := !bytes.Equal(src, formatted)
	switch {
	case diff:
		if changed {
			io.WriteString(out, unifiedDiff(name, src, formatted))
		}
	case check:
		if changed {
			fmt.Fprintf(out, "%s: not formatted\n", name)
		}
	default:
		out.Write(formatted)
	}
	if check && changed {
		return exitWith(exitFailed, nil)
	}
	return nil
}

// formatHCL returns src in the canonical style. Formatting a file that
// does not parse would mangle it, so syntax errors are printed instead and
// ok is false.
func formatHCL(stderr io.Writer, src []byte, name string) (formatted []byte, ok bool) {
	if _, diags := hclsyntax.ParseConfig(src, name, hclv2.InitialPos); diags.HasErrors() {
		hcl.WriteDiagnostics(stderr, diags, nil, false)
		return nil, false
	}
	return hclwrite.Format(src), true
}

func hclFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		info, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != a && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir // .git and the like
			}
			if !d.IsDir() && strings.HasSuffix(p, ".hcl") {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// unifiedDiff is a unified diff (three lines of context, as diff -u)
// from a to b, both labelled name.
func unifiedDiff(name string, a, b []byte) string {
	al, bl := splitLines(a), splitLines(b)
	ops := diffLines(al, bl)
	const ctx = 3
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", name, name)
	// Group the edits into hunks with ctx lines of context around them.
	i := 0
	for i < len(ops) {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-ctx, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			// A run of equal lines longer than 2*ctx ends the hunk.
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*ctx {
				end = min(end+ctx, len(ops))
				break
			}
			end = run
		}
		aStart, bStart, aN, bN := 0, 0, 0, 0
		for _, op := range ops[:start] {
			if op.kind != '+' {
				aStart++
			}
			if op.kind != '-' {
				bStart++
			}
		}
		for _, op := range ops[start:end] {
			if op.kind != '+' {
				aN++
			}
			if op.kind != '-' {
				bN++
			}
		}
		fmt.Fprintf(&sb, "@@ -%s +%s @@\n", hunkRange(aStart, aN), hunkRange(bStart, bN))
		for _, op := range ops[start:end] {
			sb.WriteByte(op.kind)
			sb.WriteString(op.line)
			if !strings.HasSuffix(op.line, "\n") {
				sb.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = end
	}
	return sb.String()
}

func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func splitLines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}

type diffOp struct {
	kind byte // ' ', '-' or '+'
	line string
}

// diffLines is a line diff by longest common subsequence: playbooks are
// small, and formatting changes keep most lines.
func diffLines(a, b []string) []diffOp {
	// Common prefix and suffix first: formatting usually touches few lines.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	var ops []diffOp
	for _, l := range a[:pre] {
		ops = append(ops, diffOp{' ', l})
	}
	if len(am)*len(bm) > 16<<20 {
		// Too big for the table: all of one, then all of the other.
		for _, l := range am {
			ops = append(ops, diffOp{'-', l})
		}
		for _, l := range bm {
			ops = append(ops, diffOp{'+', l})
		}
	} else {
		// lcs[i][j]: length of the LCS of am[i:] and bm[j:].
		lcs := make([][]int32, len(am)+1)
		for i := range lcs {
			lcs[i] = make([]int32, len(bm)+1)
		}
		for i := len(am) - 1; i >= 0; i-- {
			for j := len(bm) - 1; j >= 0; j-- {
				if am[i] == bm[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(am) || j < len(bm) {
			switch {
			case i < len(am) && j < len(bm) && am[i] == bm[j]:
				ops = append(ops, diffOp{' ', am[i]})
				i++
				j++
			case j < len(bm) && (i == len(am) || lcs[i][j+1] > lcs[i+1][j]):
				ops = append(ops, diffOp{'+', bm[j]})
				j++
			default:
				ops = append(ops, diffOp{'-', am[i]})
				i++
			}
		}
	}
	for _, l := range a[len(a)-suf:] {
		ops = append(ops, diffOp{' ', l})
	}
	return ops
}

// writeFileAtomic writes via a temp file and rename so that a file is
// never left half-written.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
