package lab

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseFaults(t *testing.T) {
	tests := []struct {
		spec    string
		want    Faults
		wantErr bool
	}{
		{spec: "", want: Faults{}},
		{spec: "latency=20ms", want: Faults{Latency: 20 * time.Millisecond}},
		{spec: "drop_after=5, drop_mid_output", want: Faults{DropAfter: 5, DropMidOutput: true}},
		{spec: "auth_fail", want: Faults{AuthFail: true}},
		{spec: "refuse=false,hang=^show clock", want: Faults{Hang: "^show clock"}},
		{spec: "reject_config=^ntp server,banner_delay=1s", want: Faults{RejectConfig: "^ntp server", BannerDelay: time.Second}},
		{spec: "chunk_latency=5ms,chunk_size=64,pager_lines=10", want: Faults{ChunkLatency: 5 * time.Millisecond, ChunkSize: 64, PagerLines: 10}},
		{spec: "no_hangup_on_exit", want: Faults{NoHangupOnExit: true}},
		{spec: "refuse_first=2", want: Faults{RefuseFirst: 2}},
		{spec: "minute=100ms,no_hangup_on_exit=false", want: Faults{Minute: 100 * time.Millisecond}},
		{spec: "minute=0s", wantErr: true},
		{spec: "minute=soon", wantErr: true},
		{spec: "latency=fast", wantErr: true},
		{spec: "hang=(", wantErr: true},
		{spec: "hang", wantErr: true},
		{spec: "explode", wantErr: true},
		{spec: "auth_fail=maybe", wantErr: true},
		{spec: "refuse_first=-1", wantErr: true},
		{spec: "refuse_first=some", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseFaults(tt.spec)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseFaults(%q) error = %v, want error %v", tt.spec, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseFaults(%q) (-want +got):\n%s", tt.spec, diff)
		}
	}
}

func TestFaultsSetAddsUp(t *testing.T) {
	f, err := ParseFaults("latency=150ms,drop_after=3")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Set("reject_config=^ntp,drop_after=5"); err != nil {
		t.Fatal(err)
	}
	want := Faults{Latency: 150 * time.Millisecond, DropAfter: 5, RejectConfig: "^ntp"}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := f.Set("latency=1s,explode"); err == nil {
		t.Fatal("want an error")
	}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("a failed Set changed the faults (-want +got):\n%s", diff)
	}
}

func TestServeMinute(t *testing.T) {
	spec, err := FleetSpecFor(ServeOptions{Devices: 1, Platform: JuniperJunos, Minute: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if spec.Faults.Minute != 50*time.Millisecond {
		t.Errorf("FleetSpecFor: Minute = %v", spec.Faults.Minute)
	}
	if got := (Faults{}).minute(); got != time.Minute {
		t.Errorf("default minute = %v, want one minute", got)
	}
}

// lab serve --fault: every device gets the spec's faults; --latency and
// --minute win over the same faults in it; a bad spec is an error.
func TestServeFaults(t *testing.T) {
	spec, err := FleetSpecFor(ServeOptions{Devices: 2, Faults: "no_hangup_on_exit,latency=5ms,chunk_size=16", Latency: 7 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	want := Faults{NoHangupOnExit: true, Latency: 7 * time.Millisecond, ChunkSize: 16}
	if diff := cmp.Diff(want, spec.Faults); diff != "" {
		t.Errorf("faults (-want +got):\n%s", diff)
	}
	if _, err := FleetSpecFor(ServeOptions{Faults: "no_such_fault"}); err == nil || !strings.Contains(err.Error(), "no_such_fault") {
		t.Errorf("a bad spec: %v", err)
	}
}
