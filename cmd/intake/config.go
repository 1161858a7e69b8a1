package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// Config is the program's configuration: flags with environment fallbacks.
type Config struct {
	// Addr is where serve listens. Env INTAKE_ADDR; default ":8080".
	Addr string
	// DatabaseURL is "sqlite:PATH" or "postgres://…". Env
	// INTAKE_DATABASE_URL; default "sqlite:intake.db".
	DatabaseURL string
	// UploadDir is the local folder uploads are kept in. Env
	// INTAKE_UPLOAD_DIR; default "uploads".
	UploadDir string
	// Region is the phone region for numbers without a country code. Env
	// INTAKE_DEFAULT_REGION; default "NL".
	Region string
	// LogLevel is debug, info, warn or error. Env INTAKE_LOG_LEVEL; default info.
	LogLevel string
}

// DefaultConfig returns the zero-configuration defaults: embedded SQLite in
// the working directory.
func DefaultConfig() Config {
	return Config{Addr: ":8080", DatabaseURL: "sqlite:intake.db", UploadDir: "uploads", Region: "NL", LogLevel: "info"}
}

// envOr returns the environment variable name, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// bind registers the flags shared by the commands that open the database.
func (c *Config) bind(fs *flag.FlagSet) {
	d := *c
	fs.StringVar(&c.DatabaseURL, "database-url", envOr("INTAKE_DATABASE_URL", d.DatabaseURL), "sqlite:PATH or postgres://… (env INTAKE_DATABASE_URL)")
	fs.StringVar(&c.UploadDir, "upload-dir", envOr("INTAKE_UPLOAD_DIR", d.UploadDir), "folder for uploaded files (env INTAKE_UPLOAD_DIR)")
	fs.StringVar(&c.Region, "region", envOr("INTAKE_DEFAULT_REGION", d.Region), "default phone region, ISO alpha-2 (env INTAKE_DEFAULT_REGION)")
	fs.StringVar(&c.LogLevel, "log-level", envOr("INTAKE_LOG_LEVEL", d.LogLevel), "debug, info, warn or error (env INTAKE_LOG_LEVEL)")
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return fmt.Errorf("database url %q: want sqlite:PATH or postgres://…", c.DatabaseURL)
	}
	if len(c.Region) != 2 {
		return fmt.Errorf("region %q: want an ISO 3166-1 alpha-2 code such as NL or US", c.Region)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log level %q: want debug, info, warn or error", c.LogLevel)
	}
	return nil
}
