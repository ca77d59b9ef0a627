package ops

import (
	"os/exec"
	"strings"
	"testing"
)

// TestMagefileTargets compiles the magefile through the go.mod tool
// dependency (`go tool mage`) and checks upstream's main targets are there.
func TestMagefileTargets(t *testing.T) {
	cmd := exec.Command("go", "tool", "mage", "-d", repo, "-w", repo, "-l")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go tool mage -l: %v\n%s", err, out)
	}
	targets := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "  ") {
			targets[strings.Fields(line)[0]] = true
		}
	}
	for _, want := range []string{
		"build", "buildFIPS", "buildRelease", "check", "clean", "dockerBuild", "dockerBuildFIPS",
		"format", "goImports", "modTidy", "staticcheck", "test", "testFIPS", "vet", "writeTestGoldenFiles",
	} {
		if !targets[want] {
			t.Errorf("target %s missing from:\n%s", want, out)
		}
	}
}
