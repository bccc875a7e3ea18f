package lab

import "regexp"

// HuaweiVRP is a Huawei VRP 5 switch: "<NAME>" user view, "[NAME]" system
// view, "save" asks before it writes.
const HuaweiVRP = "huawei_vrp"

var vrpPlatform *genericPlatform

func newVRPPlatform() *genericPlatform {
	return &genericPlatform{
		name:     HuaweiVRP,
		banner:   "\nInfo: The max number of VTY users is 5, and the number\n      of current VTY users on line is 1.\n      The current login time is 2024-01-01 08:00:00.\n",
		cmdView:  func(_, host string) string { return "<" + host + ">" },
		cfgView:  func(_, host string) string { return "[" + host + "]" },
		enter:    "system-view",
		enterMsg: "Enter system view, return user view with Ctrl+Z.\n",
		leave:    []string{"quit", "return"},
		more:     "  ---- More ----",
		commands: map[string]func(*session, *genericState) string{
			"screen-length 0 temporary": func(*session, *genericState) string {
				return "Info: The configuration takes effect on the current user terminal interface only.\n"
			},
			"display version": func(_ *session, g *genericState) string {
				return "Huawei Versatile Routing Platform Software\nVRP (R) software, Version 5.170 (S5720 V200R019C10SPC500)\nCopyright (C) 2000-2020 HUAWEI TECH Co., Ltd.\nHUAWEI S5720-28X-SI-AC Routing Switch uptime is 0 week, 0 day, 1 hour, 4 minutes\n"
			},
		},
		showConfig: []string{"display current-configuration", "display current"},
		config:     vrpStyleConfig,
		undo:       "undo",
		hostname:   regexp.MustCompile(`^sysname (\S+)$`),
		render: func(g *genericState, lines []string) string {
			return vrpStyleRender("!Software Version V200R019C10SPC500\n", g, lines)
		},
		errorText: func(prompt, line string) string {
			return vrpStyleError(prompt, line, "Error: Unrecognized command found at '^' position.\n")
		},
		save:         "save",
		saveQuestion: "The current configuration will be written to the device.\nAre you sure to continue?[Y/N]:",
		saveDone:     "Now saving the current configuration to the slot 0.\nInfo: Save the configuration successfully.\n",
	}
}
