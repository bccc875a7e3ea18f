package lab

import (
	"hash/fnv"
	"strings"
	"time"
)

// devState is a device's configuration and counters, shared by its
// sessions and guarded by Device.mu.
type devState struct {
	dev     *Device
	running *runConfig // IOS-like platforms
	startup *runConfig

	junosActive    *jnode // JunOS: committed configuration
	junosCandidate *jnode // JunOS: shared candidate ("configure")
	junosRollback  []*jnode
	junosHistory   []junosCommitEntry // "show system commit", aligned with active + rollbacks
	junosPending   *junosPending      // a commit confirmed not yet confirmed

	xrRunning *xnode     // IOS-XR: the committed configuration
	xrCommits []xrCommit // IOS-XR: the commit database, oldest first

	flash       []*flashFile    // IOS flash0:, EOS flash:
	rsaKeys     map[string]int  // IOS, ASA: RSA key pairs (name -> modulus), not in the configuration
	checkpoints []*nxCheckpoint // NX-OS user checkpoints

	linuxHost string
	generic   *genericState // HP Comware, Huawei VRP, MikroTik RouterOS

	countersCleared time.Time
	reloadAt        time.Time // "reload in N" scheduled
	lastChange      time.Time
	saved           time.Time
}

func newDevState(d *Device) *devState {
	st := &devState{dev: d, lastChange: d.started, saved: d.started}
	if g := genericFor(d.platform); g != nil {
		st.generic = g.newState(d)
		return st
	}
	switch d.platform {
	case JuniperJunos:
		st.junosActive = parseJunosSet(junosInitial(d))
		st.junosCandidate = st.junosActive.clone()
		st.junosHistory = []junosCommitEntry{{at: d.started, user: "root", via: "other"}}
	case Linux:
		st.linuxHost = d.spec.Name
	case CiscoXR:
		st.xrRunning = parseXR(xrInitial(d))
	default:
		p := platformFor(d.platform).(*iosLike)
		st.running = parseConfig(p.initial(d))
		st.startup = st.running.clone()
		st.flash = initialFlash(d)
		st.rsaKeys = map[string]int{}
		// The lab answers SSH: it has keys, named as the device names them.
		switch d.platform {
		case CiscoIOS:
			st.rsaKeys[st.hostname()+".lab.local"] = 2048
		case CiscoASA:
			st.rsaKeys["<Default-RSA-Key>"] = 2048
		}
	}
	return st
}

func (st *devState) runningText() string {
	if g := genericFor(st.dev.platform); g != nil {
		return st.genericText(g, false)
	}
	switch st.dev.platform {
	case JuniperJunos:
		return st.junosActive.render(0)
	case Linux:
		return ""
	case CiscoXR:
		return st.xrRunningText()
	}
	return platformFor(st.dev.platform).(*iosLike).renderRunning(st, st.running)
}

func (st *devState) startupText() string {
	if g := genericFor(st.dev.platform); g != nil {
		return st.genericText(g, true)
	}
	switch st.dev.platform {
	case JuniperJunos:
		return st.junosActive.render(0)
	case Linux:
		return ""
	case CiscoXR:
		return st.xrRunningText() // committed is persistent, as on IOS-XR
	}
	return platformFor(st.dev.platform).(*iosLike).renderRunning(st, st.startup)
}

func (st *devState) hostname() string {
	if st.generic != nil {
		return st.generic.host
	}
	switch st.dev.platform {
	case JuniperJunos:
		if n := st.junosActive.find([]string{"system", "host-name"}); n != nil {
			return strings.Trim(strings.TrimPrefix(n.name, "host-name "), `"`)
		}
		return st.dev.spec.Name
	case Linux:
		return st.linuxHost
	case CiscoXR:
		for _, c := range st.xrRunning.children {
			if strings.HasPrefix(c.line, "hostname ") {
				return strings.TrimSpace(strings.TrimPrefix(c.line, "hostname "))
			}
		}
		return st.dev.spec.Name
	}
	for _, s := range st.running.stanzas {
		if strings.HasPrefix(s.line, "hostname ") || strings.HasPrefix(s.line, "switchname ") {
			return strings.TrimSpace(s.line[strings.IndexByte(s.line, ' '):])
		}
	}
	return st.dev.spec.Name
}

// hashN gives stable pseudo-random numbers (NTP delays, counters) so that
// the same device prints the same values every time.
func hashN(parts ...string) uint32 {
	h := fnv.New32a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum32()
}
