package driver

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Error is the error type every driver operation returns. It reads
// "device: operation: sentinel: detail" and unwraps to the sentinel
// (ErrTimeout, ErrAuth, ...) and, where there is one, to the cause
// (context.Canceled, a net error). Detail has been redacted of every
// secret the session knows before it is stored.
type Error struct {
	Device string
	Op     string
	Err    error // a sentinel, or context.Canceled
	Detail string
	Cause  error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Device != "" {
		b.WriteString(e.Device)
		b.WriteString(": ")
	}
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap exposes the sentinel and the cause to errors.Is / errors.As.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

// newError builds an *Error, redacting detail with the known secrets.
func newError(device, op string, sentinel error, sec *secrets, cause error, format string, args ...any) *Error {
	detail := fmt.Sprintf(format, args...)
	if sec != nil {
		detail = sec.redact(detail)
		op = sec.redact(op)
	}
	return &Error{Device: device, Op: op, Err: sentinel, Detail: detail, Cause: cause}
}

// ctxSentinel maps a context error to the sentinel reported for it: a
// deadline is a timeout, a cancellation stays context.Canceled so callers
// can tell "the user stopped it" from "the device was slow".
func ctxSentinel(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrTimeout
	}
	return context.Canceled
}

// ctxDetail is the message for a step its context ended: timedOut when
// the deadline passed, stopped when the caller cancelled (the run was
// stopped: not the device's fault, so not worded as its slowness).
func ctxDetail(err error, timedOut, stopped string) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return timedOut
	}
	return stopped
}
