package logging

import (
	"fmt"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// ecsCore nests error fields as {"message": "..."}, the ECS error object,
// both for entry fields and for context fields added with With. zap itself
// would write errors as flat strings, and encoders cannot tell an error
// apart from a string once zap has converted it.
type ecsCore struct {
	zapcore.Core
}

func (c *ecsCore) With(fields []zapcore.Field) zapcore.Core {
	return &ecsCore{Core: c.Core.With(nestErrors(fields))}
}

func (c *ecsCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(ent.Level) {
		return ce.AddCore(ent, c)
	}
	return ce
}

func (c *ecsCore) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	return c.Core.Write(ent, nestErrors(fields))
}

func nestErrors(fields []zapcore.Field) []zapcore.Field {
	var out []zapcore.Field
	for i, f := range fields {
		if f.Type != zapcore.ErrorType {
			continue
		}
		if out == nil {
			out = make([]zapcore.Field, len(fields))
			copy(out, fields)
		}
		err, _ := f.Interface.(error)
		out[i] = zap.Object(f.Key, errorObject{err: err})
	}
	if out == nil {
		return fields
	}
	return out
}

type errorObject struct {
	err error
}

func (e errorObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("message", errorMessage(e.err))
	return nil
}

// errorMessage is err.Error(), guarding against typed nil errors whose
// Error method panics, as zap does.
func errorMessage(err error) (msg string) {
	if err == nil {
		return "<nil>"
	}
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("PANIC=%v", r)
		}
	}()
	return err.Error()
}
