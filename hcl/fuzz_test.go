package hcl_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/runbook-dev/runbook/hcl"
)

// FuzzLoad feeds arbitrary playbooks (and a YAML inventory they may
// import as "devices.yaml") to the loader: it must never panic, must
// always return the files, and every diagnostic must have a subject.
func FuzzLoad(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"../playbooks/*.hcl", "testdata/invalid/*.hcl"} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, paths...)
	}
	if len(seeds) == 0 {
		f.Fatal("no seed playbooks")
	}
	for _, p := range seeds {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src, []byte(nil))
	}
	yml, err := os.ReadFile("testdata/invalid/yaml_import.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`inventory { file = "devices.yaml" }`), yml)

	f.Fuzz(func(t *testing.T, src, yaml []byte) {
		files := map[string]string{"p.hcl": string(src), "devices.yaml": string(yaml)}
		pb, diags := hcl.Load([]string{"p.hcl"},
			hcl.WithStepKinds(kinds()), hcl.WithEnv(noEnv), memFiles(files),
			hcl.WithVars(map[string]string{"ntp_servers": `["10.0.0.1"]`}))
		if pb == nil || pb.Files["p.hcl"] == nil {
			t.Fatal("Load returned no files")
		}
		for _, d := range diags {
			if d.Subject == nil {
				t.Fatalf("diagnostic without subject: %s", d.Error())
			}
		}
		hcl.WriteDiagnostics(io.Discard, diags, pb.Files, true)
		if !diags.HasErrors() {
			for _, h := range pb.Inventory.Hosts {
				pb.HostContext(h, nil)
			}
		}
	})
}
