package ops

import (
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const repo = "../.."

// instruction is one Dockerfile instruction: its keyword (upper case) and
// its arguments, continuation lines joined.
type instruction struct {
	cmd  string
	args string
}

// dockerfileStages parses the Dockerfile into its build stages, comments
// dropped. Instructions before the first FROM (global ARGs) are left out.
func dockerfileStages(t *testing.T) [][]instruction {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]instruction
	var cur strings.Builder
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue // comments may sit between continuation lines too
		}
		if s, ok := strings.CutSuffix(l, "\\"); ok {
			cur.WriteString(s)
			continue
		}
		cur.WriteString(l)
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			continue
		}
		cmd, args, _ := strings.Cut(line, " ")
		in := instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], in)
		}
	}
	if len(stages) == 0 {
		t.Fatal("Dockerfile has no FROM")
	}
	return stages
}

// last returns the arguments of the last instruction cmd of a stage.
func last(stage []instruction, cmd string) (string, bool) {
	args, found := "", false
	for _, in := range stage {
		if in.cmd == cmd {
			args, found = in.args, true
		}
	}
	return args, found
}

// envValue returns the value an ENV instruction of the stage gives name.
func envValue(stage []instruction, name string) string {
	value := ""
	for _, in := range stage {
		if in.cmd != "ENV" {
			continue
		}
		for _, kv := range strings.Fields(in.args) {
			if k, v, ok := strings.Cut(kv, "="); ok && k == name {
				value = strings.Trim(v, `"`)
			}
		}
	}
	return value
}

// copyDest returns the destination of the stage's COPY whose last source
// is src (with or without --from).
func copyDest(stage []instruction, src string) (string, bool) {
	for _, in := range stage {
		if in.cmd != "COPY" {
			continue
		}
		f := strings.Fields(in.args)
		if len(f) >= 2 && f[len(f)-2] == src {
			return f[len(f)-1], true
		}
	}
	return "", false
}

// dockerConfig is what the registry reads from config.docker.yml.
type dockerConfig struct {
	PackagePaths []string `yaml:"package_paths"`
}

// TestDockerfileRequirements checks properties the operators' promises
// (README, docs/operations.md "Container image") follow from, rather than
// the Dockerfile's wording: the registry runs as a non-root numeric user,
// listens on every interface of the exposed port, reads config.docker.yml
// from its working directory, finds its packages folder, and the binary it
// starts is the static one the builder stage made.
func TestDockerfileRequirements(t *testing.T) {
	stages := dockerfileStages(t)
	if len(stages) < 2 {
		t.Fatalf("%d stages: the runner image should not carry the Go toolchain", len(stages))
	}
	final := stages[len(stages)-1]

	t.Run("non-root numeric user", func(t *testing.T) {
		// Kubernetes' runAsNonRoot can only verify a numeric user, and
		// mounted packages must be readable by the UID operators were told.
		user, ok := last(final, "USER")
		if !ok {
			t.Fatal("the final stage runs as root (no USER)")
		}
		if uid, err := strconv.Atoi(user); err != nil || uid != 1000 {
			t.Errorf("final USER is %q, want the numeric UID 1000 the docs promise", user)
		}
	})

	t.Run("address matches EXPOSE", func(t *testing.T) {
		addr := envValue(final, "EPR_ADDRESS")
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatalf("EPR_ADDRESS %q: %v", addr, err)
		}
		if host != "0.0.0.0" && host != "" {
			t.Errorf("EPR_ADDRESS host %q: the registry would not be reachable from outside the container", host)
		}
		exposed, _ := last(final, "EXPOSE")
		found := false
		for _, p := range strings.Fields(exposed) {
			found = found || strings.TrimSuffix(p, "/tcp") == port
		}
		if !found {
			t.Errorf("EXPOSE %q does not include EPR_ADDRESS's port %s", exposed, port)
		}
	})

	t.Run("config and packages", func(t *testing.T) {
		workdir, _ := last(final, "WORKDIR")
		// The registry reads config.yml from its working directory unless
		// -config says otherwise, and the entrypoint passes no -config.
		dest, ok := copyDest(final, "config.docker.yml")
		if !ok {
			t.Fatal("config.docker.yml is not copied into the image")
		}
		if path.Join(workdir, "config.yml") != path.Clean(dest) {
			t.Errorf("config.docker.yml lands at %s, but the registry reads %s", dest, path.Join(workdir, "config.yml"))
		}
		b, err := os.ReadFile(filepath.Join(repo, "config.docker.yml"))
		if err != nil {
			t.Fatal(err)
		}
		var cfg dockerConfig
		if err := yaml.Unmarshal(b, &cfg); err != nil {
			t.Fatal(err)
		}
		if len(cfg.PackagePaths) == 0 {
			t.Fatal("config.docker.yml has no package_paths")
		}
		// Every package path must exist in the image even without a
		// mount, or the registry refuses to start.
		var runs strings.Builder
		for _, in := range final {
			if in.cmd == "RUN" {
				runs.WriteString(in.args + "\n")
			}
		}
		for _, p := range cfg.PackagePaths {
			if !strings.Contains(runs.String(), "mkdir -p "+p) {
				t.Errorf("package path %s is not created in the image", p)
			}
		}
	})

	t.Run("entrypoint is the static builder binary", func(t *testing.T) {
		workdir, _ := last(final, "WORKDIR")
		entry, _ := last(final, "ENTRYPOINT")
		entry = strings.Trim(entry, `[]" `)
		entry, _, _ = strings.Cut(entry, `"`)
		binary := path.Join(workdir, entry)
		var built string
		for _, in := range stages[0] {
			if in.cmd != "RUN" || !strings.Contains(in.args, "go build") {
				continue
			}
			// The runner base may have no libc: only a CGO_ENABLED=0
			// build is sure to run there.
			if !strings.Contains(in.args, "CGO_ENABLED=0") {
				t.Errorf("the builder's go build is not static: %s", in.args)
			}
			if _, after, ok := strings.Cut(in.args, " -o "); ok {
				built = strings.Fields(after)[0]
			}
		}
		if built == "" {
			t.Fatal("no go build -o in the builder stage")
		}
		dest, ok := copyDest(final, built)
		if !ok {
			t.Fatalf("the builder's %s is not copied into the final stage", built)
		}
		if path.Clean(dest) != binary {
			t.Errorf("ENTRYPOINT runs %s, the binary is copied to %s", binary, dest)
		}
	})
}

// TestDockerignoreKeepsBuildInputs checks that the build context holds
// every file `go build .` needs (so the image builds) and leaves the
// repository history out (so it stays small).
func TestDockerignoreKeepsBuildInputs(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repo, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, l)
		}
	}

	cmd := exec.Command("go", "list", "-deps", "-f",
		`{{if .Module}}{{if .Module.Main}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}{{"\n"}}{{end}}{{end}}{{end}}`, ".")
	cmd.Dir = repo
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := filepath.Abs(repo)
	if err != nil {
		t.Fatal(err)
	}
	needed := []string{"go.mod", "go.sum", "config.docker.yml"}
	for _, f := range strings.Fields(string(out)) {
		rel, err := filepath.Rel(root, f)
		if err != nil {
			t.Fatal(err)
		}
		needed = append(needed, filepath.ToSlash(rel))
	}
	if len(needed) < 10 {
		t.Fatalf("go list found only %v", needed)
	}
	for _, f := range needed {
		if p, ok := ignored(patterns, f); ok {
			t.Errorf(".dockerignore pattern %q leaves out %s, which the build needs", p, f)
		}
	}
	if _, ok := ignored(patterns, ".git/HEAD"); !ok {
		t.Error(".dockerignore sends the repository history (.git) to the build")
	}
}

// ignored reports the .dockerignore pattern that excludes file, matching
// the file and each of its parent folders the way Docker does for the
// patterns used here ("**/" matches any number of folders; no "!").
func ignored(patterns []string, file string) (string, bool) {
	elems := strings.Split(file, "/")
	for i := 1; i <= len(elems); i++ {
		prefix := strings.Join(elems[:i], "/")
		for _, p := range patterns {
			if matchIgnore(p, prefix) {
				return p, true
			}
		}
	}
	return "", false
}

func matchIgnore(pattern, name string) bool {
	if rest, ok := strings.CutPrefix(pattern, "**/"); ok {
		elems := strings.Split(name, "/")
		for i := range elems {
			if matchIgnore(rest, strings.Join(elems[i:], "/")) {
				return true
			}
		}
		return false
	}
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}
