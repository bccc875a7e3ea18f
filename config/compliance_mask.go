package config

import (
	"regexp"
	"strings"
	"sync"
)

// Masked is what MaskSecrets puts in place of a credential.
const Masked = "(sensitive)"

// secretPatterns are compiled when the first line is masked (audits), not
// at every start.
var secretPatterns = sync.OnceValues(func() (keyword, key *regexp.Regexp) {
	// A keyword that a credential follows, an optional encryption type
	// (7, 9, sha512), then the value (quoted on Junos).
	keyword = regexp.MustCompile(`(?i)(\b(?:password|secret|community|key-string|pre-shared-key|authentication-key|encrypted-password|ascii-text|md5|auth-password|priv-password)\s+)((?:\d+|sha512|sha256|md5)\s+)?("[^"]*"|\S+)`)
	// `key 7 ...` (tacacs, radius, key chains) and the AAA servers' key.
	key = regexp.MustCompile(`(?i)(^(?:tacacs-server|radius-server)(?:\s+host\s+\S+)?\s+key\s+(?:\d\s+)?|(?:^|\s)key\s+\d\s+)("[^"]*"|\S+)`)
	return keyword, key
})

// MaskSecrets replaces the credentials a configuration line may hold
// (passwords and their hashes, enable and user secrets, SNMP communities,
// TACACS+/RADIUS and routing protocol keys, Junos encrypted-password)
// with "(sensitive)", keeping the keyword and the encryption type:
// `username admin secret 9 (sensitive)`, `snmp-server community
// (sensitive) RO`. Reports that people mail around show configuration
// lines; a hash or a community string does not belong in them. It works
// line by line, and on a banner's text too.
func MaskSecrets(line string) string {
	if !strings.ContainsAny(line, "\n") {
		return maskLine(line)
	}
	parts := strings.Split(line, "\n")
	for i, p := range parts {
		parts[i] = maskLine(p)
	}
	return strings.Join(parts, "\n")
}

func maskLine(line string) string {
	keyword, key := secretPatterns()
	line = keyword.ReplaceAllString(line, "${1}${2}"+Masked)
	return key.ReplaceAllString(line, "${1}"+Masked)
}
