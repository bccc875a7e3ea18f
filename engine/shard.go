package engine

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/runbook-dev/runbook/hcl"
)

// MaxShards bounds N in --shard K/N. Placing a host costs one hash per
// shard, so N is kept to what a scheduler runs (Kubernetes allows 100,000
// completions; nobody shards a fleet run that finely).
const MaxShards = 10000

// ShardIndexEnv is the environment variable --shard auto/N reads K from:
// Kubernetes sets it, from 0, in every pod of an Indexed Job.
const ShardIndexEnv = "JOB_COMPLETION_INDEX"

// Shard is one part of a partition of the selected hosts: shard Index of
// Count, Index from 1. The zero Shard means no sharding.
type Shard struct {
	Index int // K, from 1 to Count
	Count int // N
}

// Sharded reports whether s is a shard at all (--shard was given).
func (s Shard) Sharded() bool { return s.Count > 0 }

func (s Shard) String() string { return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count) }

// ParseShard reads a --shard value: "K/N" (shard K of N, K from 1) or
// "auto/N", which takes K from JOB_COMPLETION_INDEX (read with lookupEnv)
// plus one, since Kubernetes counts completion indexes from 0.
func ParseShard(spec string, lookupEnv func(string) (string, bool)) (Shard, error) {
	const want = "want K/N, shard K of N with K from 1 to N (e.g. 2/8), or auto/N to take K from " + ShardIndexEnv + " as a Kubernetes Indexed Job sets it"
	k, n, ok := strings.Cut(strings.TrimSpace(spec), "/")
	if !ok {
		return Shard{}, errors.New(want)
	}
	k, n = strings.TrimSpace(k), strings.TrimSpace(n)
	count, err := strconv.Atoi(n)
	if err != nil || count < 1 || count > MaxShards {
		return Shard{}, fmt.Errorf("the number of shards N must be a whole number from 1 to %d; %s", MaxShards, want)
	}
	if k == "auto" {
		v, ok := lookupEnv(ShardIndexEnv)
		if !ok {
			return Shard{}, fmt.Errorf("%s is not set: Kubernetes sets it in the pods of an Indexed Job (completionMode: Indexed); elsewhere give the shard as K/%d, K from 1 to %d", ShardIndexEnv, count, count)
		}
		idx, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || idx < 0 {
			return Shard{}, fmt.Errorf("%s is %q, not a whole number from 0 to %d (Kubernetes counts completion indexes from 0: index 0 is shard 1/%d)", ShardIndexEnv, v, count-1, count)
		}
		if idx >= count {
			return Shard{}, fmt.Errorf("%s is %d, but auto/%d has the indexes 0 to %d: the Job's completions must equal N (%d)", ShardIndexEnv, idx, count, count-1, count)
		}
		return Shard{Index: idx + 1, Count: count}, nil
	}
	index, err := strconv.Atoi(k)
	if err != nil {
		return Shard{}, errors.New(want)
	}
	if index < 1 || index > count {
		return Shard{}, fmt.Errorf("the shard number K must be from 1 to %d, not %d (shards are numbered from 1; in a Kubernetes Indexed Job use auto/%d)", count, index, count)
	}
	return Shard{Index: index, Count: count}, nil
}

// Select returns the hosts of this shard, in the order given. A zero Shard
// selects every host.
func (s Shard) Select(hosts []*hcl.Host) []*hcl.Host {
	if !s.Sharded() {
		return hosts
	}
	var out []*hcl.Host
	for _, h := range hosts {
		if ShardOf(h.Name, s.Count) == s.Index {
			out = append(out, h)
		}
	}
	return out
}

// ShardOf places a host name in one of count shards (1 to count) by
// rendezvous hashing (highest random weight): every shard scores the name
// and the highest score wins. The shard depends on the name and count
// alone, so every process of a sharded run agrees without talking to the
// others, adding or removing a host moves no other host, and going from N
// to N+1 shards moves only the hosts the new shard wins (about 1/(N+1) of
// them). The score is FNV-1a (64 bits) of the name, combined with the
// shard's number through SplitMix64's finalizer. It must never change:
// the shards of one run may come from different builds, and merge checks
// every device against it.
func ShardOf(name string, count int) int {
	h := fnv1a64(name)
	best, bestScore := 1, uint64(0)
	for k := 1; k <= count; k++ {
		score := mix64(h ^ mix64(uint64(k)))
		if k == 1 || score > bestScore {
			best, bestScore = k, score
		}
	}
	return best
}

func fnv1a64(s string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= prime
	}
	return h
}

// mix64 is SplitMix64's output function: every input bit affects every
// output bit.
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
