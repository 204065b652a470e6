package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
)

// runClient plays the client side of tc against 127.0.0.1:port.
func runClient(tc testCase, port int, p parameters) error {
	keys, err := keyLog(p)
	if err != nil {
		return err
	}
	if keys != nil {
		defer keys.Close()
	}
	setup, err := newClientConfig(tc, p, keys)
	if err != nil {
		return step("setting up the client", err)
	}
	address := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))

	if tc.flow == flowResumption {
		if err := resumptionClient(setup, address, false); err != nil {
			return step("connection 1", err)
		}
		return step("connection 2", resumptionClient(setup, address, true))
	}

	conn, err := connect(setup.config, address)
	if err != nil {
		return err
	}
	return finish(conn, clientExchange(tc, setup, conn, p), closeFirst)
}

// clientExchange is everything between the handshake and the close.
func clientExchange(tc testCase, setup *clientSetup, conn *tls.Conn, p parameters) error {
	if err := checkHelloRetry(tc, conn); err != nil {
		return err
	}
	if tc.presentClientCertificate && setup.certificateRequests == 0 {
		return errors.New("the server did not ask for the client certificate")
	}
	switch tc.flow {
	case flowHandshake:
		return nil
	case flowDownload:
		if err := send(conn, greeting, "the greeting"); err != nil {
			return err
		}
		return receiveDownload(conn, p.downloadBytes)
	default:
		return request(conn)
	}
}

// resumptionClient is one connection of resumption: the first must be a
// full handshake, the second must resume the first's session (the config's
// session cache holds the ticket read with the first response).
func resumptionClient(setup *clientSetup, address string, resume bool) error {
	conn, err := connect(setup.config, address)
	if err != nil {
		return err
	}
	err = checkResumed(conn, resume)
	if err == nil {
		// Reading the response also takes in the session ticket.
		err = request(conn)
	}
	return finish(conn, err, closeFirst)
}

// runServer plays the server side of tc on 127.0.0.1:port.
func runServer(tc testCase, port int, p parameters) error {
	keys, err := keyLog(p)
	if err != nil {
		return err
	}
	if keys != nil {
		defer keys.Close()
	}
	config, err := newServerConfig(tc, p, keys)
	if err != nil {
		return step("setting up the server", err)
	}
	// Go sets SO_REUSEADDR on listening sockets.
	listener, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return err
	}
	defer listener.Close()

	if tc.flow == flowResumption {
		// One config for both connections: it holds the ticket keys.
		if err := resumptionServer(config, listener, false); err != nil {
			return step("connection 1", err)
		}
		return step("connection 2", resumptionServer(config, listener, true))
	}

	conn, err := accept(config, listener)
	if err != nil {
		return err
	}
	return finish(conn, serverExchange(tc, conn, p), closeAfterPeer)
}

// serverExchange is everything between the handshake and the close.
func serverExchange(tc testCase, conn *tls.Conn, p parameters) error {
	if err := checkHelloRetry(tc, conn); err != nil {
		return err
	}
	if tc.requireClientCertificate && len(conn.ConnectionState().VerifiedChains) == 0 {
		return errors.New("the client certificate was not verified")
	}
	switch tc.flow {
	case flowHandshake:
		return nil
	case flowDownload:
		if err := expect(conn, greeting, "the greeting"); err != nil {
			return err
		}
		return sendDownload(conn, p.downloadBytes)
	default:
		return respond(conn)
	}
}

// resumptionServer is one connection of resumption: the first must be a
// full handshake (it issues the ticket), the second must resume.
func resumptionServer(config *tls.Config, listener net.Listener, resume bool) error {
	conn, err := accept(config, listener)
	if err != nil {
		return err
	}
	err = checkResumed(conn, resume)
	if err == nil {
		err = respond(conn)
	}
	return finish(conn, err, closeAfterPeer)
}

// connect opens a TCP connection and completes the client handshake.
func connect(config *tls.Config, address string) (*tls.Conn, error) {
	tcp, err := net.Dial("tcp4", address)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to %s: %w", address, err)
	}
	return handshake(tls.Client(tcp, config))
}

// accept takes the next TCP connection and completes the server handshake.
func accept(config *tls.Config, listener net.Listener) (*tls.Conn, error) {
	tcp, err := listener.Accept()
	if err != nil {
		return nil, fmt.Errorf("accepting a TCP connection: %w", err)
	}
	return handshake(tls.Server(tcp, config))
}

// handshake runs the handshake now (not on the first Read or Write), so
// that a refusal is told apart from a failure of the exchange.
func handshake(conn *tls.Conn) (*tls.Conn, error) {
	if err := conn.Handshake(); err != nil {
		abandon(conn)
		return nil, &handshakeError{err}
	}
	return conn, nil
}

// finish closes conn the case's way when the exchange succeeded, else
// abandons it and returns the exchange's error.
func finish(conn *tls.Conn, exchangeErr error, closeRule func(*tls.Conn) error) error {
	if exchangeErr == nil {
		exchangeErr = closeRule(conn)
		if exchangeErr == nil {
			return nil
		}
	}
	abandon(conn)
	return exchangeErr
}

// request is the client half of request_response, without the close.
func request(conn *tls.Conn) error {
	if err := send(conn, greeting, "the greeting"); err != nil {
		return err
	}
	return expect(conn, response, "the response")
}

// respond is the server half of request_response, without the close.
func respond(conn *tls.Conn) error {
	if err := expect(conn, greeting, "the greeting"); err != nil {
		return err
	}
	return send(conn, response, "the response")
}

// checkResumed checks ConnectionState().DidResume is resume and reports the
// session_resumed fact for a resumed connection.
func checkResumed(conn *tls.Conn, resume bool) error {
	resumed := conn.ConnectionState().DidResume
	switch {
	case resumed && !resume:
		return errors.New("resumed, expected a full handshake")
	case !resumed && resume:
		return errors.New("a full handshake, expected a resumed one")
	case resumed:
		reportFact("session_resumed")
	}
	return nil
}

// checkHelloRetry checks, in hello_retry_request, that a HelloRetryRequest
// was sent (server) or received (client) and that secp256r1 was negotiated.
func checkHelloRetry(tc testCase, conn *tls.Conn) error {
	if !tc.checkHelloRetry {
		return nil
	}
	state := conn.ConnectionState()
	if !state.HelloRetryRequest {
		return errors.New("the handshake had no HelloRetryRequest")
	}
	if state.CurveID != tls.CurveP256 {
		return fmt.Errorf("negotiated group %v, expected secp256r1 (CurveP256)", state.CurveID)
	}
	return nil
}
