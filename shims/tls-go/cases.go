package main

import (
	"crypto/tls"
	"strings"
)

// flow is the message pattern of a case.
type flow int

const (
	flowHandshake       flow = iota // handshake; close
	flowRequestResponse             // greeting and response; close
	flowDownload                    // greeting, then the server streams the download; close
	flowResumption                  // two request_response connections, the second resumed
)

// testCase is one case of the contract as this shim plays it.
type testCase struct {
	name string
	flow flow
	// keyUpdates: the server requests KeyUpdates during the download.
	keyUpdates bool
	// serverChain is the chain the server presents; a refused chain goes
	// with refused-server-key.pem, server-chain.pem with server-key.pem.
	serverChain string
	// requireClientCertificate: the server requires a client certificate
	// chaining to the test CA; presentClientCertificate: the client has one.
	requireClientCertificate bool
	presentClientCertificate bool
	// Key exchange groups (Config.CurvePreferences); nil is Go's default.
	clientGroups []tls.CurveID
	serverGroups []tls.CurveID
	// checkHelloRetry: both sides check a HelloRetryRequest took place and
	// the negotiated group is secp256r1.
	checkHelloRetry bool
	// refuser is the side that must refuse in a negative case, else "".
	refuser role
	// Why Go's crypto/tls cannot play the case in a role; "" when it can.
	clientUnsupported string
	serverUnsupported string
}

const (
	serverChain          = "server-chain.pem"
	untrustedServerChain = "untrusted-server-chain.pem"
	wrongNameServerChain = "wrong-name-server-chain.pem"
	expiredServerChain   = "expired-server-chain.pem"
)

// crypto/tls only implements 0-RTT for QUIC: a Conn over TCP never offers
// early_data as a client, and a server ignores it (handshake_server_tls13.go
// accepts early data only when c.quic != nil); tickets for TCP carry
// SessionState.EarlyData false.
const noEarlyData = "Go crypto/tls implements TLS 1.3 0-RTT only for QUIC (QUICConn); " +
	"a tls.Conn over TCP neither sends nor accepts early data"

// Config has no field for an external PSK; PSKs come only from session
// tickets (resumption).
const noExternalPSK = "Go crypto/tls has no API for external (out-of-band) pre-shared keys"

// tls.Conn has no method that sends a KeyUpdate; it only answers the
// peer's (handleKeyUpdate), which is all the client side needs.
const noKeyUpdateAPI = "Go crypto/tls has no API to send a TLS 1.3 KeyUpdate " +
	"(tls.Conn only answers the peer's)"

var cases = []testCase{
	{name: "handshake", flow: flowHandshake},
	{name: "request_response", flow: flowRequestResponse},
	{name: "large_data_download", flow: flowDownload},
	{
		name: "large_data_download_with_frequent_key_updates", flow: flowDownload, keyUpdates: true,
		serverUnsupported: noKeyUpdateAPI,
	},
	{
		name: "mtls_request_response", flow: flowRequestResponse,
		requireClientCertificate: true, presentClientCertificate: true,
	},
	{name: "resumption", flow: flowResumption},
	{name: "early_data", flow: flowResumption, clientUnsupported: noEarlyData, serverUnsupported: noEarlyData},
	{name: "out_of_band_psk", flow: flowRequestResponse, clientUnsupported: noExternalPSK, serverUnsupported: noExternalPSK},
	// Go sorts the offered groups in its own fixed order (X25519 before
	// P-256) and sends a key share for the first one only, so the client
	// offers x25519 and secp256r1 with an x25519 share, and a server
	// restricted to P-256 answers with a HelloRetryRequest for it.
	{
		name: "hello_retry_request", flow: flowRequestResponse,
		clientGroups:    []tls.CurveID{tls.X25519, tls.CurveP256},
		serverGroups:    []tls.CurveID{tls.CurveP256},
		checkHelloRetry: true,
	},
	{name: "small_tcp_packet", flow: flowRequestResponse},

	// Negative cases. A Go client sends bad_certificate for every failure
	// to verify the server's chain or name (verifyServerCertificate).
	{name: "untrusted_certificate", flow: flowRequestResponse, serverChain: untrustedServerChain, refuser: client},
	{name: "wrong_hostname", flow: flowRequestResponse, serverChain: wrongNameServerChain, refuser: client},
	{name: "expired_certificate", flow: flowRequestResponse, serverChain: expiredServerChain, refuser: client},
	// The server sends certificate_required for an empty client Certificate.
	{
		name: "client_certificate_required", flow: flowRequestResponse,
		requireClientCertificate: true, refuser: server,
	},
	// The server sends handshake_failure when no offered group is one it accepts.
	{
		name: "no_shared_group", flow: flowRequestResponse,
		clientGroups: []tls.CurveID{tls.X25519},
		serverGroups: []tls.CurveID{tls.CurveP256},
		refuser:      server,
	},
}

func caseByName(name string) (testCase, bool) {
	for _, tc := range cases {
		if tc.name == name {
			return tc, true
		}
	}
	return testCase{}, false
}

func caseNames() string {
	names := make([]string, len(cases))
	for i, tc := range cases {
		names[i] = tc.name
	}
	return strings.Join(names, ", ")
}

// unsupported says why Go cannot play the case in role r; "" when it can.
func (tc testCase) unsupported(r role) string {
	if r == client {
		return tc.clientUnsupported
	}
	return tc.serverUnsupported
}
