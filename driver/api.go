// Package driver is the client side of one network device over SSH: the
// transport, a prompt-aware channel, the privilege/mode graph and the
// platform definitions. It is usable as a library on its own and imports
// only the standard library and golang.org/x/crypto.
//
// This file is the API contract other packages build against.
package driver

import (
	"errors"
	"io"
	"log/slog"
	"regexp"
	"time"
)

// Sentinel errors. Every error returned by the driver wraps one of these
// together with the device name and the operation, e.g.
// "core1: send_command \"show ver\": timeout: ...".
var (
	ErrAuth        = errors.New("authentication failed")
	ErrTimeout     = errors.New("timeout")
	ErrHostKey     = errors.New("host key verification failed")
	ErrClosed      = errors.New("session closed")
	ErrConnect     = errors.New("connection failed")
	ErrPrivilege   = errors.New("privilege escalation failed") // e.g. wrong enable secret (then it also wraps ErrAuth)
	ErrUnsupported = errors.New("unsupported")
	ErrPlatform    = errors.New("unknown platform")
)

// Host key checking modes.
const (
	HostKeyStrict    = "strict"
	HostKeyAcceptNew = "accept-new"
	HostKeyOff       = "off"
)

// Config is everything needed to open a session to one device.
type Config struct {
	Name     string // device name used in errors and transcripts
	Address  string
	Port     int // default 22
	Platform string

	Username   string
	Password   string
	Secret     string // enable secret
	PrivateKey string // path to a private key file
	// PrivateKeyPassphrase for an encrypted key.
	PrivateKeyPassphrase string
	UseAgent             bool // use SSH_AUTH_SOCK

	HostKeyCheck     string // strict (default), accept-new, off
	KnownHostsFile   string // default ~/.ssh/known_hosts
	LegacyAlgorithms bool
	Jump             []Config // ProxyJump chain, outermost first

	ConnectTimeout time.Duration // default 10s
	CommandTimeout time.Duration // overall deadline per operation, default 30s
	IdleTimeout    time.Duration // no bytes for this long fails the op, default = CommandTimeout

	// SkipSessionSetup skips the platform's on-open commands (terminal
	// length 0, terminal width 511, ...). Paging is then handled by
	// answering the pager prompt.
	SkipSessionSetup bool

	// Transcript receives everything sent and received, with every secret
	// the session knows redacted. May be nil.
	Transcript io.Writer
	Logger     *slog.Logger // nil: discard
}

// Response is the result of one command. A device rejecting a command is a
// Failed response, not a Go error.
type Response struct {
	Command   string
	Output    string // without echo and trailing prompt, "\n" line endings
	Start     time.Time
	End       time.Time
	Failed    bool
	FailedBy  string // the failure indicator that matched, e.g. "% Invalid input"
	Prompt    string // the prompt that ended the response
	Redacted  bool   // Command was marked hidden and is shown redacted
	ErrorText string // the line(s) of output holding the indicator
}

// Duration of the command.
func (r *Response) Duration() time.Duration { return r.End.Sub(r.Start) }

// MultiResponse is the result of several commands (SendCommands, SendConfigSet).
type MultiResponse struct {
	Responses []*Response
	Failed    bool
}

// FirstFailure returns the first failed response, or nil.
func (m *MultiResponse) FirstFailure() *Response {
	for _, r := range m.Responses {
		if r.Failed {
			return r
		}
	}
	return nil
}

// InteractiveEvent is one step of SendInteractive: send Send, then wait for
// Expect (a regex when Regex is true, else a literal substring).
type InteractiveEvent struct {
	Send   string
	Expect string
	Regex  bool
	Hidden bool // Send is a secret: redact it in transcripts and responses
}

// SendOption tunes one SendCommand call.
type SendOption func(*sendOptions)

type sendOptions struct {
	expect  string        // regex that ends the response instead of the prompt
	timeout time.Duration // overrides Config.CommandTimeout
	mode    string        // target mode; default privileged
	answers []Confirm     // questions the command may ask, and their answers
}

// WithExpect ends the response on this regex instead of the prompt.
func WithExpect(pattern string) SendOption { return func(o *sendOptions) { o.expect = pattern } }

// WithTimeout overrides the overall deadline for this call.
func WithTimeout(d time.Duration) SendOption { return func(o *sendOptions) { o.timeout = d } }

// WithAnswer answers a question the command may ask (question is matched
// against the last line, as Save's confirmations are): a copy's
// "Destination filename [x]?", an overwrite's "[confirm]". A question
// that does not come is no error.
func WithAnswer(question *regexp.Regexp, answer string) SendOption {
	return func(o *sendOptions) { o.answers = append(o.answers, Confirm{Question: question, Answer: answer}) }
}

// ConfigOption tunes one SendConfigSet call.
type ConfigOption func(*configOptions)

type configOptions struct {
	continueOnError bool
	timeout         time.Duration
	confirmIn       time.Duration // commit with the platform's confirm timer
	answers         []Confirm     // questions configuration lines may ask
}

// WithConfigAnswers answers questions configuration lines may ask
// ("[confirm]", "[yes/no]", "Destination filename [x]?"); each question is
// matched against the last line, as Save's are. A line that asks a
// question no answer matches waits, and times out.
func WithConfigAnswers(answers ...Confirm) ConfigOption {
	return func(o *configOptions) { o.answers = append(o.answers, answers...) }
}

// ContinueOnError sends every line even after one is rejected.
func ContinueOnError() ConfigOption { return func(o *configOptions) { o.continueOnError = true } }

// WithCommitConfirmed commits with the device's own confirm timer where
// the platform has one (Platform.CommitConfirmed; Junos `commit confirmed
// N`, N in whole minutes rounded up): unless confirmed in time (Confirm),
// the device reverts the change by itself, even when the session that
// made it is gone. Elsewhere it changes nothing.
func WithCommitConfirmed(d time.Duration) ConfigOption {
	return func(o *configOptions) { o.confirmIn = d }
}

// WithConfigTimeout overrides the overall deadline per line.
func WithConfigTimeout(d time.Duration) ConfigOption {
	return func(o *configOptions) { o.timeout = d }
}

// The operations, implemented in driver.go (signatures fixed here):
//
//	func Open(ctx context.Context, cfg Config) (*Session, error)
//	func (s *Session) SendCommand(ctx context.Context, cmd string, opts ...SendOption) (*Response, error)
//	func (s *Session) SendCommands(ctx context.Context, cmds []string, opts ...SendOption) (*MultiResponse, error)
//	func (s *Session) SendConfigSet(ctx context.Context, lines []string, opts ...ConfigOption) (*MultiResponse, error)
//	func (s *Session) Save(ctx context.Context) (*Response, error)
//	func (s *Session) SendInteractive(ctx context.Context, events []InteractiveEvent, opts ...SendOption) (*Response, error)
//	func (s *Session) Platform() string   // canonical platform name
//	func (s *Session) Hostname() string   // learned from the prompt, follows hostname changes
//	func (s *Session) Close() error       // always frees the session
//	func LookupPlatform(name string) (*Platform, bool) // aliases resolved
//	func Platforms() []string             // canonical names, sorted
