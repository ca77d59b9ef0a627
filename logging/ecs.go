package logging

import (
	"path/filepath"
	"strings"
	"sync/atomic"

	"go.uber.org/zap"
	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"
)

// ECSVersion is the ecs.version every ECS line ends with.
const ECSVersion = "1.6.0"

var bufferPool = buffer.NewPool()

// ecsEncoder writes ECS JSON lines with upstream's key order (log readers
// that compare lines byte for byte see no change): log.level, @timestamp,
// log.logger, log.origin, message, the
// logger's context fields, the entry's fields, ecs.version.
//
// zap's JSON encoder puts the caller before the message but can only write
// it as a string, and cannot append a trailing constant. So an entry is
// encoded in two valid JSON objects that are then joined: a head (level,
// time, name, log.origin as an object field) and a tail (message, context
// and entry fields, ecs.version) made by the embedded encoder, which also
// holds the context fields added with With.
type ecsEncoder struct {
	zapcore.Encoder
	// ctx caches the encoded context fields for encodeFast; a clone
	// starts without it.
	ctx atomic.Pointer[fastContext]
}

var ecsHeadConfig = zapcore.EncoderConfig{
	LevelKey:    "log.level",
	TimeKey:     "@timestamp",
	NameKey:     "log.logger",
	LineEnding:  "\n",
	EncodeLevel: zapcore.LowercaseLevelEncoder,
	EncodeTime:  zapcore.ISO8601TimeEncoder,
	EncodeName:  zapcore.FullNameEncoder,
}

// NewECSEncoder returns the ECS JSON encoder. Error fields are nested as
// {"message": ...} by the core NewLoggerTo wraps it in, not by the encoder.
func NewECSEncoder() zapcore.Encoder {
	return &ecsEncoder{Encoder: zapcore.NewJSONEncoder(zapcore.EncoderConfig{
		MessageKey:     "message",
		LineEnding:     "\n",
		EncodeTime:     zapcore.ISO8601TimeEncoder,
		EncodeDuration: zapcore.NanosDurationEncoder,
	})}
}

func (e *ecsEncoder) Clone() zapcore.Encoder {
	return &ecsEncoder{Encoder: e.Encoder.Clone()}
}

func (e *ecsEncoder) EncodeEntry(ent zapcore.Entry, fields []zapcore.Field) (*buffer.Buffer, error) {
	if buf := e.encodeFast(ent, fields); buf != nil {
		return buf, nil
	}
	return e.encodeSlow(ent, fields)
}

// encodeSlow is the general path: any field type zap knows.
func (e *ecsEncoder) encodeSlow(ent zapcore.Entry, fields []zapcore.Field) (*buffer.Buffer, error) {
	var headFields []zapcore.Field
	if ent.Caller.Defined {
		headFields = []zapcore.Field{zap.Object("log.origin", origin(ent.Caller))}
	}
	head, err := zapcore.NewJSONEncoder(ecsHeadConfig).EncodeEntry(zapcore.Entry{
		Level:      ent.Level,
		Time:       ent.Time,
		LoggerName: ent.LoggerName,
	}, headFields)
	if err != nil {
		return nil, err
	}
	defer head.Free()

	tailFields := make([]zapcore.Field, 0, len(fields)+1)
	tailFields = append(tailFields, fields...)
	tailFields = append(tailFields, zap.String("ecs.version", ECSVersion))
	tail, err := e.Encoder.EncodeEntry(zapcore.Entry{Message: ent.Message}, tailFields)
	if err != nil {
		return nil, err
	}
	defer tail.Free()

	// head is `{...}\n` and tail `{"message":...}\n`: drop the head's
	// closing brace and the tail's opening one.
	out := bufferPool.Get()
	h := head.Bytes()
	out.Write(h[:len(h)-2])
	out.AppendByte(',')
	out.Write(tail.Bytes()[1:])
	return out, nil
}

// origin is log.origin: {"function","file.name","file.line"}, with the file
// as "<dir>/<file>.go" like zap's trimmed caller path.
type origin zapcore.EntryCaller

func (o origin) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("function", o.Function)
	enc.AddString("file.name", trimmedFile(o.File))
	enc.AddInt("file.line", o.Line)
	return nil
}

func trimmedFile(file string) string {
	file = filepath.ToSlash(file)
	i := strings.LastIndexByte(file, '/')
	if i < 0 {
		return file
	}
	if j := strings.LastIndexByte(file[:i], '/'); j >= 0 {
		return file[j+1:]
	}
	return file
}
