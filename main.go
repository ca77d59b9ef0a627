// Command epr is a drop-in reimplementation of the Elastic Package Registry
// (README.md, docs/). main reads the configuration — flags, EPR_* variables
// and the other variables, each once, through one lookup function — and
// hands it to internal/app, which runs the registry.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/eprgo/package-registry/config"
	"github.com/eprgo/package-registry/internal/app"
)

func main() {
	os.Exit(run(context.Background(), os.Args, os.LookupEnv, os.Stdout, os.Stderr))
}

// run is the whole process and returns its exit status; it reads the
// environment only through lookupEnv, so tests run it in-process.
// Cancelling ctx triggers the same graceful shutdown as SIGINT/SIGTERM.
//
// Exit statuses are upstream's: 0 after -help, -version and a clean stop;
// 2 for a command-line error (the flag package has printed it with the
// usage text); 1 for everything else.
func run(ctx context.Context, args []string, lookupEnv config.LookupEnvFunc, stdout, stderr io.Writer) int {
	// Until the structured logger exists, failures go through a standard
	// library logger ("YYYY/MM/DD HH:MM:SS " prefix), like upstream.
	stdlog := log.New(stderr, "", log.LstdFlags)
	if len(args) > 1 {
		if cmd := subcommand(args[1]); cmd != nil {
			return cmd(ctx, args[2:], lookupEnv, stdout, stderr)
		}
	}
	cfg, err := config.Load(args, lookupEnv, stderr)
	if err != nil {
		// -help (0) and command-line errors (2) have printed the usage
		// text; invalid EPR_* values (1) are printed here.
		code := config.ExitCode(err)
		if code == 1 {
			stdlog.Print(err)
		}
		return code
	}
	// Cross-flag checks come before -version, as upstream's.
	if err := cfg.Validate(config.IsFIPSBuild()); err != nil {
		stdlog.Print(err)
		return 1
	}
	if cfg.Flags.PrintVersion {
		fmt.Fprintf(stdout, "Elastic Package Registry version %s\n", config.Version)
		return 0
	}
	cfg.LogOutput = stderr
	if err := app.Run(ctx, *cfg); err != nil {
		// Run has logged it.
		return 1
	}
	return 0
}

// command is a subcommand's whole run: its own flags (args after its name),
// the environment through lookupEnv, and its exit status.
type command func(ctx context.Context, args []string, lookupEnv config.LookupEnvFunc, stdout, stderr io.Writer) int

// subcommand returns the command the first argument names, or nil. Only the
// first argument can name one: upstream stops parsing flags at the first
// non-flag argument and ignores the rest, so "-dry-run extra" keeps running
// the registry; a first argument that names no command does too.
func subcommand(name string) command {
	switch name {
	}
	return nil
}
