package main

import (
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/runbook-dev/runbook/engine"
	"github.com/runbook-dev/runbook/engine/report"
	"github.com/runbook-dev/runbook/hcl"
)

// shardFlags are --shard and --rollout-per-shard, for every command that
// runs a playbook on a fleet (apply and check; an audit command would
// register them too).
type shardFlags struct {
	spec            string
	rolloutPerShard bool
	shard           engine.Shard // parsed by parse
}

func (f *shardFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.spec, "shard", "", "run only shard K of N of the selected hosts (after --limit; a host's shard is a rendezvous hash of its name): K/N with K from 1 to N, or auto/N to take K from "+engine.ShardIndexEnv+" (plus one) as a Kubernetes Indexed Job sets it; merge the shards' --json reports with `runbook report merge` (see docs/scale.md)")
	fl.BoolVar(&f.rolloutPerShard, "rollout-per-shard", false, "with --shard, run a rollout block's batches within each shard: shards run at the same time, so each has its own canary and a failure stops only its own shard's batches (without this flag, --shard refuses a rollout that makes batches)")
}

// parse reads --shard (auto/N from the environment). It runs before the
// playbook is read, so a bad value is a usage error before anything else.
func (f *shardFlags) parse() error {
	if f.spec == "" {
		if f.rolloutPerShard {
			return fmt.Errorf("--rollout-per-shard needs --shard")
		}
		return nil
	}
	s, err := engine.ParseShard(f.spec, os.LookupEnv)
	if err != nil {
		return fmt.Errorf("--shard %q: %w", f.spec, err)
	}
	f.shard = s
	return nil
}

// selectShard narrows the selected hosts (after --limit) to this shard's,
// says so on stderr, and returns what the JSON report records of the
// shard; without --shard it returns the hosts as they are and no info. A
// rollout that would run the selected hosts in batches is refused unless
// --rollout-per-shard says batches per shard are what is wanted.
func (f *shardFlags) selectShard(stderr io.Writer, pb *hcl.Playbook, selected []*hcl.Host) ([]*hcl.Host, *report.ShardInfo, error) {
	s := f.shard
	if !s.Sharded() {
		return selected, nil, nil
	}
	if err := checkShardRollout(s, pb.Rollout, len(selected), f.rolloutPerShard); err != nil {
		return nil, nil, err
	}
	hosts := s.Select(selected)
	names := make([]string, len(selected))
	for i, h := range selected {
		names[i] = h.Name
	}
	fmt.Fprintf(stderr, "shard %s: %d of the %d selected hosts\n", s, len(hosts), len(selected))
	return hosts, &report.ShardInfo{Shard: s, Selected: names}, nil
}

// checkShardRollout refuses --shard with a rollout block that splits the
// selected hosts into batches, unless perShard is set. Shards run at the
// same time and know nothing of each other: a canary batch would run in
// every shard at once, and a failure would stop only its own shard.
func checkShardRollout(s engine.Shard, ro *hcl.Rollout, selected int, perShard bool) error {
	if perShard || s.Count < 2 {
		return nil
	}
	batches := len(ro.Batches(selected))
	if batches < 2 {
		return nil
	}
	serial := make([]string, len(ro.Serial))
	for i, b := range ro.Serial {
		serial[i] = b.String()
		if b.Percent > 0 {
			serial[i] = `"` + serial[i] + `"`
		}
	}
	return fmt.Errorf("--shard %s: the rollout block (serial = [%s] at %s:%d) runs the %d selected hosts in %d batches, "+
		"but shards run at the same time and do not see each other's failures: each of the %d shards would run its own batches, "+
		"its own canary first, and a failure in one shard would not stop the others.\n"+
		"Run the canary unsharded first (--limit), then the rest sharded; or pass --rollout-per-shard to run the batches "+
		"within each shard (percentages of the shard's hosts, max_fail_percentage per shard). See docs/scale.md",
		s, strings.Join(serial, ", "), ro.DeclRange.Filename, ro.DeclRange.Start.Line, selected, batches, s.Count)
}

// shardLabFaults checks --lab-fault flags against every selected host, as
// an unsharded run does (a pattern that matches no selected host is an
// error in every shard alike), and keeps those that match a host of this
// shard: a shard without sw2 simply has no sw2 to break.
func shardLabFaults(selected, shard []*hcl.Host, flags []string) ([]string, error) {
	if _, err := labFaults(selected, flags); err != nil {
		return nil, err
	}
	var out []string
	for _, fl := range flags {
		pattern, _, _ := strings.Cut(fl, ":")
		for _, h := range shard {
			if ok, _ := path.Match(pattern, h.Name); ok {
				out = append(out, fl)
				break
			}
		}
	}
	return out, nil
}
