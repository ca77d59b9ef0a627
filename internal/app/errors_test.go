package app

import (
	"errors"
	"fmt"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// fatal logs a StartupError as message plus error.message, the shape of
// upstream's fatal lines, and keeps going so that deferred clean-ups run.
func TestFatal(t *testing.T) {
	cause := errors.New("failed to prepare fake storage server: index file must contain some package entries")
	tests := []struct {
		name    string
		err     error
		message string
		cause   string
	}{
		{
			name:    "with a cause",
			err:     &StartupError{Message: "failed to initialize fake GCS server", Err: cause},
			message: "failed to initialize fake GCS server",
			cause:   cause.Error(),
		},
		{
			name:    "wrapped",
			err:     fmt.Errorf("setup: %w", &StartupError{Message: "m"}),
			message: "m",
		},
		{
			name:    "message only",
			err:     failure("No local packages found.", nil),
			message: "No local packages found.",
		},
		{
			// Not expected (every start-up path builds a StartupError),
			// but nothing is lost: the whole text becomes the message.
			name:    "untyped",
			err:     fmt.Errorf("failed to initialize fake GCS server: %w", cause),
			message: "failed to initialize fake GCS server: " + cause.Error(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core, logs := observer.New(zapcore.DebugLevel)
			if got := fatal(zap.New(core), tt.err); got != tt.err {
				t.Errorf("fatal returned %v, want the error it logged", got)
			}
			entries := logs.All()
			if len(entries) != 1 {
				t.Fatalf("%d log entries", len(entries))
			}
			e := entries[0]
			got := ""
			if err, ok := e.ContextMap()["error"]; ok {
				got = fmt.Sprint(err)
			}
			if e.Level != zapcore.FatalLevel || e.Message != tt.message || got != tt.cause {
				t.Errorf("got %v (%q, %q), want fatal (%q, %q)", e.Level, e.Message, got, tt.message, tt.cause)
			}
		})
	}
}

func TestStartupErrorText(t *testing.T) {
	cause := errors.New("bind: address already in use")
	tests := []struct {
		err  *StartupError
		want string
	}{
		{failure("error occurred while serving", cause), "error occurred while serving: bind: address already in use"},
		{failure("No local packages found.", nil), "No local packages found."},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, cause) && tt.err.Err != nil {
			t.Errorf("%v does not unwrap to its cause", tt.err)
		}
	}
}
