package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Shared values of the contract.
var (
	greeting = []byte("i am the client. nice to meet you server.")
	response = []byte("i am the server. a pleasure to make your acquaintance.")
)

// chunkBytes is the download's write size; byte 0 of each chunk is its tag.
const chunkBytes = 1_000_000

// chunkTag is byte 0 of the chunk at offset.
func chunkTag(offset uint64) byte {
	return byte((offset / 1_000_000_000) % 255)
}

// send writes the whole message.
func send(conn *tls.Conn, message []byte, what string) error {
	if _, err := conn.Write(message); err != nil {
		return fmt.Errorf("sending %s: %w", what, err)
	}
	return nil
}

// expect reads exactly len(expected) bytes and checks they are expected.
func expect(conn *tls.Conn, expected []byte, what string) error {
	received := make([]byte, len(expected))
	n, err := io.ReadFull(conn, received)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("peer closed after %d of the %d bytes of %s", n, len(expected), what)
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}
	if string(received) != string(expected) {
		return fmt.Errorf("%s mismatch: expected %q, received %q", what, expected, received)
	}
	return nil
}

// sendDownload writes total bytes as 1,000,000-byte tagged writes.
func sendDownload(conn *tls.Conn, total uint64) error {
	chunk := make([]byte, chunkBytes)
	for offset := uint64(0); offset < total; offset += chunkBytes {
		length := min(total-offset, chunkBytes)
		chunk[0] = chunkTag(offset)
		if _, err := conn.Write(chunk[:length]); err != nil {
			return fmt.Errorf("sending the download at offset %d: %w", offset, err)
		}
	}
	return nil
}

// receiveDownload reads exactly total bytes, checking every chunk's tag.
// crypto/tls takes in the server's KeyUpdates (answering update_requested
// with its own) while reading.
func receiveDownload(conn *tls.Conn, total uint64) error {
	buffer := make([]byte, chunkBytes)
	var offset, nextTag uint64
	for offset < total {
		wanted := min(total-offset, uint64(len(buffer)))
		n, err := conn.Read(buffer[:wanted])
		if n == 0 && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
			return fmt.Errorf("peer closed after %d of %d download bytes", offset, total)
		}
		if err != nil && n == 0 {
			return fmt.Errorf("reading the download at offset %d of %d: %w", offset, total, err)
		}
		end := offset + uint64(n)
		for ; nextTag < end; nextTag += chunkBytes {
			if got, want := buffer[nextTag-offset], chunkTag(nextTag); got != want {
				return fmt.Errorf("download chunk at offset %d has tag %d, expected %d", nextTag, got, want)
			}
		}
		offset = end
	}
	return nil
}

// closeFirst is "close": send close_notify, read until the peer's close,
// then close the socket.
func closeFirst(conn *tls.Conn) error {
	if err := conn.CloseWrite(); err != nil {
		return fmt.Errorf("sending close_notify: %w", err)
	}
	if err := awaitClose(conn); err != nil {
		return err
	}
	return closeSocket(conn)
}

// closeAfterPeer is "close after the client": read until the peer's close,
// then send close_notify and close the socket.
func closeAfterPeer(conn *tls.Conn) error {
	if err := awaitClose(conn); err != nil {
		return err
	}
	if err := conn.CloseWrite(); err != nil {
		return fmt.Errorf("sending close_notify: %w", err)
	}
	return closeSocket(conn)
}

// awaitClose reads until the peer's close_notify or end of stream (both
// io.EOF from crypto/tls); any data is an error.
func awaitClose(conn *tls.Conn) error {
	buffer := make([]byte, 4096)
	for {
		n, err := conn.Read(buffer)
		if n > 0 {
			return fmt.Errorf("received %d unexpected bytes while waiting for the peer to close", n)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("waiting for the peer to close: %w", err)
		}
	}
}

// closeSocket closes the connection after close_notify went out (Close
// sends nothing more then).
func closeSocket(conn *tls.Conn) error {
	if err := conn.Close(); err != nil {
		return fmt.Errorf("closing the connection: %w", err)
	}
	return nil
}

// abandonDelay bounds how long a failed connection waits for the peer.
const abandonDelay = 2 * time.Second

// abandon ends a connection on which a step failed, without close_notify:
// after a failed handshake crypto/tls has already flushed its alert, if any,
// and after a failed exchange nothing more is owed. The socket is
// half-closed and drained briefly before it is closed, so unread bytes from
// the peer do not turn the close into a reset that could overtake the alert.
func abandon(conn *tls.Conn) {
	tcp, ok := conn.NetConn().(*net.TCPConn)
	if !ok {
		conn.Close()
		return
	}
	tcp.CloseWrite()
	tcp.SetReadDeadline(time.Now().Add(abandonDelay))
	io.Copy(io.Discard, tcp)
	tcp.Close()
}
