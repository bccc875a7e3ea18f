package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/spf13/cobra"

	"github.com/runbook-dev/runbook/hcl"
)

func newFmtCmd() *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "fmt [--check] PATH...",
		Short: "Rewrite playbooks in the canonical HCL style",
		Long: "fmt rewrites .hcl files (directories are walked) in the canonical style.\n" +
			"With --check nothing is written: the files that would change are listed and the exit code is 1.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := hclFiles(args)
			if err != nil {
				return exitWith(exitInvalid, err)
			}
			var unformatted []string
			invalid := false
			for _, path := range files {
				src, err := os.ReadFile(path)
				if err != nil {
					return exitWith(exitInvalid, err)
				}
				// Formatting a file that does not parse would mangle it.
				if _, diags := hclsyntax.ParseConfig(src, path, hclv2.InitialPos); diags.HasErrors() {
					hcl.WriteDiagnostics(cmd.ErrOrStderr(), diags, nil, false)
					invalid = true
					continue
				}
				out := hclwrite.Format(src)
				if bytes.Equal(src, out) {
					continue
				}
				unformatted = append(unformatted, path)
				if check {
					continue
				}
				if err := writeFileAtomic(path, out); err != nil {
					return exitWith(exitFailed, err)
				}
				fmt.Fprintln(cmd.OutOrStdout(), path)
			}
			if invalid {
				return exitWith(exitInvalid, nil)
			}
			if check && len(unformatted) > 0 {
				for _, p := range unformatted {
					fmt.Fprintf(cmd.OutOrStdout(), "%s: not formatted\n", p)
				}
				return exitWith(exitFailed, nil)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "list files that are not formatted and exit 1; write nothing")
	return cmd
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
