package lab

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ParseFaults reads faults written as comma-separated key=value pairs, as
// the CLI takes them: "latency=20ms,drop_after=5,drop_mid_output". Boolean
// faults may stand alone. Regex values cannot contain commas.
func ParseFaults(spec string) (Faults, error) {
	var f Faults
	if err := f.Set(spec); err != nil {
		return Faults{}, err
	}
	return f, nil
}

// Set applies the faults of spec (as ParseFaults reads them) on top of f,
// leaving the faults spec does not name as they are. On error f is
// unchanged.
func (f *Faults) Set(spec string) error {
	next, err := f.with(spec)
	if err != nil {
		return err
	}
	*f = next
	return nil
}

func (base Faults) with(spec string) (Faults, error) {
	f := base
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, val, hasVal := strings.Cut(part, "=")
		key = strings.TrimSpace(key)
		val = strings.TrimSpace(val)
		var err error
		switch key {
		case "latency":
			f.Latency, err = time.ParseDuration(val)
		case "chunk_latency":
			f.ChunkLatency, err = time.ParseDuration(val)
		case "banner_delay":
			f.BannerDelay, err = time.ParseDuration(val)
		case "chunk_size":
			f.ChunkSize, err = strconv.Atoi(val)
		case "drop_after":
			f.DropAfter, err = strconv.Atoi(val)
		case "pager_lines":
			f.PagerLines, err = strconv.Atoi(val)
		case "auth_fail":
			f.AuthFail, err = parseFaultBool(val, hasVal)
		case "refuse":
			f.Refuse, err = parseFaultBool(val, hasVal)
		case "refuse_first":
			f.RefuseFirst, err = strconv.Atoi(val)
			if err == nil && f.RefuseFirst < 0 {
				err = fmt.Errorf("must be 0 or more")
			}
		case "drop_mid_output":
			f.DropMidOutput, err = parseFaultBool(val, hasVal)
		case "no_hangup_on_exit":
			f.NoHangupOnExit, err = parseFaultBool(val, hasVal)
		case "minute":
			f.Minute, err = time.ParseDuration(val)
			if err == nil && f.Minute <= 0 {
				err = fmt.Errorf("must be positive")
			}
		case "hang":
			f.Hang, err = val, checkRegex(val)
		case "reject_config":
			f.RejectConfig, err = val, checkRegex(val)
		default:
			return Faults{}, fmt.Errorf("unknown fault %q (want latency, chunk_latency, chunk_size, banner_delay, auth_fail, refuse, refuse_first, drop_after, drop_mid_output, hang, reject_config, pager_lines, no_hangup_on_exit or minute)", key)
		}
		if err != nil {
			return Faults{}, fmt.Errorf("fault %s: %v", key, err)
		}
	}
	return f, nil
}

func parseFaultBool(val string, hasVal bool) (bool, error) {
	if !hasVal {
		return true, nil
	}
	return strconv.ParseBool(val)
}

func checkRegex(val string) error {
	if val == "" {
		return fmt.Errorf("needs a regular expression")
	}
	_, err := regexp.Compile(val)
	return err
}
