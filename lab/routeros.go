package lab

import (
	"fmt"
	"regexp"
	"strings"
)

// MikrotikRouterOS is a MikroTik RouterOS 7 router: one prompt,
// "[admin@NAME] > ", commands that change the configuration take effect
// (and persist) at once; "/export" prints it.
const MikrotikRouterOS = "mikrotik_routeros"

var routerosValue = regexp.MustCompile(`=\S+`)

var routerosPlatform *genericPlatform

func newRouterOSPlatform() *genericPlatform {
	return &genericPlatform{
		name:    MikrotikRouterOS,
		banner:  "\n\n  MMM      MMM       KKK                          TTTTTTTTTTT      KKK\n  MMMM    MMMM       KKK                          TTTTTTTTTTT      KKK\n\n  MikroTik RouterOS 7.14.3 (c) 1999-2024       https://www.mikrotik.com/\n\n",
		cmdView: func(user, host string) string { return "[" + user + "@" + host + "] > " },
		commands: map[string]func(*session, *genericState) string{
			"/system identity print": func(_ *session, g *genericState) string { return "  name: " + g.host + "\n" },
			"/system resource print": func(*session, *genericState) string {
				return "             uptime: 1h4m\n            version: 7.14.3 (stable)\n         build-time: 2024-04-17 12:47:58\n     factory-software: 7.1\n        free-memory: 900.2MiB\n       architecture-name: x86_64\n         board-name: CHR\n"
			},
		},
		showConfig: []string{"/export"},
		config: []*regexp.Regexp{
			regexp.MustCompile(`^/system identity set name=\S+$`),
			regexp.MustCompile(`^/ip dns set servers=[\d.,]+$`),
			regexp.MustCompile(`^/system ntp client set enabled=(yes|no)( servers=[\d.,]+)?$`),
			regexp.MustCompile(`^/system logging action set remote remote=[\d.]+$`),
		},
		hostname: regexp.MustCompile(`^/system identity set name=(\S+)$`),
		merge:    func(line string) string { return routerosValue.ReplaceAllString(line, "=") },
		render: func(g *genericState, lines []string) string {
			var b strings.Builder
			b.WriteString("# 2024-01-01 08:00:00 by RouterOS 7.14.3\n# software id = LAB-0001\n#\n")
			for _, l := range lines {
				if strings.HasPrefix(l, "/system identity ") {
					continue
				}
				if i := strings.Index(l, " set "); i > 0 {
					b.WriteString(l[:i] + "\n" + l[i+1:] + "\n")
				}
			}
			b.WriteString("/system identity\nset name=" + g.host + "\n")
			return b.String()
		},
		errorText: func(_, line string) string {
			f := strings.Fields(line)
			if !strings.HasPrefix(f[0], "/") {
				return fmt.Sprintf("bad command name %s (line 1 column 1)\n", f[0])
			}
			return fmt.Sprintf("syntax error (line 1 column %d)\n", strings.Index(line, f[len(f)-1])+1)
		},
	}
}
