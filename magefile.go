//go:build mage

// Build tasks, run with `go tool mage <target>` (mage is a tool dependency
// in go.mod, nothing to install). `go tool mage -l` lists the targets.
// They mirror upstream's magefile targets where they apply to this
// repository (docs/operations.md, "Build tasks").
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/magefile/mage/mg"
	"github.com/magefile/mage/sh"
)

const (
	binaryName = "package-registry"
	buildDir   = "build"
	// fipsModule is the Go FIPS 140-3 module FIPS builds use.
	fipsModule = "v1.0.0"
)

// defaultImage is upstream's image name; DOCKER_IMAGE overrides it.
const defaultImage = "docker.elastic.co/package-registry/package-registry"

// Build builds ./package-registry.
func Build() error {
	return sh.RunV("go", "build", "-o", binaryName, ".")
}

// BuildFIPS builds ./package-registry against the Go FIPS 140-3 module.
func BuildFIPS() error {
	return sh.RunWithV(map[string]string{"GOFIPS140": fipsModule}, "go", "build", "-o", binaryName, ".")
}

// BuildRelease builds the static binary of the container image into
// build/package-registry (CGO_ENABLED=0, -trimpath, stripped).
func BuildRelease() error {
	return sh.RunWithV(map[string]string{"CGO_ENABLED": "0"},
		"go", "build", "-trimpath", "-ldflags=-s", "-o", filepath.Join(buildDir, binaryName), ".")
}

// DockerBuild builds the container image, tagged <image>:<tag>.
func DockerBuild(tag string) error {
	return dockerBuild(tag, false)
}

// DockerBuildFIPS builds the FIPS variant of the image, tagged <image>:<tag>-fips.
func DockerBuildFIPS(tag string) error {
	return dockerBuild(tag, true)
}

func dockerBuild(tag string, fips bool) error {
	goVersion, err := goVersion()
	if err != nil {
		return err
	}
	image := os.Getenv("DOCKER_IMAGE")
	if image == "" {
		image = defaultImage
	}
	args := []string{"build", "--rm", "--build-arg", "GO_VERSION=" + goVersion}
	if fips {
		args = append(args, "--build-arg", "FIPS=1")
		tag += "-fips"
	}
	args = append(args, "-t", image+":"+tag, ".")
	return sh.RunV("docker", args...)
}

// goVersion is the Go version go.mod asks for, the builder image's tag.
func goVersion() (string, error) {
	f, err := os.Open("go.mod")
	if err != nil {
		return "", err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "go "); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", errors.New("no go directive in go.mod")
}

// Test runs every test.
func Test() error {
	return sh.RunV("go", "test", "./...", "-v")
}

// TestFIPS runs the tests in a FIPS build with strict FIPS enforcement.
func TestFIPS() error {
	return sh.RunWithV(map[string]string{"GOFIPS140": fipsModule, "GODEBUG": "fips140=only"}, "go", "test", "./...")
}

// WriteTestGoldenFiles regenerates the golden files of every test package
// that has an -update flag.
func WriteTestGoldenFiles() error {
	dirs, err := goldenPackages()
	if err != nil {
		return err
	}
	for _, dir := range dirs {
		if err := sh.RunV("go", "test", "./"+filepath.ToSlash(dir), "-update"); err != nil {
			return err
		}
	}
	return nil
}

// goldenPackages are the directories whose tests define the -update flag.
func goldenPackages() ([]string, error) {
	seen := map[string]bool{}
	var dirs []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == buildDir) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") || seen[filepath.Dir(path)] {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), `flag.Bool("update"`) {
			seen[filepath.Dir(path)] = true
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	return dirs, err
}

// Format rewrites the Go files with gofmt -s.
func Format() error {
	files, err := goFiles()
	if err != nil {
		return err
	}
	return sh.RunV("gofmt", append([]string{"-s", "-w"}, files...)...)
}

// GoImports sorts imports with goimports (needs it on PATH:
// go install golang.org/x/tools/cmd/goimports@latest).
func GoImports() error {
	if _, err := exec.LookPath("goimports"); err != nil {
		return errors.New("goimports is not installed: go install golang.org/x/tools/cmd/goimports@latest")
	}
	files, err := goFiles()
	if err != nil {
		return err
	}
	return sh.RunV("goimports", append([]string{"-local", "github.com/eprgo/package-registry", "-w"}, files...)...)
}

// Vet runs go vet.
func Vet() error {
	return sh.RunV("go", "vet", "./...")
}

// Staticcheck runs staticcheck (needs it on PATH:
// go install honnef.co/go/tools/cmd/staticcheck@latest).
func Staticcheck() error {
	if _, err := exec.LookPath("staticcheck"); err != nil {
		return errors.New("staticcheck is not installed: go install honnef.co/go/tools/cmd/staticcheck@latest")
	}
	return sh.RunV("staticcheck", "./...")
}

// ModTidy runs go mod tidy.
func ModTidy() error {
	return sh.RunV("go", "mod", "tidy")
}

// Check formats, vets, builds and tidies, runs staticcheck when it is
// installed, and fails if any of it changed a file tracked by git (CI
// runs it on a clean checkout).
func Check() error {
	mg.SerialDeps(Format, Vet, Build, ModTidy)
	if _, err := exec.LookPath("staticcheck"); err == nil {
		mg.Deps(Staticcheck)
	} else {
		fmt.Println("check: staticcheck not installed, skipped")
	}
	changed, err := sh.Output("git", "status", "--porcelain", "--untracked-files=no")
	if err != nil {
		return err
	}
	if changed != "" {
		return fmt.Errorf("check changed tracked files (format or go mod tidy):\n%s", changed)
	}
	return nil
}

// Clean removes the build outputs.
func Clean() error {
	for _, p := range []string{buildDir, binaryName} {
		if err := sh.Rm(p); err != nil {
			return err
		}
	}
	return nil
}

// goFiles are the Go files tracked by git (generated or vendored files
// outside git are left alone).
func goFiles() ([]string, error) {
	out, err := sh.Output("git", "ls-files", "*.go")
	if err != nil {
		return nil, err
	}
	return strings.Fields(out), nil
}
