package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runbook-dev/runbook/hcl"
)

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestParseShard(t *testing.T) {
	for _, tt := range []struct {
		spec string
		env  map[string]string
		want Shard
	}{
		{"1/1", nil, Shard{1, 1}},
		{"2/8", nil, Shard{2, 8}},
		{" 8/8 ", nil, Shard{8, 8}},
		{"3 / 10000", nil, Shard{3, 10000}},
		{"auto/8", map[string]string{"JOB_COMPLETION_INDEX": "0"}, Shard{1, 8}},
		{"auto/8", map[string]string{"JOB_COMPLETION_INDEX": "7"}, Shard{8, 8}},
		{"auto/3", map[string]string{"JOB_COMPLETION_INDEX": " 1\n"}, Shard{2, 3}},
	} {
		got, err := ParseShard(tt.spec, lookup(tt.env))
		if err != nil || got != tt.want {
			t.Errorf("ParseShard(%q, %v) = %v, %v; want %v", tt.spec, tt.env, got, err, tt.want)
		}
		if !got.Sharded() {
			t.Errorf("ParseShard(%q) is not sharded", tt.spec)
		}
	}
}

func TestParseShardErrors(t *testing.T) {
	for _, tt := range []struct {
		spec string
		env  map[string]string
		want string
	}{
		{"3", nil, "want K/N"},
		{"auto", nil, "want K/N"},
		{"", nil, "want K/N"},
		{"a/8", nil, "want K/N"},
		{"1/b", nil, "the number of shards N must be a whole number from 1 to 10000"},
		{"1/0", nil, "from 1 to 10000"},
		{"1/-2", nil, "from 1 to 10000"},
		{"1/10001", nil, "from 1 to 10000"},
		{"0/8", nil, "the shard number K must be from 1 to 8, not 0 (shards are numbered from 1; in a Kubernetes Indexed Job use auto/8)"},
		{"9/8", nil, "the shard number K must be from 1 to 8, not 9"},
		{"-1/8", nil, "the shard number K must be from 1 to 8, not -1"},
		{"auto/8", nil, "JOB_COMPLETION_INDEX is not set: Kubernetes sets it in the pods of an Indexed Job (completionMode: Indexed); elsewhere give the shard as K/8"},
		{"auto/8", map[string]string{"JOB_COMPLETION_INDEX": ""}, `JOB_COMPLETION_INDEX is "", not a whole number from 0 to 7`},
		{"auto/8", map[string]string{"JOB_COMPLETION_INDEX": "x"}, `JOB_COMPLETION_INDEX is "x", not a whole number from 0 to 7 (Kubernetes counts completion indexes from 0: index 0 is shard 1/8)`},
		{"auto/8", map[string]string{"JOB_COMPLETION_INDEX": "-1"}, `JOB_COMPLETION_INDEX is "-1"`},
		{"auto/8", map[string]string{"JOB_COMPLETION_INDEX": "8"}, "JOB_COMPLETION_INDEX is 8, but auto/8 has the indexes 0 to 7: the Job's completions must equal N (8)"},
		{"auto/0", map[string]string{"JOB_COMPLETION_INDEX": "0"}, "from 1 to 10000"},
	} {
		got, err := ParseShard(tt.spec, lookup(tt.env))
		if err == nil {
			t.Errorf("ParseShard(%q, %v) = %v, want an error", tt.spec, tt.env, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseShard(%q, %v): %v\nwant it to say %q", tt.spec, tt.env, err, tt.want)
		}
	}
}

func TestShardString(t *testing.T) {
	if got := (Shard{Index: 3, Count: 8}).String(); got != "3/8" {
		t.Errorf("String() = %q", got)
	}
	if (Shard{}).Sharded() {
		t.Error("the zero Shard is sharded")
	}
}

// The placement is part of the format: shards of one run may come from
// different builds, and merge checks every device against it. A change
// here moves devices between shards of runs already started.
func TestShardOfIsPinned(t *testing.T) {
	want := map[string][3]int{ // N = 2, 3, 8
		"sw1": {2, 2, 2}, "sw2": {2, 2, 2}, "core1": {1, 1, 5}, "core2": {1, 1, 6},
		"leaf1": {1, 1, 1}, "leaf2": {1, 1, 6}, "r1": {2, 3, 4}, "r2": {1, 3, 7},
		"r3": {2, 3, 6}, "r10": {1, 1, 1}, "r100": {2, 2, 2},
	}
	got := map[string][3]int{}
	for name := range want {
		got[name] = [3]int{ShardOf(name, 2), ShardOf(name, 3), ShardOf(name, 8)}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ShardOf moved hosts (-pinned +now):\n%s", diff)
	}
	if ShardOf("anything", 1) != 1 {
		t.Error("one shard has every host")
	}
}

func hostsNamed(prefix string, n int) []*hcl.Host {
	var hosts []*hcl.Host
	for i := 1; i <= n; i++ {
		hosts = append(hosts, &hcl.Host{Name: fmt.Sprintf("%s%d", prefix, i)})
	}
	return hosts
}

// Every host lands in exactly one shard, and each shard keeps the order
// the hosts were given in.
func TestShardSelectPartitions(t *testing.T) {
	hosts := hostsNamed("edge-", 500)
	for n := 1; n <= 9; n++ {
		seen := map[string]int{}
		for k := 1; k <= n; k++ {
			part := Shard{Index: k, Count: n}.Select(hosts)
			last := -1
			for _, h := range part {
				seen[h.Name]++
				var i int
				fmt.Sscanf(h.Name, "edge-%d", &i)
				if i <= last {
					t.Fatalf("N=%d shard %d: %s after edge-%d: order not kept", n, k, h.Name, last)
				}
				last = i
				if ShardOf(h.Name, n) != k {
					t.Fatalf("N=%d: shard %d selected %s, which ShardOf puts in %d", n, k, h.Name, ShardOf(h.Name, n))
				}
			}
		}
		if len(seen) != len(hosts) {
			t.Errorf("N=%d: %d of %d hosts in some shard", n, len(seen), len(hosts))
		}
		for name, c := range seen {
			if c != 1 {
				t.Errorf("N=%d: %s is in %d shards", n, name, c)
			}
		}
	}
	if got := (Shard{}).Select(hosts); len(got) != len(hosts) {
		t.Errorf("no shard selected %d of %d hosts", len(got), len(hosts))
	}
}

// Adding a host moves no other host; going from 8 to 9 shards moves only
// hosts the ninth shard takes, about 1/9 of them.
func TestShardStableUnderChange(t *testing.T) {
	hosts := hostsNamed("dc1-leaf", 2000)
	before := map[string]int{}
	for _, h := range hosts {
		before[h.Name] = ShardOf(h.Name, 8)
	}
	grown := append(hostsNamed("dc1-leaf", 2000), &hcl.Host{Name: "dc1-leaf-new"})
	moved := 0
	for k := 1; k <= 8; k++ {
		for _, h := range (Shard{Index: k, Count: 8}).Select(grown) {
			if b, ok := before[h.Name]; ok && b != k {
				moved++
			}
		}
	}
	if moved != 0 {
		t.Errorf("adding one host to 2000 moved %d others (want 0)", moved)
	}

	moved = 0
	for _, h := range hosts {
		if after := ShardOf(h.Name, 9); after != before[h.Name] {
			moved++
			if after != 9 {
				t.Errorf("%s moved from shard %d to %d, not to the new shard 9", h.Name, before[h.Name], after)
			}
		}
	}
	// 1/9 of 2000 is 222.
	if moved < 180 || moved > 270 {
		t.Errorf("going from 8 to 9 shards moved %d of 2000 hosts, want about 222", moved)
	}
}

// Shards are even, and names that differ in one character (the usual
// sw1, sw2, ...) are not placed together more than chance would.
func TestShardBalance(t *testing.T) {
	const hosts, n = 10000, 8
	count := make([]int, n+1)
	together := 0
	prev := 0
	for i := 1; i <= hosts; i++ {
		k := ShardOf(fmt.Sprintf("r%d", i), n)
		count[k]++
		if k == prev {
			together++
		}
		prev = k
	}
	for k := 1; k <= n; k++ {
		// 1250 each; a fair random placement stays within about 3 standard
		// deviations (33 hosts).
		if count[k] < 1150 || count[k] > 1350 {
			t.Errorf("shard %d/%d has %d of %d hosts, want about 1250", k, n, count[k], hosts)
		}
	}
	// Neighbours share a shard 1 time in 8 (1250 of 9999 pairs).
	if together < 1100 || together > 1400 {
		t.Errorf("%d of %d neighbouring names share a shard, want about 1250", together, hosts-1)
	}
}
