package lab

import (
	"fmt"
	"strings"
	"time"
)

// linuxPlatform is a small Debian-like shell: "user@host:~$ " prompt, a
// handful of commands, exec requests with exit statuses. Input is echoed
// only when the client asked for a PTY, as a real shell does.
type linuxPlatform struct{}

func (linuxPlatform) moreMarker() string { return "--More--" }
func (linuxPlatform) login(s *session) {
	s.termLength = 0
	if s.pty {
		s.write(fmt.Sprintf("Linux %s 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64\n\nLast login: %s from 127.0.0.1\n",
			s.dev.Hostname(), time.Now().UTC().Add(-time.Hour).Format("Mon Jan _2 15:04:05 2006")))
	}
}

func (linuxPlatform) prompt(s *session) string {
	return s.conn.user + "@" + s.dev.Hostname() + ":~$ "
}

func (linuxPlatform) control(s *session, key error) error { return nil }

func (p linuxPlatform) handle(s *session, line string) error {
	out, _, err := p.run(s, line)
	if err != nil {
		return err
	}
	return s.emit(out)
}

func (p linuxPlatform) exec(s *session, cmd string) int {
	out, status, err := p.run(s, cmd)
	if err != nil && err != errExit {
		return 1
	}
	s.write(out)
	return status
}

// run interprets one command line; "a; b" and "a && b" run in sequence.
func (p linuxPlatform) run(s *session, line string) (string, int, error) {
	var b strings.Builder
	status := 0
	for _, part := range strings.Split(line, ";") {
		for i, sub := range strings.Split(part, "&&") {
			if i > 0 && status != 0 {
				break
			}
			out, st, err := p.one(s, strings.TrimSpace(sub))
			b.WriteString(out)
			status = st
			if err != nil {
				return b.String(), status, err
			}
		}
	}
	return b.String(), status, nil
}

func (p linuxPlatform) one(s *session, cmd string) (string, int, error) {
	f := strings.Fields(cmd)
	if len(f) == 0 {
		return "", 0, nil
	}
	host := s.dev.Hostname()
	ip0, _ := devIP(s.dev, 0)
	switch f[0] {
	case "exit", "logout":
		return "logout\n", 0, errExit
	case "true", ":":
		return "", 0, nil
	case "false":
		return "", 1, nil
	case "echo":
		return strings.Join(f[1:], " ") + "\n", 0, nil
	case "hostname":
		if len(f) > 1 {
			return "hostname: you must be root to change the host name\n", 1, nil
		}
		return host + "\n", 0, nil
	case "whoami":
		return s.conn.user + "\n", 0, nil
	case "id":
		return fmt.Sprintf("uid=1000(%[1]s) gid=1000(%[1]s) groups=1000(%[1]s),27(sudo)\n", s.conn.user), 0, nil
	case "pwd":
		return "/home/" + s.conn.user + "\n", 0, nil
	case "date":
		return time.Now().UTC().Format("Mon Jan _2 15:04:05 MST 2006") + "\n", 0, nil
	case "uptime":
		return fmt.Sprintf(" %s up %s,  1 user,  load average: 0.00, 0.01, 0.05\n", time.Now().UTC().Format("15:04:05"), uptimeString(time.Since(s.dev.started))), 0, nil
	case "uname":
		if len(f) > 1 && f[1] == "-a" {
			return "Linux " + host + " 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64 GNU/Linux\n", 0, nil
		}
		if len(f) > 1 && f[1] == "-r" {
			return "6.1.0-18-amd64\n", 0, nil
		}
		return "Linux\n", 0, nil
	case "cat":
		if len(f) < 2 {
			return "", 0, nil
		}
		switch f[1] {
		case "/etc/hostname":
			return host + "\n", 0, nil
		case "/etc/os-release":
			return "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nID=debian\n", 0, nil
		}
		return "cat: " + f[1] + ": No such file or directory\n", 1, nil
	case "ls":
		return "", 0, nil
	case "ip":
		if len(f) > 1 && strings.HasPrefix("address", f[1]) || len(f) > 1 && f[1] == "a" {
			mac := strings.ReplaceAll(macFor(s.dev.index, 0), ".", "")
			mac = mac[0:2] + ":" + mac[2:4] + ":" + mac[4:6] + ":" + mac[6:8] + ":" + mac[8:10] + ":" + mac[10:12]
			return fmt.Sprintf(`1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000
    link/ether %s brd ff:ff:ff:ff:ff:ff
    inet %s/16 brd 10.0.255.255 scope global eth0
       valid_lft forever preferred_lft forever
`, mac, ip0), 0, nil
		}
		if len(f) > 1 && (strings.HasPrefix("route", f[1]) || f[1] == "r") {
			return fmt.Sprintf("default via 10.0.255.254 dev eth0 onlink \n10.0.0.0/16 dev eth0 proto kernel scope link src %s \n", ip0), 0, nil
		}
		return "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n", 255, nil
	}
	return "-bash: " + f[0] + ": command not found\n", 127, nil
}
