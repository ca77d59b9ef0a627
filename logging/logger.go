// Package logging holds the registry's logging: the ECS JSON and development
// encoders on zap and the access-log line. The ECS encoder is written here
// rather than taken from go.elastic.co/ecszap, which cannot be fetched in
// this build environment; the package doc of apmlite says why in full.
package logging

import (
	"fmt"
	"io"
	"os"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Log types accepted by -log-type.
const (
	LogTypeECS = "ecs"
	LogTypeDev = "dev"
)

// NewLogger builds the process logger writing to stderr. logType is "ecs"
// (one ECS JSON object per line) or "dev" (zap's console format); anything
// else is an error worded like upstream's. Every line carries svc's fields.
// Fatal entries exit the process with 1.
func NewLogger(logType string, level zapcore.Level, svc Service) (*zap.Logger, error) {
	return NewLoggerTo(os.Stderr, logType, level, svc)
}

// Service is what every line says of the process: service.name,
// service.version and, when not empty, service.environment.
type Service struct {
	Name, Version, Environment string
}

// NewLoggerTo is NewLogger writing to w, for tests and for callers that
// capture the output.
func NewLoggerTo(w io.Writer, logType string, level zapcore.Level, svc Service) (*zap.Logger, error) {
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
		zap.String("service.name", svc.Name),
		zap.String("service.version", svc.Version),
	}
	if svc.Environment != "" {
		fields = append(fields, zap.String("service.environment", svc.Environment))
	}
	logger := zap.New(core, zap.AddCaller(), zap.ErrorOutput(sink)).With(fields...)
	return logger, nil
}

// newDevEncoder is zap's human-readable console format: tab-separated ISO
// time, upper-case level, logger name, short caller, message, then the
// fields as a JSON-ish object, as upstream's -log-type dev.
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
