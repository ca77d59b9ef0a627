// Package app is the registry process once its configuration is read:
// tracing, logging, the config file, the package sources, the router, the
// listeners and the shutdown, in upstream's start-up order (docs/operations.md,
// "Start-up, readiness and shutdown"). package main only reads the
// configuration and calls Run.
package app

import (
	"context"
	"errors"
	"log"
	"os"

	"github.com/eprgo/package-registry/apmlite"
	"github.com/eprgo/package-registry/config"
	"github.com/eprgo/package-registry/logging"
)

// Run runs the registry with cfg, which main has read (config.Load) and
// validated (Config.Validate): it returns when the registry has stopped.
// Cancelling ctx triggers the same graceful shutdown as SIGINT/SIGTERM.
//
// Run logs every failure itself (through the standard logger until the
// structured one exists, then as a fatal line); a non-nil error only tells
// main to exit with status 1. Logs go to cfg.LogOutput.
func Run(ctx context.Context, cfg config.Config) error {
	out := cfg.LogOutput
	if out == nil {
		out = os.Stderr
	}
	// Until the structured logger exists, failures go through a standard
	// library logger ("YYYY/MM/DD HH:MM:SS " prefix), like upstream.
	stdlog := log.New(out, "", log.LstdFlags)

	// APM is on only when ELASTIC_APM_SERVER_URL is set (nil tracer
	// otherwise). apmlite speaks the intake protocol itself because the
	// Elastic Go agent is not available to this build.
	tracer, err := apmlite.NewFromEnv(cfg.Env.APM.Lookup, cfg.Env.ServiceName, config.Version)
	if err != nil {
		stdlog.Printf("Failed to initialize APM agent: %v", err)
		return err
	}
	// Runs last: what the shutdown logs still reaches APM.
	defer tracer.Close()

	logger, err := logging.NewLoggerTo(out, cfg.Flags.LogType, cfg.Flags.LogLevel, logging.Service{
		Name: cfg.Env.ServiceName, Version: config.Version, Environment: cfg.Env.ServiceEnvironment,
	})
	if err != nil {
		stdlog.Printf("Failed to initialize logging: %v", err)
		return err
	}
	defer func() { _ = logger.Sync() }()
	logger = tracer.WrapLogger(logger)
	tracer.SetLogger(logger.Named(apmlite.LoggerName))

	if err := cfg.ReadFile(); err != nil {
		var notAvailable *config.NotAvailableError
		if errors.As(err, &notAvailable) {
			return fatal(logger, failure(err.Error(), nil))
		}
		return fatal(logger, failure("getting config", err))
	}
	cfg.LogEffective(logger)
	// Now with the file: the checks that need it.
	if err := cfg.Validate(config.IsFIPSBuild()); err != nil {
		return fatal(logger, failure(err.Error(), nil))
	}

	if cfg.Flags.DryRun {
		logger.Info("Running dry-run mode")
		// Upstream quirk: the emulator (EPR_EMULATOR_INDEX_PATH) is not
		// started in dry-run mode.
		reg, err := loadPackages(ctx, &cfg, logger, tracer, false)
		if err != nil {
			return fatal(logger, err)
		}
		reg.close(logger)
		return nil
	}

	logger.Info("Package registry started")
	return serve(ctx, &cfg, logger, tracer, out)
}
