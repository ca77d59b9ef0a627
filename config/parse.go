package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// LookupEnvFunc reads an environment variable; os.LookupEnv in production.
// Presence matters, not only the value: a set-but-empty EPR_* variable
// still sets its flag, as upstream's.
type LookupEnvFunc func(name string) (string, bool)

// EnvError lists every EPR_* variable whose value its flag rejected, in
// lexicographic flag order. Upstream prints it through the standard logger
// and exits 1.
type EnvError struct {
	Errs []error
}

func (e *EnvError) Error() string {
	lines := make([]string, len(e.Errs))
	for i, err := range e.Errs {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// UsageError is a command-line parsing error. The flag package has already
// written the message and the usage text to the output; the process exits 2.
type UsageError struct {
	Err error
}

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// ParseFlags applies the EPR_* variables and then the command line
// (args[0] is the program name) to the compiled defaults. Usage text and
// command-line errors go to output.
//
// Errors: *EnvError (exit 1), flag.ErrHelp for -h/-help (exit 0) and
// *UsageError (exit 2). Cross-flag validation is separate (Validate), since
// upstream runs it after parsing and before -version.
func ParseFlags(args []string, lookupEnv LookupEnvFunc, output io.Writer) (*Flags, error) {
	name := ""
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	f := DefaultFlags()
	fs := NewFlagSet(name, &f)
	addExtensionFlags(fs, &f)
	fs.SetOutput(output)

	if err := applyEnv(fs, lookupEnv); err != nil {
		return nil, err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, flag.ErrHelp
		}
		return nil, &UsageError{Err: err}
	}
	return &f, nil
}

// applyEnv sets every flag whose EPR_* variable exists, even when it is
// empty, and collects all failures instead of stopping at the first.
func applyEnv(fs *flag.FlagSet, lookupEnv LookupEnvFunc) error {
	if lookupEnv == nil {
		return nil
	}
	var errs []error
	// VisitAll walks the flags in lexicographic order, the order upstream
	// reports them in.
	fs.VisitAll(func(fl *flag.Flag) {
		value, ok := lookupEnv(EnvName(fl.Name))
		if !ok {
			return
		}
		if err := fs.Set(fl.Name, value); err != nil {
			errs = append(errs, fmt.Errorf("failed to set -%s: %w", fl.Name, err))
		}
	})
	if len(errs) > 0 {
		return &EnvError{Errs: errs}
	}
	return nil
}
