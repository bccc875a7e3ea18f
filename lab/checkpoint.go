package lab

import (
	"fmt"
	"strings"
	"time"
)

// nxCheckpoint is an NX-OS user checkpoint: a copy of the running
// configuration kept by the device under a name.
type nxCheckpoint struct {
	name    string
	desc    string
	user    string
	created time.Time
	config  *runConfig
	size    int
}

// nxosMaxCheckpoints: NX-OS keeps up to ten user checkpoints.
const nxosMaxCheckpoints = 10

func (st *devState) checkpoint(name string) *nxCheckpoint {
	for _, c := range st.checkpoints {
		if c.name == name {
			return c
		}
	}
	return nil
}

// nxosCheckpoint answers "checkpoint [NAME] [description TEXT]"; named
// tells whether the pattern has a name slot. Without a name NX-OS picks
// user-checkpoint-N.
func (p *iosLike) nxosCheckpoint(named bool) cmdFunc {
	return func(s *session, args []string) (string, error) {
		name, desc := "", "None"
		if named {
			name, args = args[0], args[1:]
		}
		if len(args) > 0 {
			desc = args[0]
		}
		return p.nxosMakeCheckpoint(s, name, desc)
	}
}

func (p *iosLike) nxosMakeCheckpoint(s *session, name, desc string) (string, error) {
	if len(name) > 80 || strings.HasPrefix(strings.ToLower(name), "system") {
		return p.invalid(s, argPos(s, name)), nil
	}
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	for n := 1; name == "" && n <= nxosMaxCheckpoints; n++ {
		if st.checkpoint(fmt.Sprintf("user-checkpoint-%d", n)) == nil {
			name = fmt.Sprintf("user-checkpoint-%d", n)
		}
	}
	if st.checkpoint(name) != nil {
		s.failed = true
		return "ERROR: Checkpoint name is in use already\n", nil
	}
	if len(st.checkpoints) >= nxosMaxCheckpoints || name == "" {
		s.failed = true
		return "ERROR: Max number of user checkpoints (10) reached\n", nil
	}
	st.checkpoints = append(st.checkpoints, &nxCheckpoint{
		name: name, desc: desc, user: s.conn.user, created: time.Now(),
		config: st.running.clone(), size: len(st.runningText()),
	})
	return "Done\n", nil
}

// nxosNoCheckpoint answers "no checkpoint NAME".
func (p *iosLike) nxosNoCheckpoint(s *session, args []string) (string, error) {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	for i, c := range st.checkpoints {
		if c.name == args[0] {
			st.checkpoints = append(st.checkpoints[:i], st.checkpoints[i+1:]...)
			return "", nil
		}
	}
	s.failed = true
	return "ERROR: No checkpoint with name " + args[0] + " exists\n", nil
}

// nxosShowCheckpointSummary answers "show checkpoint summary".
func (p *iosLike) nxosShowCheckpointSummary(s *session, _ []string) (string, error) {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	rule := strings.Repeat("-", 80) + "\n"
	var b strings.Builder
	b.WriteString("User Checkpoint Summary\n" + rule)
	for i, c := range s.dev.st.checkpoints {
		fmt.Fprintf(&b, "%d) %s:\nCreated by %s\nCreated at %s\nSize is %s bytes\nDescription: %s\n\n",
			i+1, c.name, c.user, c.created.UTC().Format("Mon, 15:04:05 02 Jan 2006"), thousands(c.size), c.desc)
	}
	b.WriteString("System Checkpoint Summary\n" + rule)
	return b.String(), nil
}

// nxosRollback answers "rollback running-config checkpoint NAME [atomic]".
func (p *iosLike) nxosRollback(s *session, args []string) (string, error) {
	s.dev.mu.Lock()
	defer s.dev.mu.Unlock()
	st := s.dev.st
	c := st.checkpoint(args[0])
	if c == nil {
		s.failed = true
		return "ERROR: Checkpoint " + args[0] + " does not exist\n", nil
	}
	st.running = c.config.clone()
	st.lastChange = time.Now()
	return "Note: Applying config parallelly may fail Rollback verification\n" +
		"Collecting Running-Config\n" +
		"#Generating Rollback Patch\n" +
		"Executing Rollback Patch\n" +
		"Generating Running-config for verification\n" +
		"Generating Patch for verification\n" +
		"Verification is Successful.\n" +
		"\n" +
		"Rollback completed successfully.\n\n", nil
}

// thousands formats 25671 as "25,671", as NX-OS prints sizes.
func thousands(n int) string {
	s := itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
