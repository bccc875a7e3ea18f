package lab

import (
	"regexp"
	"strings"
)

// HPComware is an HP/H3C Comware 7 switch: "<NAME>" user view,
// "[NAME]" system view ("system-view", "quit"), "save force".
const HPComware = "hp_comware"

var comwarePlatform *genericPlatform

func newComwarePlatform() *genericPlatform {
	return &genericPlatform{
		name:     HPComware,
		banner:   "\n******************************************************************************\n* Copyright (c) 2004-2023 New H3C Technologies Co., Ltd. All rights reserved.*\n* Without the owner's prior written consent,                                 *\n* no decompiling or reverse-engineering shall be allowed.                    *\n******************************************************************************\n\n",
		cmdView:  func(_, host string) string { return "<" + host + ">" },
		cfgView:  func(_, host string) string { return "[" + host + "]" },
		enter:    "system-view",
		enterMsg: "System View: return to User View with Ctrl+Z.\n",
		leave:    []string{"quit", "return"},
		more:     "  ---- More ----",
		commands: map[string]func(*session, *genericState) string{
			"screen-length disable": func(*session, *genericState) string { return "" },
			"display version": func(_ *session, g *genericState) string {
				return "H3C Comware Software, Version 7.1.070, Release 6635P07\nCopyright (c) 2004-2023 New H3C Technologies Co., Ltd. All rights reserved.\nH3C S5130-28S-HI uptime is 0 weeks, 0 days, 1 hour, 4 minutes\nLast reboot reason : User reboot\n"
			},
			"display clock": func(*session, *genericState) string { return "08:00:00.000 UTC Mon 01/01/2024\n" },
		},
		showConfig: []string{"display current-configuration", "display current"},
		config:     vrpStyleConfig,
		undo:       "undo",
		hostname:   regexp.MustCompile(`^sysname (\S+)$`),
		render: func(g *genericState, lines []string) string {
			return vrpStyleRender(" version 7.1.070, Release 6635P07\n", g, lines)
		},
		errorText: func(prompt, line string) string {
			return vrpStyleError(prompt, line, " % Unrecognized command found at '^' position.\n")
		},
		save:     "save force",
		saveDone: "Validating file. Please wait...\nSaved the current configuration to mainboard device successfully.\n",
	}
}

// vrpStyleConfig are the configuration lines the Comware and VRP labs
// accept in system view.
var vrpStyleConfig []*regexp.Regexp

func newVRPStyleConfig() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`^sysname \S+$`),
		regexp.MustCompile(`^ntp-service unicast-server \d+\.\d+\.\d+\.\d+$`),
		regexp.MustCompile(`^info-center loghost \d+\.\d+\.\d+\.\d+$`),
		regexp.MustCompile(`^snmp-agent community (read|write) \S+$`),
		regexp.MustCompile(`^clock timezone \S+ (add|minus) \d{2}:\d{2}:\d{2}$`),
	}
}

// vrpStyleRender prints the configuration as "display
// current-configuration" does: "#"-separated, lines indented by one space.
func vrpStyleRender(version string, g *genericState, lines []string) string {
	var b strings.Builder
	b.WriteString("#\n" + version + "#\n sysname " + g.host + "\n#\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "sysname ") {
			b.WriteString(" " + l + "\n")
		}
	}
	b.WriteString("#\nreturn\n")
	return b.String()
}

// vrpStyleError marks the first word the parser does not know with "^"
// under the line, and prints msg.
func vrpStyleError(prompt, line, msg string) string {
	pos := 0
	if f := strings.Fields(line); len(f) > 1 {
		pos = strings.Index(line, f[len(f)-1])
	}
	return strings.Repeat(" ", len(prompt)+pos) + "^\n" + msg
}
