package tasks

import (
	"context"
	"testing"
)

// On Junos the commit saved the change: save is ok, says so, and sends
// nothing; elsewhere it saves after a change.
func TestSaveOnACommitPlatformIsOK(t *testing.T) {
	changed := true
	for _, tc := range []struct {
		platform string
		saves    bool
	}{{"juniper_junos", false}, {"cisco_ios", true}} {
		conn := &fakeConn{platform: tc.platform}
		res, err := (&Save{}).Run(context.Background(), conn, &Env{ChangedBefore: &changed})
		if err != nil {
			t.Fatal(err)
		}
		if res.Changed != tc.saves || (len(conn.calls) == 1) != tc.saves {
			t.Errorf("%s: changed=%v calls=%q, want saving=%v", tc.platform, res.Changed, conn.calls, tc.saves)
		}
		if !tc.saves && res.Message != NothingToSaveCommitted {
			t.Errorf("%s: message %q", tc.platform, res.Message)
		}
	}
}
