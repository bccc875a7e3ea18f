package driver

import (
	"regexp"
	"testing"
)

// BenchmarkPromptPattern: compiling one of the built-in prompt patterns,
// and recognising the mode of typical last lines (prompts and output).
//
//	go test ./driver -run '^$' -bench PromptPattern -benchmem
func BenchmarkPromptPattern(b *testing.B) {
	b.Run("compile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			regexp.MustCompile(`^` + host + `(?:\([^()\n]*\))+#\s*$`)
		}
	})
	b.Run("match", func(b *testing.B) {
		p, _ := LookupPlatform("cisco_ios")
		lines := []string{"core-sw-01.example.net(config-if)#", "core-sw-01#", "Building configuration...", "  ntp server 10.0.1.100 prefer", "r1>"}
		b.ReportAllocs()
		for b.Loop() {
			for _, l := range lines {
				p.modeOf(l)
			}
		}
	})
}
