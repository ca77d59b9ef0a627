package app

import (
	"errors"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// StartupError is a fatal start-up condition. It is built where the
// condition is found: Message is the fatal log line's message and Err,
// when set, its error.message. Both texts are upstream's, which operators
// and the conformance kit match.
type StartupError struct {
	Message string
	Err     error
}

func (e *StartupError) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return e.Message + ": " + e.Err.Error()
}

func (e *StartupError) Unwrap() error { return e.Err }

// failure wraps err as a StartupError with message msg.
func failure(msg string, err error) *StartupError {
	return &StartupError{Message: msg, Err: err}
}

// fatal writes err as a fatal-level line and returns it.
// A *StartupError gives message and error.message; any other error (a bug:
// every start-up path builds a StartupError) becomes the message. Unlike
// zap's Fatal it does not exit, so Run stays testable in-process and the
// deferred clean-ups run.
func fatal(logger *zap.Logger, err error) error {
	msg, fields := err.Error(), []zap.Field(nil)
	var se *StartupError
	if errors.As(err, &se) {
		msg = se.Message
		if se.Err != nil {
			fields = []zap.Field{zap.Error(se.Err)}
		}
	}
	// log.origin names fatal's caller, not fatal itself.
	logger.WithOptions(zap.WithFatalHook(continueAfterFatal{}), zap.AddCallerSkip(1)).Fatal(msg, fields...)
	return err
}

type continueAfterFatal struct{}

func (continueAfterFatal) OnWrite(*zapcore.CheckedEntry, []zapcore.Field) {}
