package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/agext/levenshtein"

	"github.com/runbook-dev/runbook/hcl"
)

// SelectHosts applies --limit patterns to the inventory, as Ansible's
// --limit does. Patterns are comma-separated (or given in several limits)
// and each is one of
//
//	NAME or GLOB      a host name, or a glob over names (core*)
//	group:NAME        the hosts of a group
//	tag:NAME          the hosts with a tag
//	all (or *)        every host
//	@FILE             the hosts that did not pass in an earlier JSON
//	                  report (--report-json): failed, error, unreachable,
//	                  auth_failed or skipped; Ansible's retry files
//
// optionally prefixed with "!" (exclude those hosts) or "&" (keep only
// hosts that also match). The selection is the union of the plain
// patterns (every host when there are none), narrowed by each "&" pattern,
// minus each "!" pattern, in inventory order: "group:core,&tag:campus" is
// the core hosts tagged campus; "all,!sw1" or just "!sw1" is every host but
// sw1.
//
// A pattern that matches no host of the inventory is an error with the
// closest name as a suggestion, and so is a selection left empty: a typo in
// --limit must neither run against fewer devices than intended nor (in an
// exclusion) against more.
func SelectHosts(inv *hcl.Inventory, limits []string) ([]*hcl.Host, error) {
	if inv == nil {
		return nil, nil
	}
	type pattern struct {
		text  string // as written, with its prefix
		op    byte   // 0 (union), '&' or '!'
		body  string
		retry map[string]bool // @FILE: the names to re-run
	}
	var patterns []pattern
	for _, l := range limits {
		for p := range strings.SplitSeq(l, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			pt := pattern{text: p, body: p}
			if p[0] == '!' || p[0] == '&' {
				pt.op = p[0]
				pt.body = strings.TrimSpace(p[1:])
			}
			if pt.body == "" || pt.body[0] == '!' || pt.body[0] == '&' {
				return nil, fmt.Errorf("--limit %q: want NAME, GLOB, group:NAME, tag:NAME, all or @REPORT.json, optionally after one ! (exclude) or & (intersect)", p)
			}
			if file, ok := strings.CutPrefix(pt.body, "@"); ok {
				names, err := retryNames(inv, file)
				if err != nil {
					return nil, fmt.Errorf("--limit %q: %w", p, err)
				}
				pt.retry = names
			}
			patterns = append(patterns, pt)
		}
	}
	if len(patterns) == 0 {
		return inv.Hosts, nil
	}

	// Which hosts each pattern matches; every pattern must match one.
	matches := make([][]bool, len(patterns))
	for i, p := range patterns {
		matches[i] = make([]bool, len(inv.Hosts))
		hit := false
		for j, h := range inv.Hosts {
			if p.retry != nil {
				matches[i][j] = p.retry[h.Name]
				hit = hit || matches[i][j]
				continue
			}
			ok, err := hostMatches(h, p.body)
			if err != nil {
				return nil, fmt.Errorf("--limit %q: %w", p.text, err)
			}
			matches[i][j] = ok
			hit = hit || ok
		}
		if !hit {
			return nil, fmt.Errorf("--limit %q matches no host in the inventory.%s", p.text, limitSuggestion(inv, p.op, p.body))
		}
	}

	hasUnion := slices.ContainsFunc(patterns, func(p pattern) bool { return p.op == 0 })
	var out []*hcl.Host
	for j, h := range inv.Hosts {
		keep := !hasUnion
		for i, p := range patterns {
			if p.op == 0 && matches[i][j] {
				keep = true
			}
		}
		for i, p := range patterns {
			switch {
			case p.op == '&' && !matches[i][j]:
				keep = false
			case p.op == '!' && matches[i][j]:
				keep = false
			}
		}
		if keep {
			out = append(out, h)
		}
	}
	if len(out) == 0 {
		all := make([]string, len(patterns))
		for i, p := range patterns {
			all[i] = p.text
		}
		return nil, fmt.Errorf("--limit %q selects no host: each pattern matches hosts, but together they leave none", strings.Join(all, ","))
	}
	return out, nil
}

// retryNames reads a JSON report and returns the names of its devices
// that did not pass. Every one must be in the inventory: a retry must not
// quietly leave a device out.
func retryNames(inv *hcl.Inventory, file string) (map[string]bool, error) {
	if file == "" {
		return nil, errors.New("want @FILE, the path of a JSON report")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Devices *[]struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"devices"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Devices == nil {
		return nil, fmt.Errorf("%s is not a runbook JSON report (--report-json)", file)
	}
	known := map[string]bool{}
	for _, h := range inv.Hosts {
		known[h.Name] = true
	}
	names := map[string]bool{}
	var unknown []string
	for _, d := range *doc.Devices {
		if d.Status == string(DevicePassed) {
			continue
		}
		if !known[d.Name] {
			unknown = append(unknown, d.Name)
			continue
		}
		names[d.Name] = true
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%s names devices that are not in the inventory: %s", file, strings.Join(unknown, ", "))
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("every device in %s passed: nothing to re-run", file)
	}
	return names, nil
}

func hostMatches(h *hcl.Host, pattern string) (bool, error) {
	switch {
	case pattern == "all" || pattern == "*":
		return true, nil
	case strings.HasPrefix(pattern, "group:"):
		return slices.Contains(h.Groups, strings.TrimPrefix(pattern, "group:")), nil
	case strings.HasPrefix(pattern, "tag:"):
		return slices.Contains(h.Tags, strings.TrimPrefix(pattern, "tag:")), nil
	}
	ok, err := path.Match(pattern, h.Name)
	if err != nil {
		return false, fmt.Errorf("bad pattern: %v", err)
	}
	return ok, nil
}

// LimitNames lists what --limit can name in this inventory: "all", the host
// names, then group:NAME and tag:NAME, each in inventory order without
// duplicates. Shell completion offers them.
func LimitNames(inv *hcl.Inventory) []string {
	if inv == nil {
		return nil
	}
	out := []string{"all"}
	seen := map[string]bool{"all": true}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, h := range inv.Hosts {
		add(h.Name)
	}
	for _, g := range inv.Groups {
		add("group:" + g.Name)
	}
	for _, h := range inv.Hosts {
		for _, g := range h.Groups {
			add("group:" + g)
		}
	}
	for _, h := range inv.Hosts {
		for _, t := range h.Tags {
			add("tag:" + t)
		}
	}
	return out
}

// limitSuggestion is " Did you mean "X"?" for the name closest to a
// pattern that matched nothing (keeping its ! or & prefix op), or "" when
// nothing is close. A bare name
// that is a group's or a tag's name suggests group:NAME or tag:NAME.
func limitSuggestion(inv *hcl.Inventory, opByte byte, body string) string {
	op := ""
	if opByte != 0 {
		op = string(opByte)
	}
	names := LimitNames(inv)
	for _, prefix := range []string{"group:", "tag:"} {
		if slices.Contains(names, prefix+body) {
			return fmt.Sprintf(" Did you mean %q?", op+prefix+body)
		}
	}
	// Compare like with like: group:X with the groups, tag:X with the
	// tags, anything else with the host names.
	var cands []string
	for _, n := range names {
		switch {
		case strings.HasPrefix(body, "group:") || strings.HasPrefix(body, "tag:"):
			prefix := body[:strings.IndexByte(body, ':')+1]
			if strings.HasPrefix(n, prefix) {
				cands = append(cands, n)
			}
		case !strings.HasPrefix(n, "group:") && !strings.HasPrefix(n, "tag:") && n != "all":
			cands = append(cands, n)
		}
	}
	sort.Strings(cands) // deterministic among ties
	best, bestDist := "", 3
	for _, c := range cands {
		if c == body {
			continue // it exists and matches nothing (an empty group)
		}
		if d := levenshtein.Distance(strings.ToLower(body), strings.ToLower(c), nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %q?", op+best)
}
