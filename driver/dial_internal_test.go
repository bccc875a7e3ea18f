package driver

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// A dial that gets no answer fails with ErrTimeout after the connect
// timeout; one the caller stops fails with context.Canceled and says so,
// not that the device did not answer.
func TestDialNoAnswerAndStopped(t *testing.T) {
	dial := dialTCP
	defer func() { dialTCP = dial }()
	dialTCP = func(ctx context.Context, _ string) (net.Conn, error) {
		<-ctx.Done() // a device that never answers the SYN
		return nil, ctx.Err()
	}
	cfg := Config{Name: "r1", Address: "127.0.0.1", Platform: "cisco_ios", Username: "u", Password: "p", ConnectTimeout: 50 * time.Millisecond}

	_, err := Open(context.Background(), cfg)
	if !errors.Is(err, ErrTimeout) || errors.Is(err, context.Canceled) || !strings.HasSuffix(err.Error(), "dialing 127.0.0.1:22: no answer within 50ms") {
		t.Errorf("no answer: err = %v, want ErrTimeout, no answer within 50ms", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	cfg.ConnectTimeout = time.Hour
	_, err = Open(ctx, cfg)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) || !strings.HasSuffix(err.Error(), "dialing 127.0.0.1:22: stopped before an answer (connect timeout 1h0m0s)") {
		t.Errorf("stopped: err = %v, want context.Canceled, stopped before an answer", err)
	}
}
