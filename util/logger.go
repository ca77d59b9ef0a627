// Package util holds the registry's logging: the ECS JSON and development
// encoders on zap (operations.md §5) and the access-log line (§5.4).
package util

import (
	"fmt"
	"io"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"epr/config"
)

// Log types accepted by -log-type.
const (
	LogTypeECS = "ecs"
	LogTypeDev = "dev"
)

// NewLogger builds the process logger writing to stderr (operations.md
// §5.1). logType is "ecs" (one ECS JSON object per line) or "dev" (zap's
// console format); anything else is an error worded like upstream's.
// Every line carries service.name, service.version and, when environment
// is non-empty, service.environment. Fatal entries exit the process with 1.
func NewLogger(logType string, level zapcore.Level, serviceName, environment string) (*zap.Logger, error) {
	return NewLoggerTo(os.Stderr, logType, level, serviceName, environment)
}

// NewLoggerTo is NewLogger writing to w, for tests and for callers that
// capture the output.
func NewLoggerTo(w io.Writer, logType string, level zapcore.Level, serviceName, environment string) (*zap.Logger, error) {
	var core zapcore.Core
	var sink zapcore.WriteSyncer
	if f, ok := w.(*os.File); ok {
		// The process's stderr (or a file): batched, see batchWriter.
		sink = newBatchWriter(f, batchWriterMax, batchWindow)
	} else {
		sink = zapcore.Lock(zapcore.AddSync(w))
	}
	switch logType {
	case LogTypeECS:
		core = &ecsCore{Core: zapcore.NewCore(NewECSEncoder(), sink, level)}
	case LogTypeDev:
		core = zapcore.NewCore(newDevEncoder(), sink, level)
	default:
		return nil, fmt.Errorf("invalid logger type %q", logType)
	}
	fields := []zap.Field{
		zap.String("service.name", serviceName),
		zap.String("service.version", config.Version),
	}
	if environment != "" {
		fields = append(fields, zap.String("service.environment", environment))
	}
	logger := zap.New(core, zap.AddCaller(), zap.ErrorOutput(sink)).With(fields...)
	return logger, nil
}

// newDevEncoder is zap's human-readable console format: tab-separated ISO
// time, upper-case level, logger name, short caller, message, then the
// fields as a JSON-ish object (operations.md §5.3).
func newDevEncoder() zapcore.Encoder {
	return zapcore.NewConsoleEncoder(zapcore.EncoderConfig{
		TimeKey:        "T",
		LevelKey:       "L",
		NameKey:        "N",
		CallerKey:      "C",
		MessageKey:     "M",
		LineEnding:     zapcore.DefaultLineEnding,
		EncodeLevel:    zapcore.CapitalLevelEncoder,
		EncodeTime:     zapcore.ISO8601TimeEncoder,
		EncodeDuration: zapcore.StringDurationEncoder,
		EncodeCaller:   zapcore.ShortCallerEncoder,
		EncodeName:     zapcore.FullNameEncoder,
	})
}
