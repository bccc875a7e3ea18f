package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/runbook-dev/runbook/hcl"
)

const deployDir = "../../deploy/kubernetes"

// deployObjects are the manifests of deploy/kubernetes, each decoded
// strictly (a field Kubernetes does not have is an error, as `kubectl
// apply --validate=strict` makes it) into its k8s.io/api type.
type deployObjects struct {
	jobs  map[string]*batchv1.Job // by metadata.name
	pvcs  map[string]*corev1.PersistentVolumeClaim
	kust  *kustomization
	files map[string]string // manifest file of each object, "kind/name"
}

// kustomization is the part of kustomize's Kustomization the manifests
// use; decoded strictly too.
type kustomization struct {
	APIVersion         string   `json:"apiVersion"`
	Kind               string   `json:"kind"`
	Resources          []string `json:"resources"`
	ConfigMapGenerator []struct {
		Name  string   `json:"name"`
		Files []string `json:"files"`
	} `json:"configMapGenerator"`
	GeneratorOptions struct {
		DisableNameSuffixHash bool `json:"disableNameSuffixHash"`
	} `json:"generatorOptions"`
}

func readDeploy(t *testing.T) deployObjects {
	t.Helper()
	objs := deployObjects{jobs: map[string]*batchv1.Job{}, pvcs: map[string]*corev1.PersistentVolumeClaim{}, files: map[string]string{}}
	err := filepath.WalkDir(deployDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || (!strings.HasSuffix(path, ".yaml") && !strings.HasSuffix(path, ".yml")) {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(deployDir, path)
		for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(src), -1) {
			if strings.TrimSpace(regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(doc, "")) == "" {
				continue
			}
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return fmt.Errorf("%s, document %d: %v", rel, i+1, err)
			}
			var obj any
			var name func() string
			switch head.APIVersion + " " + head.Kind {
			case "batch/v1 Job":
				j := &batchv1.Job{}
				obj, name = j, func() string { objs.jobs[j.Name] = j; return j.Name }
			case "v1 PersistentVolumeClaim":
				p := &corev1.PersistentVolumeClaim{}
				obj, name = p, func() string { objs.pvcs[p.Name] = p; return p.Name }
			case "kustomize.config.k8s.io/v1beta1 Kustomization":
				k := &kustomization{}
				obj, name = k, func() string { objs.kust = k; return rel }
			default:
				return fmt.Errorf("%s, document %d: %s %s: the test does not know this kind; teach it", rel, i+1, head.APIVersion, head.Kind)
			}
			if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
				return fmt.Errorf("%s, document %d: %v", rel, i+1, err)
			}
			objs.files[head.Kind+"/"+name()] = rel
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func (o deployObjects) job(t *testing.T, name string) *batchv1.Job {
	t.Helper()
	j := o.jobs[name]
	if j == nil {
		t.Fatalf("deploy/kubernetes has no Job %q", name)
	}
	if len(j.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("Job %s: want one container", name)
	}
	return j
}

// flagArg is the value after flag in args ("" when absent).
func flagArg(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// mountedFrom says which volume of the pod holds path: the volume and the
// path inside it.
func mountedFrom(t *testing.T, spec corev1.PodSpec, path string) (corev1.Volume, string) {
	t.Helper()
	for _, m := range spec.Containers[0].VolumeMounts {
		if rest, ok := strings.CutPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/"); ok {
			for _, v := range spec.Volumes {
				if v.Name == m.Name {
					return v, rest
				}
			}
			t.Fatalf("mount %s names no volume", m.Name)
		}
	}
	t.Fatalf("%s is on no volume of the pod", path)
	return corev1.Volume{}, ""
}

// The manifests decode strictly into Kubernetes' own types and fit
// together and with runbook: the Job's N is its completions, its env
// names are the ones the playbook and the CLI read, the volumes hold the
// paths the arguments and the playbook name, the merge reads where the
// shards write.
func TestKubernetesManifests(t *testing.T) {
	objs := readDeploy(t)
	shards, merge := objs.job(t, "runbook-shards"), objs.job(t, "runbook-merge")

	// The kustomization lists every manifest beside it (the merge Job is
	// applied apart, later) and generates the ConfigMaps from files that
	// exist.
	k := objs.kust
	if k == nil {
		t.Fatal("no kustomization.yaml")
	}
	var beside []string
	for key, file := range objs.files {
		if !strings.Contains(file, "/") && !strings.HasPrefix(key, "Kustomization/") {
			beside = append(beside, file)
		}
	}
	sort.Strings(beside)
	if got := slices.Sorted(slices.Values(k.Resources)); !slices.Equal(got, beside) {
		t.Errorf("kustomization resources %v, want the manifests beside it: %v", got, beside)
	}
	if objs.files["Job/runbook-merge"] != filepath.Join("merge", "merge-job.yaml") {
		t.Errorf("the merge Job is in %s: keep it out of the kustomization, it runs after the shards", objs.files["Job/runbook-merge"])
	}
	generated := map[string][]string{} // ConfigMap name -> its keys
	for _, g := range k.ConfigMapGenerator {
		for _, f := range g.Files {
			if _, err := os.Stat(filepath.Join(deployDir, f)); err != nil {
				t.Errorf("configMapGenerator %s: %v", g.Name, err)
			}
			generated[g.Name] = append(generated[g.Name], filepath.Base(f))
		}
	}
	if !k.GeneratorOptions.DisableNameSuffixHash {
		t.Error("generated ConfigMap names must stay as the Job names them: disableNameSuffixHash")
	}

	// The shards: an Indexed Job whose N is its completions.
	spec := shards.Spec
	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion {
		t.Fatalf("runbook-shards: completionMode %v, want Indexed (it sets JOB_COMPLETION_INDEX)", spec.CompletionMode)
	}
	if spec.Completions == nil || spec.Parallelism == nil || *spec.Parallelism < 1 || *spec.Parallelism > *spec.Completions {
		t.Fatalf("runbook-shards: completions %v, parallelism %v", spec.Completions, spec.Parallelism)
	}
	n := int(*spec.Completions)
	pod := spec.Template.Spec
	c := pod.Containers[0]
	if c.Args[0] != "apply" || flagArg(c.Args, "--shard") != fmt.Sprintf("auto/%d", n) {
		t.Errorf("runbook-shards args %q: want apply ... --shard auto/%d (N = completions)", c.Args, n)
	}
	if pod.RestartPolicy != corev1.RestartPolicyNever || spec.BackoffLimitPerIndex == nil || *spec.BackoffLimitPerIndex != 0 {
		t.Errorf("runbook-shards: restartPolicy %q, backoffLimitPerIndex %v: a shard must never run twice", pod.RestartPolicy, spec.BackoffLimitPerIndex)
	}
	if spec.PodFailurePolicy == nil {
		t.Fatal("runbook-shards: no podFailurePolicy")
	}
	actions := map[int32]batchv1.PodFailurePolicyAction{}
	for _, r := range spec.PodFailurePolicy.Rules {
		if r.OnExitCodes == nil || r.OnExitCodes.ContainerName == nil || *r.OnExitCodes.ContainerName != c.Name || r.OnExitCodes.Operator != batchv1.PodFailurePolicyOnExitCodesOpIn {
			t.Errorf("podFailurePolicy rule %+v: want onExitCodes In for container %s", r, c.Name)
			continue
		}
		for _, v := range r.OnExitCodes.Values {
			actions[v] = r.Action
		}
	}
	want := map[int32]batchv1.PodFailurePolicyAction{exitInvalid: batchv1.PodFailurePolicyActionFailJob, exitFailed: batchv1.PodFailurePolicyActionFailIndex, exitInterrupted: batchv1.PodFailurePolicyActionFailIndex}
	if !equalMaps(actions, want) {
		t.Errorf("podFailurePolicy by exit code %v, want %v", actions, want)
	}

	// Environment: credentials from the Secret under the names the
	// playbook's env() reads, nothing the CLI does not read.
	playbookArg := c.Args[len(c.Args)-1]
	vol, key := mountedFrom(t, pod, playbookArg)
	if vol.ConfigMap == nil || !slices.Contains(generated[vol.ConfigMap.Name], key) {
		t.Fatalf("the playbook %s is not in a generated ConfigMap (%+v, key %s)", playbookArg, vol.VolumeSource, key)
	}
	localPlaybook := filepath.Join(deployDir, "playbook", key)
	read := map[string]bool{}
	p, diags := hcl.Load([]string{localPlaybook}, hcl.WithStepKinds(stepKinds()), hcl.WithEnv(func(name string) (string, bool) {
		read[name] = true
		if strings.HasPrefix(name, "RUNBOOK_VAR_") {
			return "", false // the playbook's defaults
		}
		return "a-long-enough-value", true
	}))
	if diags.HasErrors() {
		t.Fatalf("%s: %v", localPlaybook, diags)
	}
	cliReads := map[string]bool{"RUNBOOK_LOG": true, "NO_COLOR": true, "JOB_COMPLETION_INDEX": true}
	var secretKeys []string
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			if !read[e.Name] || ref.Name != "runbook-credentials" || ref.Key != e.Name {
				t.Errorf("env %s from Secret %s key %s: want a variable the playbook reads, from runbook-credentials under its own name", e.Name, ref.Name, ref.Key)
			}
			secretKeys = append(secretKeys, ref.Key)
		case cliReads[e.Name]:
			if e.Name == "RUNBOOK_LOG" {
				if _, err := newLogger(io.Discard, e.Value); err != nil {
					t.Errorf("env RUNBOOK_LOG=%q: %v", e.Value, err)
				}
			}
		default:
			t.Errorf("env %s: neither the playbook nor the CLI reads it", e.Name)
		}
	}
	if diff := cmpStrings([]string{"RUNBOOK_USERNAME", "RUNBOOK_PASSWORD", "RUNBOOK_SECRET"}, secretKeys); diff != "" {
		t.Errorf("credentials from the Secret: %s", diff)
	}
	// The Secret docs/scale.md creates has those keys.
	doc := readDoc(t, "scale.md")
	create := regexp.MustCompile(`kubectl create secret generic runbook-credentials(?:[^\n]*\\\n)*[^\n]*`).FindString(doc)
	for _, key := range secretKeys {
		if !strings.Contains(create, "--from-literal="+key+"=") {
			t.Errorf("docs/scale.md creates the Secret without %s: %q", key, create)
		}
	}

	// known_hosts: the file the playbook names is the ConfigMap's.
	for _, h := range p.Inventory.Hosts {
		vol, key := mountedFrom(t, pod, h.KnownHostsFile)
		if vol.ConfigMap == nil || !slices.Contains(generated[vol.ConfigMap.Name], key) || h.HostKeyCheck != hcl.HostKeyStrict {
			t.Errorf("%s: known_hosts_file %s (%s) is not a generated ConfigMap's, or host keys are not checked", h.Name, h.KnownHostsFile, h.HostKeyCheck)
		}
	}

	// Reports: one per shard on the claimed volume; the merge reads that
	// directory and writes beside it.
	report := flagArg(c.Args, "--json")
	if !strings.Contains(report, "$(JOB_COMPLETION_INDEX)") {
		t.Errorf("--json %s: shards would overwrite each other's report", report)
	}
	shardVol, shardPath := mountedFrom(t, pod, report)
	mc := merge.Spec.Template.Spec.Containers[0]
	if len(mc.Args) < 3 || mc.Args[0] != "report" || mc.Args[1] != "merge" {
		t.Fatalf("runbook-merge args %q: want report merge ...", mc.Args)
	}
	input := mc.Args[len(mc.Args)-1]
	mergeVol, inputPath := mountedFrom(t, merge.Spec.Template.Spec, input)
	if shardVol.PersistentVolumeClaim == nil || mergeVol.PersistentVolumeClaim == nil ||
		shardVol.PersistentVolumeClaim.ClaimName != mergeVol.PersistentVolumeClaim.ClaimName ||
		objs.pvcs[shardVol.PersistentVolumeClaim.ClaimName] == nil {
		t.Fatalf("the shards write to %+v, the merge reads %+v: want one claim of deploy/kubernetes", shardVol.VolumeSource, mergeVol.VolumeSource)
	}
	if filepath.Dir(shardPath) != inputPath {
		t.Errorf("the shards write into %s, the merge reads %s", filepath.Dir(shardPath), inputPath)
	}
	pvc := objs.pvcs[shardVol.PersistentVolumeClaim.ClaimName]
	if !slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteMany) {
		t.Errorf("PVC %s: access modes %v; the shards' pods share it from several nodes: ReadWriteMany", pvc.Name, pvc.Spec.AccessModes)
	}
	for _, out := range []string{flagArg(mc.Args, "--json"), flagArg(mc.Args, "--junit")} {
		if _, rest := mountedFrom(t, merge.Spec.Template.Spec, out); out == "" || strings.HasPrefix(rest, inputPath+"/") {
			t.Errorf("merged report %q: want it on the volume, outside the shards' directory", out)
		}
	}
	if merge.Spec.BackoffLimit == nil || *merge.Spec.BackoffLimit != 0 {
		t.Errorf("runbook-merge: backoffLimit %v: exit 1 is an answer, never retry it", merge.Spec.BackoffLimit)
	}

	// One image, the one docs/scale.md builds; the user the Dockerfile
	// runs as.
	build := regexp.MustCompile(`(?m)^docker build -t (\S+) \.$`).FindStringSubmatch(doc)
	if build == nil {
		t.Fatal("docs/scale.md shows no `docker build -t IMAGE .`")
	}
	for _, j := range []*batchv1.Job{shards, merge} {
		ps := j.Spec.Template.Spec
		if ps.Containers[0].Image != build[1] {
			t.Errorf("Job %s runs image %s, docs/scale.md builds %s", j.Name, ps.Containers[0].Image, build[1])
		}
		if ps.SecurityContext == nil || ps.SecurityContext.RunAsUser == nil || *ps.SecurityContext.RunAsUser != 65532 {
			t.Errorf("Job %s: runAsUser is not 65532, the image's user (the shards' and the merge's files are 0600)", j.Name)
		}
	}
}

func equalMaps[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func cmpStrings(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	return fmt.Sprintf("got %q, want %q", got, want)
}

// The Jobs' own arguments, run in-process against the lab: every shard
// with its completion index, then the merge, paths in the pod mapped to a
// temporary directory.
func TestKubernetesJobArgsRunOnTheLab(t *testing.T) {
	objs := readDeploy(t)
	shards, merge := objs.job(t, "runbook-shards"), objs.job(t, "runbook-merge")
	root := t.TempDir()
	playbookDir := filepath.Join(root, "etc/runbook/playbook")
	if err := os.MkdirAll(playbookDir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(deployDir, "playbook", "ntp.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(playbookDir, "ntp.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	podPath := func(arg, index string) string {
		arg = strings.ReplaceAll(arg, "$(JOB_COMPLETION_INDEX)", index)
		if strings.HasPrefix(arg, "/") {
			return filepath.Join(root, arg)
		}
		return arg
	}
	n := int(*shards.Spec.Completions)
	args := shards.Spec.Template.Spec.Containers[0].Args
	for i := range n {
		t.Setenv("JOB_COMPLETION_INDEX", fmt.Sprint(i))
		var run []string
		for _, a := range args {
			run = append(run, podPath(a, fmt.Sprint(i)))
		}
		// The lab stands in for the devices; backups go under root.
		run = append([]string{run[0], "--lab", "--quiet", "--var", "backup_dir=" + filepath.Join(root, "backups")}, run[1:]...)
		if code, out, errOut := runCLI(t, run...); code != exitOK {
			t.Fatalf("shard %d/%d: %q: exit %d\n%s%s", i+1, n, run, code, out, errOut)
		}
	}
	var run []string
	for _, a := range merge.Spec.Template.Spec.Containers[0].Args {
		run = append(run, podPath(a, ""))
	}
	code, out, errOut := runCLI(t, run...)
	if code != exitOK || !strings.Contains(out, "6 devices: 6 passed") {
		t.Fatalf("merge %q: exit %d\n%s%s", run, code, out, errOut)
	}
	var merged struct {
		Devices []json.RawMessage `json:"devices"`
	}
	b, err := os.ReadFile(flagArg(run, "--json"))
	if err != nil || json.Unmarshal(b, &merged) != nil || len(merged.Devices) != 6 {
		t.Errorf("merged report: %v, %d devices", err, len(merged.Devices))
	}
	if _, err := os.Stat(flagArg(run, "--junit")); err != nil {
		t.Errorf("merged JUnit: %v", err)
	}
}

// The Dockerfile builds runbook as a static binary (CGO_ENABLED=0) with
// the Go of go.mod, and runs it as the user the Jobs run as; its build
// command is one `go build` accepts.
func TestDockerfile(t *testing.T) {
	src, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	var froms, runs, copies []string
	var user, entrypoint string
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		instr, rest, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		switch instr {
		case "FROM":
			froms = append(froms, rest)
		case "RUN":
			runs = append(runs, rest)
		case "COPY":
			copies = append(copies, rest)
		case "USER":
			user = rest
		case "ENTRYPOINT":
			entrypoint = rest
		}
	}
	if len(froms) != 2 || froms[0] != "golang:"+string(goVersion[1])+" AS build" {
		t.Errorf("FROM %q: want a build stage on golang:%s (go.mod's Go) and one final stage", froms, goVersion[1])
	}
	if len(froms) > 0 && !strings.HasPrefix(froms[len(froms)-1], "gcr.io/distroless/static") && froms[len(froms)-1] != "scratch" {
		t.Errorf("final stage FROM %s: want distroless static or scratch", froms[len(froms)-1])
	}
	var build string
	for _, r := range runs {
		if strings.Contains(r, "go build") {
			build = r
		}
	}
	words, _, err := shellWords(strings.ReplaceAll(build, "${VERSION}", "test"))
	if err != nil || len(words) < 4 || words[0] != "CGO_ENABLED=0" || words[1] != "go" || words[2] != "build" || words[len(words)-1] != "./cmd/runbook" {
		t.Fatalf("RUN %q: want CGO_ENABLED=0 go build ... ./cmd/runbook", build)
	}
	out := flagArg(words, "-o")
	if !slices.Contains(copies, "--from=build "+out+" /usr/local/bin/runbook") || entrypoint != `["/usr/local/bin/runbook"]` {
		t.Errorf("COPY %q, ENTRYPOINT %s: want the binary %s at /usr/local/bin/runbook as the entrypoint", copies, entrypoint, out)
	}
	if user != "65532:65532" {
		t.Errorf("USER %q, want 65532:65532 (distroless nonroot, the Jobs' runAsUser)", user)
	}
	// `go build -n` plans the build without running it: the flags and the
	// package are right.
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go on PATH")
	}
	args := []string{"build", "-n"}
	for i := 3; i < len(words); i++ {
		if words[i] == "-o" {
			i++
			args = append(args, "-o", filepath.Join(t.TempDir(), "runbook"))
			continue
		}
		args = append(args, words[i])
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go build -n: %v\n%s", err, b)
	}
}
