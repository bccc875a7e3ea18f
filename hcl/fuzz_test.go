package hcl_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
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
	// The loader limits: nesting just over the limit, text that is not
	// UTF-8, aliases that expand too far.
	f.Add([]byte("locals { a = "+strings.Repeat("[", 120)+strings.Repeat("]", 120)+" }\n"), []byte(nil))
	f.Add([]byte("locals { a = \"${\"%{ if true }${1 + -2}%{ endif }\"}\"\n b = <<EOT\n${<<EOT\nx\nEOT\n}\nEOT\n}\n"), []byte(nil))
	f.Add([]byte("locals { a = \"\xff\" }\n"), []byte(nil))
	f.Add([]byte(`inventory { file = "devices.yaml" }`), []byte(billionLaughs(6)))
	f.Add([]byte(`inventory { file = "devices.yaml" }`), []byte("devices:\n  - &d {host: 192.0.2.1, device_type: cisco_ios, vars: &v {a: [*v]}}\n  - *d\n"))

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

// FuzzYAMLImport feeds arbitrary device lists to the inventory import
// of a fixed playbook: it must never panic, and every diagnostic must
// have a subject.
func FuzzYAMLImport(f *testing.F) {
	for _, p := range []string{"testdata/invalid/yaml_import.yaml"} {
		yml, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(yml)
	}
	f.Add([]byte("routers:\n  - {host: 10.0.0.2, device_type: arista_eos, name: r2, port: 2222, tags: [a, b], vars: {site: ams, n: [1, 2]}}\n"))
	f.Add([]byte(billionLaughs(4)))
	f.Add([]byte(aliasFanOut(50, 5)))
	f.Add([]byte("devices:\n  - host: 192.0.2.1\n    device_type: cisco_ios\n    vars: &v {self: *v}\n"))
	const playbook = `
settings { allow_plaintext_secrets = true }
inventory {
  defaults { username = "netops" }
  file = "devices.yaml"
}
`
	f.Fuzz(func(t *testing.T, yml []byte) {
		files := map[string]string{"p.hcl": playbook, "devices.yaml": string(yml)}
		pb, diags := hcl.Load([]string{"p.hcl"}, hcl.WithStepKinds(kinds()), hcl.WithEnv(noEnv), memFiles(files))
		if pb == nil || len(diags) > 51 {
			t.Fatalf("Load returned %v and %d diagnostics", pb, len(diags))
		}
		for _, d := range diags {
			if d.Subject == nil {
				t.Fatalf("diagnostic without subject: %s", d.Error())
			}
		}
		hcl.WriteDiagnostics(io.Discard, diags, pb.Files, true)
	})
}
