package tasks

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/runbook-dev/runbook/parse"
)

// ParseText is the library side of `runbook parse`: it parses output
// (a file or stdin) without a device, for writing and debugging
// templates. With templatePath it uses that template; otherwise it looks
// one up by platform and command in templatesDir (may be ""),
// NTC_TEMPLATES_DIR and the built-in templates, exactly as
// textfsm = "auto" does. Zero records is not an error here. It returns
// the records and the field names in template order.
func ParseText(platform, command, templatesDir, templatePath, output string) ([]map[string]any, []string, error) {
	spec := ParseSpec{AllowEmpty: true, TemplatesDir: templatesDir}
	if templatePath != "" {
		spec.TextFSM = templatePath
	} else {
		if platform == "" || command == "" {
			return nil, nil, errors.New("give --platform and --command to look the template up in the index, or --template")
		}
		spec.TextFSM = "auto"
	}
	p, err := CompileParse(spec)
	if err != nil {
		return nil, nil, err
	}
	return p.parse(platform, command, output)
}

// WriteTable prints records as an aligned table, columns in fields order
// (then any field not listed, sorted). List values print comma-separated.
func WriteTable(w io.Writer, fields []string, records []map[string]any) error {
	cols := append([]string(nil), fields...)
	var extra []string
	for _, r := range records {
		for k := range r {
			if !slices.Contains(cols, k) && !slices.Contains(extra, k) {
				extra = append(extra, k)
			}
		}
	}
	slices.Sort(extra)
	cols = append(cols, extra...)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = strings.ToUpper(c)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range records {
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = cell(r[c])
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return strings.NewReplacer("\t", " ", "\n", " ").Replace(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = cell(e)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + cell(v[k])
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprint(v)
}

// TestResolver returns the template lookup `runbook parse --test` uses:
// the same directories and platform aliases as textfsm = "auto".
func TestResolver(templatesDir string) (parse.Resolver, error) {
	lib, err := newLibrary(templatesDir, os.Getenv("NTC_TEMPLATES_DIR"))
	if err != nil {
		return nil, err
	}
	return lib.resolve, nil
}
