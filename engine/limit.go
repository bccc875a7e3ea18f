package engine

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/runbook-dev/runbook/hcl"
)

// SelectHosts applies --limit patterns to the inventory. Each pattern is a
// host name, a glob (core*), group:NAME or tag:NAME; patterns may also be
// comma-separated. A host matching any pattern is kept, in inventory order.
// A pattern that matches nothing is an error: a typo in --limit must not
// silently run against fewer devices than intended.
func SelectHosts(inv *hcl.Inventory, limits []string) ([]*hcl.Host, error) {
	if inv == nil {
		return nil, nil
	}
	var patterns []string
	for _, l := range limits {
		for p := range strings.SplitSeq(l, ",") {
			if p = strings.TrimSpace(p); p != "" {
				patterns = append(patterns, p)
			}
		}
	}
	if len(patterns) == 0 {
		return inv.Hosts, nil
	}
	matched := make([]bool, len(patterns))
	var out []*hcl.Host
	for _, h := range inv.Hosts {
		keep := false
		for i, p := range patterns {
			ok, err := hostMatches(h, p)
			if err != nil {
				return nil, err
			}
			if ok {
				matched[i] = true
				keep = true
			}
		}
		if keep {
			out = append(out, h)
		}
	}
	for i, p := range patterns {
		if !matched[i] {
			return nil, fmt.Errorf("--limit %q matches no host in the inventory", p)
		}
	}
	return out, nil
}

func hostMatches(h *hcl.Host, pattern string) (bool, error) {
	switch {
	case strings.HasPrefix(pattern, "group:"):
		return slices.Contains(h.Groups, strings.TrimPrefix(pattern, "group:")), nil
	case strings.HasPrefix(pattern, "tag:"):
		return slices.Contains(h.Tags, strings.TrimPrefix(pattern, "tag:")), nil
	}
	ok, err := path.Match(pattern, h.Name)
	if err != nil {
		return false, fmt.Errorf("--limit %q: bad pattern: %v", pattern, err)
	}
	return ok, nil
}
