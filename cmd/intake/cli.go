package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// exitError ends the program with a code other than 1: import answers 1
// when rows failed and 2 when the file or its options are unusable.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// unusable is an exit-2 error: the file or the options cannot be imported.
func unusable(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// exitCode is the process exit code for a Run error.
func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// parseFlags parses args with fs, taking flags before and after the
// positional arguments (intake import FILE --mode upsert). Parse errors are
// returned for one line on stderr; --help prints the command's usage and
// its flags (each with its env variable and default).
func (m *Main) parseFlags(fs *flag.FlagSet, args []string, usageLine string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(m.Stderr, "usage: %s\n\nflags:\n", usageLine)
			fs.SetOutput(m.Stderr)
			fs.PrintDefaults()
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("%v (intake %s --help lists the flags)", err, strings.TrimPrefix(fs.Name(), "intake "))
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
}

// parseCLI parses the commands that are clients rather than servers:
// import, imports, sample, version. It reports whether cmd is one of them.
func (m *Main) parseCLI(cmd string, rest []string) (bool, error) {
	switch cmd {
	case "version", "--version", "-version":
		fs := flag.NewFlagSet("intake version", flag.ContinueOnError)
		pos, err := m.parseFlags(fs, rest, "intake version   (also intake --version): the version and commit the binary was built from")
		if err == nil && len(pos) > 0 {
			err = fmt.Errorf("unexpected arguments: %s (intake version takes none)", strings.Join(pos, " "))
		}
		m.cli = func(context.Context) error { fmt.Fprintln(m.Stdout, versionString()); return nil }
		return true, err
	case "sample":
		c := &sampleCmd{}
		fs := flag.NewFlagSet("intake sample", flag.ContinueOnError)
		c.flags(fs)
		pos, err := m.parseFlags(fs, rest, "intake sample ROWS [--messy] > contacts.csv")
		if err == nil {
			err = c.args(pos)
		}
		m.cli = func(context.Context) error { return c.run(m) }
		return true, err
	case "import":
		c := &importCmd{}
		fs := flag.NewFlagSet("intake import", flag.ContinueOnError)
		m.Config.bind(fs)
		c.flags(fs)
		pos, err := m.parseFlags(fs, rest, "intake import FILE [flags]   (exit 0: every row in; 1: some rows failed; 2: the file or options are unusable)")
		if err == nil {
			err = c.args(pos)
		}
		if err == nil {
			err = m.Config.Validate()
		}
		m.cli = func(ctx context.Context) error { return c.run(ctx, m) }
		return true, err
	case "imports":
		c := &importsCmd{}
		fs := flag.NewFlagSet("intake imports", flag.ContinueOnError)
		c.flags(fs)
		pos, err := m.parseFlags(fs, rest, "intake imports list | show ID | cancel ID --server URL --key KEY")
		if err == nil {
			err = c.args(pos)
		}
		m.cli = func(ctx context.Context) error { return c.run(ctx, m) }
		return true, err
	}
	return false, nil
}

// versionString is the module version and VCS revision the binary was
// built from, as the Go toolchain recorded them.
func versionString() string {
	v, rev, dirty := "(devel)", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	out := "intake " + v
	if rev != "" {
		out += " " + rev[:min(12, len(rev))]
		if dirty {
			out += "+dirty"
		}
	}
	return out + " " + strings.TrimSpace(runtimeVersion())
}

func runtimeVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.GoVersion
	}
	return ""
}

// envOrFlag documents a flag's env variable in its usage line.
func envNote(name string) string { return " (env " + name + ")" }
