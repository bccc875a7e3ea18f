package lab

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// junosCommitEntry is one line of "show system commit". The history is
// aligned with the configurations: entry 0 describes junosActive, entry i
// junosRollback[i-1].
type junosCommitEntry struct {
	at      time.Time
	user    string
	via     string // "cli"; "other" for what the system commits by itself
	comment string
	confirm int // N of "commit confirmed N"; 0 for other commits
}

// junosPending is a "commit confirmed" waiting to be confirmed. The timer
// belongs to the device: it runs on a goroutine of the fleet, not of the
// session that armed it.
type junosPending struct {
	armed   time.Time
	mins    int
	restore *jnode // the configuration before the first unconfirmed commit
	wake    chan struct{}
	cancel  context.CancelFunc
}

// left is the time until the rollback with the device's minute.
func (p *junosPending) left(minute time.Duration) time.Duration {
	return time.Until(p.armed.Add(time.Duration(p.mins) * minute))
}

// junosMaxConfirm is the largest "commit confirmed" timeout, in minutes.
const junosMaxConfirm = 65535

// junosCommitLocked makes the candidate the active configuration and
// records the commit (under dev.mu).
func (st *devState) junosCommitLocked(e junosCommitEntry) {
	st.junosRollback = append([]*jnode{st.junosActive}, st.junosRollback...)
	if len(st.junosRollback) > 49 {
		st.junosRollback = st.junosRollback[:49]
	}
	st.junosActive = st.junosCandidate.clone()
	st.junosRecord(e)
}

func (st *devState) junosRecord(e junosCommitEntry) {
	st.junosHistory = append([]junosCommitEntry{e}, st.junosHistory...)
	if len(st.junosHistory) > 50 {
		st.junosHistory = st.junosHistory[:50]
	}
	st.lastChange, st.saved = e.at, e.at
}

// junosConfirmLocked confirms a pending commit confirmed: its timer stops.
func (st *devState) junosConfirmLocked() {
	if p := st.junosPending; p != nil {
		p.cancel()
		st.junosPending = nil
	}
}

// junosArmLocked starts (or restarts) the confirmation timer after a
// "commit confirmed mins" (under dev.mu). A commit confirmed made while
// another waits keeps the first one's restore point.
func (st *devState) junosArmLocked(mins int) {
	d := st.dev
	restore := st.junosRollback[0]
	if old := st.junosPending; old != nil {
		restore = old.restore
		old.cancel()
	}
	ctx, cancel := context.WithCancel(d.fleet.ctx)
	p := &junosPending{armed: time.Now(), mins: mins, restore: restore, wake: make(chan struct{}, 1), cancel: cancel}
	st.junosPending = p
	if d.fleet.ctx.Err() != nil {
		return // the fleet is closing: no new goroutine
	}
	d.fleet.wg.Add(1)
	go d.runConfirmTimer(ctx, p)
}

// runConfirmTimer rolls the configuration back when p is not confirmed in
// time, whether or not the session that made it is still there.
func (d *Device) runConfirmTimer(ctx context.Context, p *junosPending) {
	defer d.fleet.wg.Done()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		d.mu.Lock()
		if d.st.junosPending != p {
			d.mu.Unlock()
			return
		}
		left := p.left(d.faults.minute())
		if left <= 0 {
			d.st.junosAutoRollbackLocked()
			d.mu.Unlock()
			return
		}
		d.mu.Unlock()
		t.Reset(left)
		select {
		case <-ctx.Done():
			return
		case <-p.wake: // the minute changed: compute the time left again
		case <-t.C:
		}
	}
}

// junosAutoRollbackLocked is what Junos does when a commit confirmed was
// not confirmed: it commits the previous configuration by itself.
func (st *devState) junosAutoRollbackLocked() {
	p := st.junosPending
	if p == nil {
		return
	}
	p.cancel()
	st.junosPending = nil
	st.junosCandidate = p.restore.clone()
	st.junosCommitLocked(junosCommitEntry{at: time.Now(), user: "root", via: "other"})
}

// wakeTimers tells a running confirmation timer that the minute changed.
func (st *devState) wakeTimers() {
	if p := st.junosPending; p != nil {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// junosPendingBanner is the line Junos prints above "[edit]" while a
// commit confirmed waits: "# commit confirmed will be rolled back in N minutes".
func (s *session) junosPendingBanner() string {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	p := s.dev.st.junosPending
	if p == nil {
		return ""
	}
	m := s.dev.faults.minute()
	left := p.left(m)
	mins := max(1, int((left+m-1)/m))
	return fmt.Sprintf("# commit confirmed will be rolled back in %d minutes\n", mins)
}

// junosCommitCmd answers "commit [check | confirmed [N] | comment TEXT | and-quit]...".
func junosCommitCmd(s *session, a []string) (string, error) {
	var check, andQuit, confirmed bool
	mins := 10
	comment := ""
	if len(a) == 1 {
		base := strings.Index(s.lastLine, a[0])
		toks := junosTokens(a[0])
		at := base
		pos := func(tok string) int {
			i := strings.Index(s.lastLine[at:], tok)
			if i < 0 {
				return at
			}
			at += i + len(tok)
			return at - len(tok)
		}
		for i := 0; i < len(toks); i++ {
			p := pos(toks[i])
			kw, amb := resolveWord(toks[i], []string{"and-quit", "check", "comment", "confirmed"})
			if amb {
				return junosError(s, p, fmt.Sprintf("'%s' is ambiguous.\nPossible completions:\n  comment              Add comment to this configuration\n  confirmed            Automatically rollback if not confirmed", toks[i])), nil
			}
			switch kw {
			case "check":
				check = true
			case "and-quit":
				andQuit = true
			case "comment":
				if i+1 >= len(toks) {
					return junosError(s, len(s.lastLine), "syntax error, expecting <comment>."), nil
				}
				i++
				pos(toks[i])
				comment = strings.Trim(toks[i], `"`)
			case "confirmed":
				confirmed = true
				if i+1 < len(toks) && toks[i+1] != "" && strings.Trim(toks[i+1], "0123456789") == "" {
					i++
					np := pos(toks[i])
					n, err := strconv.Atoi(toks[i])
					if err != nil || n < 1 || n > junosMaxConfirm {
						return junosError(s, np, fmt.Sprintf("Value %s is not within range (1..%d)", toks[i], junosMaxConfirm)), nil
					}
					mins = n
				}
			default:
				return junosError(s, p, "syntax error, expecting <command>."), nil
			}
		}
		if check && (andQuit || confirmed || comment != "") {
			return junosError(s, base, "syntax error, expecting <command>."), nil
		}
	}
	s.dev.mu.Lock()
	st := s.dev.st
	if check {
		// A commit check confirms a pending commit confirmed, as on Junos.
		st.junosConfirmLocked()
		s.dev.mu.Unlock()
		return "configuration check succeeds\n", nil
	}
	e := junosCommitEntry{at: time.Now(), user: s.conn.user, via: "cli", comment: comment}
	if confirmed {
		e.confirm = mins
	} else {
		st.junosConfirmLocked()
	}
	st.junosCommitLocked(e)
	if confirmed {
		st.junosArmLocked(mins)
	}
	s.dev.mu.Unlock()
	out := "commit complete\n"
	if confirmed {
		out = fmt.Sprintf("commit confirmed will be automatically rolled back in %d minutes unless confirmed\ncommit complete\n", mins)
	}
	if andQuit {
		s.inConfig, s.junosEdit = false, nil
		out += "Exiting configuration mode\n"
	}
	return out, nil
}

// junosShowSystemCommit answers "show system commit".
func junosShowSystemCommit(s *session, _ []string) (string, error) {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	var b strings.Builder
	for i, e := range s.dev.st.junosHistory {
		fmt.Fprintf(&b, "%-4d%s by %s via %s", i, e.at.UTC().Format("2006-01-02 15:04:05 MST"), e.user, e.via)
		if e.confirm > 0 {
			fmt.Fprintf(&b, " commit confirmed, rollback in %dmins", e.confirm)
		}
		b.WriteString("\n")
		if e.comment != "" {
			b.WriteString("    " + e.comment + "\n")
		}
	}
	return b.String(), nil
}
