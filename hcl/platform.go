package hcl

import (
	"sort"
	"strings"

	"github.com/agext/levenshtein"
)

// Platforms are the canonical platform names a host may have.
var Platforms = []string{
	"arista_eos",
	"cisco_asa",
	"cisco_ios",
	"cisco_nxos",
	"cisco_xe",
	"cisco_xr",
	"juniper_junos",
	"linux",
}

// platformAliases maps other spellings (short names, Netmiko device_type
// values) to canonical names. Netmiko's "_ssh" suffix is stripped before
// the lookup, so "cisco_ios_ssh" needs no entry of its own.
var platformAliases = map[string]string{
	"ios":     "cisco_ios",
	"iosxe":   "cisco_xe",
	"ios_xe":  "cisco_xe",
	"nxos":    "cisco_nxos",
	"nx_os":   "cisco_nxos",
	"eos":     "arista_eos",
	"arista":  "arista_eos",
	"junos":   "juniper_junos",
	"juniper": "juniper_junos",
	"generic": "linux",
	"iosxr":   "cisco_xr",
	"ios_xr":  "cisco_xr",
	"xr":      "cisco_xr",
	"asa":     "cisco_asa",
}

// CanonicalPlatform resolves a platform name or alias (case-insensitive,
// Netmiko "_ssh" suffix allowed) to its canonical name.
func CanonicalPlatform(name string) (string, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimSuffix(n, "_ssh")
	for _, p := range Platforms {
		if n == p {
			return p, true
		}
	}
	if p, ok := platformAliases[n]; ok {
		return p, true
	}
	return "", false
}

// PlatformAliases returns the alias table, alias -> canonical name.
func PlatformAliases() map[string]string {
	out := make(map[string]string, len(platformAliases))
	for k, v := range platformAliases {
		out[k] = v
	}
	return out
}

// suggest returns the candidate closest to given, if it is close enough
// to be a likely typo.
func suggest(given string, candidates []string) string {
	best, bestDist := "", 3 // threshold as in hclsyntax's own suggestions
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted) // deterministic among ties
	for _, c := range sorted {
		if d := typoDistance(given, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// typoDistance is the edit distance, one less when the two hold the same
// letters: swapped letters ("cisco_iso") are the commonest typo, and plain
// Levenshtein counts them as two edits.
func typoDistance(a, b string) int {
	d := levenshtein.Distance(a, b, nil)
	if d > 0 && len(a) == len(b) {
		ra, rb := []rune(a), []rune(b)
		sort.Slice(ra, func(i, j int) bool { return ra[i] < ra[j] })
		sort.Slice(rb, func(i, j int) bool { return rb[i] < rb[j] })
		if string(ra) == string(rb) {
			d--
		}
	}
	return d
}

// didYouMean is a Detail suffix, empty when nothing is close.
func didYouMean(given string, candidates []string) string {
	if s := suggest(given, candidates); s != "" {
		return ` Did you mean "` + s + `"?`
	}
	return ""
}

func platformSuggestion(name string) string {
	cands := append([]string(nil), Platforms...)
	for a := range platformAliases {
		cands = append(cands, a)
	}
	if s := suggest(strings.ToLower(name), cands); s != "" {
		if c, ok := CanonicalPlatform(s); ok {
			return ` Did you mean "` + c + `"?`
		}
	}
	return ""
}
