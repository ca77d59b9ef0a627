package logging

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"go.uber.org/zap/zapcore"
)

// TestFatalExitsWithOne re-runs this test binary as a child that logs at
// fatal level: the line must be written and the process must exit 1.
func TestFatalExitsWithOne(t *testing.T) {
	if os.Getenv("UTIL_TEST_FATAL_CHILD") == "1" {
		logger, err := NewLogger("ecs", zapcore.InfoLevel, Service{Name: "package-registry"})
		if err != nil {
			os.Exit(3)
		}
		logger.Fatal("No local packages found.")
		os.Exit(4) // not reached when Fatal exits
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFatalExitsWithOne$")
	cmd.Env = append(os.Environ(), "UTIL_TEST_FATAL_CHILD=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Fatalf("child exit: %v, want status 1", err)
	}
	line := strings.TrimSpace(stderr.String())
	m := decodeLine(t, line)
	if m["log.level"] != "fatal" || m["message"] != "No local packages found." {
		t.Errorf("fatal line %s", line)
	}
}
