// Package lab simulates a fleet of network devices: real SSH servers on
// 127.0.0.1 with CLI state machines (modes, a running-config that changes,
// paging, confirmations) and fault injection. It is the device side and
// shares no code with package driver, so a bug in one cannot hide behind
// its twin.
//
// This file is the API contract other packages build against:
//
//	func StartFleet(ctx context.Context, spec FleetSpec) (*Fleet, error)
//	func (f *Fleet) Devices() []*Device
//	func (f *Fleet) Device(name string) *Device
//	func (f *Fleet) Close() error              // stops every server, waits for goroutines
//	func (d *Device) Name() string
//	func (d *Device) Platform() string
//	func (d *Device) Addr() string             // "127.0.0.1:PORT"
//	func (d *Device) Port() int
//	func (d *Device) HostKey() ssh.PublicKey   // stable per device name + seed
//	func (d *Device) RunningConfig() string
//	func (d *Device) StartupConfig() string
//	func (d *Device) Hostname() string
//	func (d *Device) Received() []string       // every line the device received, in order (passwords not recorded)
//	func (d *Device) AuthAttempts() int        // for "auth failures are never retried" tests
//	func (d *Device) Sessions() int            // currently open sessions
//	func (d *Device) SetFaults(f Faults)       // change faults at run time
package lab

import "time"

// Platforms the lab simulates.
const (
	CiscoIOS     = "cisco_ios"
	CiscoNXOS    = "cisco_nxos"
	AristaEOS    = "arista_eos"
	JuniperJunos = "juniper_junos"
	Linux        = "linux"
	CiscoXR      = "cisco_xr"
	CiscoASA     = "cisco_asa"
)

// FleetSpec describes a fleet to start.
type FleetSpec struct {
	Devices []DeviceSpec
	// BasePort: 0 means ephemeral ports; otherwise device i listens on BasePort+i.
	BasePort int
	// ListenAddr must be a loopback address; default 127.0.0.1.
	ListenAddr string
	// Seed makes host keys stable: the same seed and name give the same key.
	Seed string
	// Faults applied to every device unless the device sets its own.
	Faults Faults
}

// DeviceSpec is one simulated device.
type DeviceSpec struct {
	Name     string // also the initial hostname
	Platform string // one of the constants above; aliases like cisco_xe accepted
	Username string // default "admin"
	Password string // default "admin"
	Secret   string // enable secret, default "admin"
	// AuthorizedKeys allowed for public-key auth (authorized_keys format).
	AuthorizedKeys []byte
	// StartPrivileged puts the session in privileged EXEC at login (as with
	// AAA privilege 15), skipping enable.
	StartPrivileged bool
	Banner          string // pre-auth SSH banner
	MOTD            string // printed after login, before the first prompt
	Faults          *Faults
}

// Faults to inject. Zero value: a well-behaved device.
type Faults struct {
	Latency      time.Duration // before each response
	ChunkLatency time.Duration // between output chunks
	ChunkSize    int           // bytes per chunk when ChunkLatency is set
	AuthFail     bool          // reject every authentication
	Refuse       bool          // close TCP connections at once
	// RefuseFirst closes the device's first N TCP connections at once and
	// serves the ones after, as a device whose vty lines (or an SSH
	// server whose connection slots) are busy for a while does.
	RefuseFirst   int
	DropAfter     int           // close the connection when command N+1 arrives
	DropMidOutput bool          // with DropAfter: close halfway through command N+1's output
	Hang          string        // a regex: matching commands never return
	RejectConfig  string        // a regex: matching config lines get "% Invalid input"
	BannerDelay   time.Duration // delay before the SSH banner / first prompt
	PagerLines    int           // --More-- every N lines until "terminal length 0"; default 24
	// NoHangupOnExit: "exit" (or logout/quit) at the top level does not
	// end the session; the device prints its prompt again, as some devices
	// and simulators do.
	NoHangupOnExit bool
	// Minute is how long one device minute lasts for the device's own
	// timers (Junos "commit confirmed N"); default one real minute.
	// Changing it while a timer runs rescales the time left.
	Minute time.Duration
}

// minute returns the length of a device minute.
func (f Faults) minute() time.Duration {
	if f.Minute > 0 {
		return f.Minute
	}
	return time.Minute
}
