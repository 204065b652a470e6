package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// localhost is the name the client asks for (SNI) and verifies; it is also
// the key of the client's session cache.
const localhost = "localhost"

// keyLog opens the SSLKEYLOGFILE for appending; nil when none is set.
// crypto/tls writes each NSS key log line with one Write.
func keyLog(p parameters) (io.WriteCloser, error) {
	if p.keyLogFile == "" {
		return nil, nil
	}
	file, err := os.OpenFile(p.keyLogFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the key log: %w", err)
	}
	return file, nil
}

// baseConfig is TLS 1.3 only, logging secrets to keyLog.
func baseConfig(keyLog io.Writer) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		MaxVersion:   tls.VersionTLS13,
		KeyLogWriter: keyLog,
	}
}

// clientSetup is a client's tls.Config and what it lets the driver observe.
type clientSetup struct {
	config *tls.Config
	// certificateRequests counts the servers' CertificateRequests answered
	// with the client chain (mtls_request_response).
	certificateRequests int
}

// newClientConfig trusts only the test CA and checks the name localhost.
func newClientConfig(tc testCase, p parameters, keyLog io.Writer) (*clientSetup, error) {
	ca, err := caPool(p)
	if err != nil {
		return nil, err
	}
	setup := &clientSetup{config: baseConfig(keyLog)}
	setup.config.RootCAs = ca
	setup.config.ServerName = localhost
	setup.config.CurvePreferences = tc.clientGroups
	if tc.flow == flowResumption {
		setup.config.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	}
	if tc.presentClientCertificate {
		identity, err := loadIdentity(p, "client-chain.pem", "client-key.pem")
		if err != nil {
			return nil, err
		}
		setup.config.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			setup.certificateRequests++
			return identity, nil
		}
	}
	// Without a certificate the client answers a CertificateRequest with
	// an empty Certificate message.
	return setup, nil
}

// newServerConfig presents the case's chain; with requireClientCertificate
// it requires a client chain to the test CA.
func newServerConfig(tc testCase, p parameters, keyLog io.Writer) (*tls.Config, error) {
	chain, key := serverChain, "server-key.pem"
	if tc.serverChain != "" {
		chain, key = tc.serverChain, "refused-server-key.pem"
	}
	identity, err := loadIdentity(p, chain, key)
	if err != nil {
		return nil, err
	}
	config := baseConfig(keyLog)
	config.Certificates = []tls.Certificate{*identity}
	config.CurvePreferences = tc.serverGroups
	if tc.requireClientCertificate {
		ca, err := caPool(p)
		if err != nil {
			return nil, err
		}
		config.ClientAuth = tls.RequireAndVerifyClientCert
		config.ClientCAs = ca
	}
	return config, nil
}

// caPool holds ca-certificate.pem alone.
func caPool(p parameters) (*x509.CertPool, error) {
	path := filepath.Join(p.certificates, "ca-certificate.pem")
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", path)
	}
	return pool, nil
}

// loadIdentity reads a chain (leaf first) and its PKCS#8 key.
func loadIdentity(p parameters, chainFile, keyFile string) (*tls.Certificate, error) {
	identity, err := tls.LoadX509KeyPair(filepath.Join(p.certificates, chainFile), filepath.Join(p.certificates, keyFile))
	if err != nil {
		return nil, fmt.Errorf("loading %s with %s: %w", chainFile, keyFile, err)
	}
	return &identity, nil
}
