// Command tls-shim-go puts Go's crypto/tls behind crosscheck's TLS interop
// shim contract (shims/README.md; the cases are in specs/tls/cases.yaml):
//
//	tls-shim-go client|server CASE PORT
//	tls-shim-go version
//
// Build it with shims/tls-go/build.sh OUT_DIR (from the project root).
//
// Reading order: main.go (command line, environment, exit status, refusals)
// -> cases.go (the cases, and what Go cannot play) -> scenario.go (one
// driver per role) -> exchange.go (message I/O and the close rules) ->
// config.go (tls.Config, PKI and key log).
package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Exit statuses of the contract.
const (
	exitPassed      = 0
	exitFailed      = 1
	exitUsage       = 2
	exitUnsupported = 127
)

const program = "tls-shim-go"

const usage = "usage: " + program + " client|server CASE PORT\n" +
	"       " + program + " version"

// Environment variables and their defaults (the upstream values).
const (
	certificatesVariable      = "CROSSCHECK_TLS_CERTIFICATES"
	downloadBytesVariable     = "CROSSCHECK_TLS_DOWNLOAD_BYTES"
	keyUpdateIntervalVariable = "CROSSCHECK_TLS_KEY_UPDATE_INTERVAL_BYTES"
	keyLogVariable            = "SSLKEYLOGFILE"

	defaultCertificates      = "certificates"
	defaultDownloadBytes     = 256_000_000_000
	defaultKeyUpdateInterval = 1_000_000_000
)

// The `crosscheck-…` line prefixes on stdout.
const (
	factPrefix    = "crosscheck-fact:"
	refusalPrefix = "crosscheck-refusal:"
)

type role string

const (
	client role = "client"
	server role = "server"
)

// invocation is the parsed command line.
type invocation struct {
	role     role
	caseName string
	port     int
}

// parameters are the scenario parameters from the environment.
type parameters struct {
	certificates      string
	downloadBytes     uint64
	keyUpdateInterval uint64 // never zero
	keyLogFile        string // empty: no key log
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run plays the command line and returns the exit status.
func run(args []string) int {
	if len(args) == 1 && args[0] == "version" {
		fmt.Println("Go crypto/tls " + runtime.Version())
		return exitPassed
	}
	inv, err := parseInvocation(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n%s\n", program, err, usage)
		return exitUsage
	}
	label := fmt.Sprintf("%s %s %s", program, inv.role, inv.caseName)

	// A case this shim does not know is one it does not support.
	tc, known := caseByName(inv.caseName)
	if !known {
		fmt.Fprintf(os.Stderr, "%s: not supported: unknown case (known: %s)\n", label, caseNames())
		return exitUnsupported
	}
	if reason := tc.unsupported(inv.role); reason != "" {
		fmt.Fprintf(os.Stderr, "%s: not supported: %s\n", label, reason)
		return exitUnsupported
	}

	params, err := parametersFromEnv()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", program, err)
		return exitUsage
	}

	if inv.role == client {
		err = runClient(tc, inv.port, params)
	} else {
		err = runServer(tc, inv.port, params)
	}
	if err != nil {
		if tc.refuser == inv.role && isOwnRefusal(err) {
			fmt.Println(refusalPrefix, oneLine(err.Error()))
		}
		fmt.Fprintf(os.Stderr, "%s: failed: %v\n", label, err)
		return exitFailed
	}
	return exitPassed
}

func parseInvocation(args []string) (invocation, error) {
	if len(args) != 3 {
		return invocation{}, fmt.Errorf("expected client|server CASE PORT, got %d argument(s)", len(args))
	}
	var inv invocation
	switch args[0] {
	case "client":
		inv.role = client
	case "server":
		inv.role = server
	default:
		return invocation{}, fmt.Errorf("unknown role %q (expected client or server)", args[0])
	}
	inv.caseName = args[1]
	if inv.caseName == "" || strings.Trim(inv.caseName, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return invocation{}, fmt.Errorf("CASE must be a case name like handshake, got %q", inv.caseName)
	}
	port, err := strconv.ParseUint(args[2], 10, 16)
	if err != nil || port == 0 {
		return invocation{}, fmt.Errorf("invalid port %q (expected 1 to 65535)", args[2])
	}
	inv.port = int(port)
	return inv, nil
}

func parametersFromEnv() (parameters, error) {
	p := parameters{
		certificates: os.Getenv(certificatesVariable),
		keyLogFile:   os.Getenv(keyLogVariable),
	}
	if p.certificates == "" {
		p.certificates = defaultCertificates
	}
	var err error
	if p.downloadBytes, err = numberFromEnv(downloadBytesVariable, defaultDownloadBytes); err != nil {
		return parameters{}, err
	}
	if p.keyUpdateInterval, err = numberFromEnv(keyUpdateIntervalVariable, defaultKeyUpdateInterval); err != nil {
		return parameters{}, err
	}
	if p.keyUpdateInterval == 0 {
		return parameters{}, fmt.Errorf("%s must be at least 1", keyUpdateIntervalVariable)
	}
	return p, nil
}

// numberFromEnv reads a plain whole number of bytes.
func numberFromEnv(name string, fallback uint64) (uint64, error) {
	text, set := os.LookupEnv(name)
	if !set || text == "" {
		return fallback, nil
	}
	value, err := strconv.ParseUint(strings.TrimSpace(text), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a whole number of bytes", name, text)
	}
	return value, nil
}

// handshakeError is a failed Conn.Handshake.
type handshakeError struct {
	err error
}

func (e *handshakeError) Error() string { return "handshake: " + e.err.Error() }
func (e *handshakeError) Unwrap() error { return e.err }

// isOwnRefusal tells whether err is this side refusing the peer: a handshake
// that crypto/tls failed on its own finding (it then sends the alert itself
// before Handshake returns), not its report of the peer's alert ("remote
// error"), nor the peer closing or resetting the connection, nor a failure
// to set up or of a scenario check.
func isOwnRefusal(err error) bool {
	var handshake *handshakeError
	if !errors.As(err, &handshake) {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return false
	}
	// crypto/tls reports a received alert, and I/O failures, as *net.OpError
	// ("remote error", "read", "write"); its own refusals are plain errors.
	var opError *net.OpError
	return !errors.As(err, &opError)
}

// step adds what the shim was doing to an error.
func step(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

func oneLine(text string) string {
	return strings.Join(strings.Fields(text), " ")
}

// reportFact prints a fact the shim has just checked.
func reportFact(name string) {
	fmt.Println(factPrefix, name)
}
