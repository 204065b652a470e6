"""crosscheck TLS interop shim for tlslite-ng, a pure Python TLS library.

The contract (invocation, exit codes, environment, shared values, cases) is
in shims/README.md. Build and run (from the project root):

    shims/tls-python/build.sh OUT
    OUT/tls-shim-tlslite client|server CASE PORT
    OUT/tls-shim-tlslite version

Every connection is TLS 1.3 only (HandshakeSettings minVersion = maxVersion
= (3, 4)).

Reading order: main() -> Settings (arguments and environment) -> CASES (the
case names, and why tlslite-ng cannot play some of them) -> Client and
Server (one scenario driver per case and role) -> Channel (message I/O and
the close rules) -> ShimConnection (the TLSConnection with peer certificate
checks and the key log) -> chain_problem (certificate chain check) -> Pki
(PEM loading) -> tls_settings (HandshakeSettings per case and role).

What tlslite-ng does not do itself, and how the shim fills the gap:

- Certificate verification. tlslite-ng checks only that the peer's
  CertificateVerify signature matches the leaf's key; it does not validate
  the chain, and a TLS 1.3 server completes the handshake when the client
  answers a CertificateRequest with an empty Certificate. The shim checks
  every Certificate message the peer sends during the handshake, as it
  arrives: each certificate's issuer name must be the next certificate's
  subject and its ECDSA signature must verify with that certificate's key,
  up to one issued (and signed) by ca-certificate.pem. It does so with
  tlslite-ng's own X509 parser, its ASN1Parser and its ECDSA hashAndVerify,
  and refuses through tlslite-ng's own alert path (unknown_ca,
  bad_certificate, or certificate_required for a missing client chain).
  Not checked: validity periods, the server name, basicConstraints, key
  usage, path length: tlslite-ng parses none of them (its X509 class has no
  validity period, no extensions, no subjectAltName), so the client declares
  expired_certificate and wrong_hostname unsupported.
- Key log. tlslite-ng has no key log callback, and its TLSConnection keeps
  the handshake traffic secrets only in local variables. The shim wraps the
  connection's record layer method calcTLS1_3PendingState, which tlslite-ng
  calls with the client and server handshake traffic secrets and then with
  the application traffic secrets, and takes the client random from the
  ClientHello in tlslite-ng's handshake transcript. EXPORTER_SECRET is the
  session's exporterMasterSecret.
- Resumption on the server. tlslite-ng's TLS 1.3 server leaves
  TLSConnection.resumed False even after a PSK handshake; it sets
  serverSigAlg only when it signs a CertificateVerify, which a PSK
  handshake does not, so a completed handshake without one is a resumed
  one.
- Closing. TLSConnection.close() sends close_notify and closes the socket
  at once; the shim sends close_notify itself (_sendMsg) and reads until
  the peer's close (see Channel.close).

The hooks above use tlslite-ng internals (TLSConnection._getMsg, _sendError,
_sendMsg, _recordLayer, _handshake_hash), which is why requirements.txt pins
the exact version. Everything, including AES-GCM and ChaCha20-Poly1305, runs
in pure Python (the launcher keeps site-packages, and so M2Crypto or
pycrypto, out): bulk data moves at a few hundred kB/s.
"""

import os
import platform
import socket
import sys

from tlslite import __version__ as TLSLITE_VERSION
from tlslite.constants import (AlertDescription, AlertLevel, GroupName,
                               HashAlgorithm, KeyUpdateMessageType,
                               SignatureAlgorithm, TLS_1_3_HRR)
from tlslite.errors import (TLSAbruptCloseError, TLSError, TLSLocalAlert,
                            TLSRemoteAlert)
from tlslite.handshakesettings import HandshakeSettings
from tlslite.messages import (Alert, Certificate, CertificateRequest,
                              ServerHello)
from tlslite.tlsconnection import TLSConnection
from tlslite.utils.asn1parser import ASN1Parser
from tlslite.utils.cryptomath import getRandomBytes
from tlslite.utils.keyfactory import parsePEMKey
from tlslite.x509 import X509
from tlslite.x509certchain import X509CertChain

PROGRAM = "tls-shim-tlslite"

# ---------------------------------------------------------------------------
# Shared values of the contract
# ---------------------------------------------------------------------------

GREETING = b"i am the client. nice to meet you server."
RESPONSE = b"i am the server. a pleasure to make your acquaintance."

# Download chunk size; the first byte of each chunk is its tag.
CHUNK_BYTES = 1_000_000

DEFAULT_DOWNLOAD_BYTES = 256_000_000_000
DEFAULT_KEY_UPDATE_INTERVAL_BYTES = 1_000_000_000

# The server name the client asks for (SNI).
LOCALHOST = "localhost"
# Where the server listens and the client connects.
LOOPBACK = "127.0.0.1"

EXTERNAL_PSK_IDENTITY = b"crosscheck-external-psk"
EXTERNAL_PSK_SECRET = bytes(range(32))

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNSUPPORTED = 127


def chunk_tag(offset):
    """Tag byte of the download chunk starting at offset."""
    return (offset // 1_000_000_000) % 255


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

CLIENT = "client"
SERVER = "server"

NO_EARLY_DATA = (
    "tlslite-ng has no TLS 1.3 0-RTT: its client never sends the early_data "
    "extension, and its server only skips (rejects) early data records it "
    "cannot decrypt; its NewSessionTickets carry no early_data extension")

# Pure-Python AES-GCM and ChaCha20-Poly1305 move 0.2-0.5 MB/s, so the
# download cases' default 10 MB takes 40-110 s against a 20 s deadline.
TOO_SLOW = (
    "tlslite-ng's pure-Python record protection moves 0.2-0.5 MB/s, so the "
    "download cannot finish within the case's deadline")


class Case:
    """A case: which side must refuse (negative cases), and why tlslite-ng
    cannot play a role (None where it can)."""

    def __init__(self, refuser=None, client_unsupported=None,
                 server_unsupported=None):
        self.refuser = refuser
        self.unsupported = {CLIENT: client_unsupported,
                            SERVER: server_unsupported}


CASES = {
    "handshake": Case(),
    "request_response": Case(),
    "large_data_download": Case(client_unsupported=TOO_SLOW,
                                server_unsupported=TOO_SLOW),
    # The server sends KeyUpdate(update_not_requested) with
    # TLSConnection.send_keyupdate_request; the client processes KeyUpdates
    # while reading (and answers update_requested with its own).
    "large_data_download_with_frequent_key_updates": Case(
        client_unsupported=TOO_SLOW, server_unsupported=TOO_SLOW),
    "mtls_request_response": Case(),
    "resumption": Case(),
    "early_data": Case(client_unsupported=NO_EARLY_DATA,
                       server_unsupported=NO_EARLY_DATA),
    # HandshakeSettings.pskConfigs (identity, secret, "sha256").
    "out_of_band_psk": Case(),
    # Client: HandshakeSettings.keyShares ["x25519"] with eccCurves
    # ["x25519", "secp256r1"]; server: secp256r1 alone.
    "hello_retry_request": Case(),
    "small_tcp_packet": Case(),
    # Negative cases: the refusing side prints `crosscheck-refusal: WHY`.
    "untrusted_certificate": Case(refuser=CLIENT),
    "wrong_hostname": Case(
        refuser=CLIENT,
        client_unsupported="tlslite-ng does not check the server name: its "
        "X509 class parses no subjectAltName or other extension, and no "
        "TLSConnection or HandshakeSettings option compares a certificate "
        "with the name asked for"),
    "expired_certificate": Case(
        refuser=CLIENT,
        client_unsupported="tlslite-ng does not check certificate validity "
        "periods: its X509 class parses no notBefore/notAfter"),
    "client_certificate_required": Case(refuser=SERVER),
    "no_shared_group": Case(refuser=SERVER),
}


# ---------------------------------------------------------------------------
# Arguments and environment
# ---------------------------------------------------------------------------

USAGE = (
    "usage: {0} client|server CASE PORT\n"
    "       {0} version\n"
    "  CASE is one of: {1}\n"
    "  environment: CROSSCHECK_TLS_CERTIFICATES (directory, default "
    "'certificates'),\n"
    "               CROSSCHECK_TLS_DOWNLOAD_BYTES (default {2}),\n"
    "               CROSSCHECK_TLS_KEY_UPDATE_INTERVAL_BYTES (default {3}),\n"
    "               SSLKEYLOGFILE (NSS key log, appended to)").format(
        PROGRAM, ", ".join(CASES), DEFAULT_DOWNLOAD_BYTES,
        DEFAULT_KEY_UPDATE_INTERVAL_BYTES)


class UsageError(Exception):
    """Bad arguments or environment: usage message, exit 2."""


class CheckFailed(Exception):
    """A scenario check that did not hold: message on stderr, exit 1."""


class Settings:
    """The parsed command line and environment."""

    def __init__(self, args, env):
        if len(args) != 3:
            raise UsageError("expected 3 arguments, got {}".format(len(args)))
        role, case_name, port = args
        if role not in (CLIENT, SERVER):
            raise UsageError(
                "role must be 'client' or 'server', got '{}'".format(role))
        if not case_name or not all(c.islower() or c.isdigit() or c == "_"
                                    for c in case_name):
            raise UsageError("CASE must be a case name like 'handshake', "
                             "got '{}'".format(case_name))
        self.role = role
        self.case_name = case_name
        # None when the case name is not one this shim knows.
        self.case = CASES.get(case_name)
        self.port = parse_number("PORT", port, 1, 65535)
        self.certificates = env.get("CROSSCHECK_TLS_CERTIFICATES") or \
            "certificates"
        self.download_bytes = number_from_env(
            env, "CROSSCHECK_TLS_DOWNLOAD_BYTES", DEFAULT_DOWNLOAD_BYTES, 0)
        self.key_update_interval_bytes = number_from_env(
            env, "CROSSCHECK_TLS_KEY_UPDATE_INTERVAL_BYTES",
            DEFAULT_KEY_UPDATE_INTERVAL_BYTES, 1)
        self.key_log = KeyLog(env.get("SSLKEYLOGFILE") or None)


def parse_number(name, text, low, high=None):
    if not text.isascii() or not text.isdigit():
        raise UsageError("{} must be a decimal integer, got '{}'".format(
            name, text))
    value = int(text)
    if value < low or (high is not None and value > high):
        raise UsageError("{} must be between {} and {}, got {}".format(
            name, low, high if high is not None else "any", value))
    return value


def number_from_env(env, name, default, low):
    text = env.get(name)
    if not text:
        return default
    return parse_number(name, text, low)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------

def version_line():
    return "tlslite-ng {} (Python {})".format(TLSLITE_VERSION,
                                              platform.python_version())


def main(args, env):
    if args == ["version"]:
        print(version_line())
        return EXIT_OK
    try:
        settings = Settings(args, env)
    except UsageError as e:
        print("{}: {}".format(PROGRAM, e), file=sys.stderr)
        print(USAGE, file=sys.stderr)
        return EXIT_USAGE

    label = "{} {} {}".format(PROGRAM, settings.role, settings.case_name)
    # A case this shim does not know is one it does not support.
    if settings.case is None:
        print("{}: unsupported: unknown case".format(label), file=sys.stderr)
        return EXIT_UNSUPPORTED
    unsupported = settings.case.unsupported[settings.role]
    if unsupported:
        print("{}: unsupported: {}".format(label, unsupported),
              file=sys.stderr)
        return EXIT_UNSUPPORTED

    driver = Client if settings.role == CLIENT else Server
    try:
        driver(settings).run()
    except (CheckFailed, TLSError, OSError) as e:
        # The refusing side's own refusal: tlslite-ng raises TLSLocalAlert
        # after sending a fatal alert on its own finding (TLSRemoteAlert is
        # the peer's).
        if settings.case.refuser == settings.role and \
                isinstance(e, TLSLocalAlert):
            print("crosscheck-refusal: " + one_line(describe(e)), flush=True)
        print("{}: failed: {}".format(label, describe(e)), file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def describe(e):
    """The exception's class and message."""
    if isinstance(e, CheckFailed):
        return str(e)
    message = str(e)
    name = type(e).__name__
    return "{} ({})".format(name, message) if message else name


def one_line(text):
    return " ".join(text.split())


def report_fact(name):
    """A `crosscheck-fact: NAME` line; drivers call it only after checking
    the fact."""
    print("crosscheck-fact: " + name, flush=True)


# ---------------------------------------------------------------------------
# Client scenarios: one method per case
# ---------------------------------------------------------------------------

class Client:
    def __init__(self, settings):
        self.settings = settings
        self.pki = Pki(settings.certificates)

    def run(self):
        name = self.settings.case_name
        if name == "handshake":
            self.handshake()
        elif name == "large_data_download" or \
                name == "large_data_download_with_frequent_key_updates":
            # tlslite-ng processes the server's KeyUpdates while reading.
            self.download()
        elif name == "mtls_request_response":
            self.mtls_request_response()
        elif name == "resumption":
            self.resumption()
        elif name == "out_of_band_psk":
            self.out_of_band_psk()
        elif name == "hello_retry_request":
            self.hello_retry_request()
        else:
            # request_response, small_tcp_packet; the negative cases, where
            # the server presents a chain to refuse, asks for a certificate
            # this client does not have, or accepts no group it offers.
            self.request_response()

    def connect(self, certificate=None, session=None):
        """A TLS 1.3 connection to 127.0.0.1:PORT as "localhost", its
        handshake complete. certificate: (chain, key) to present."""
        chain, key = certificate if certificate else (None, None)
        channel = Channel.connect(self.settings, self.pki.ca())
        try:
            channel.conn.handshakeClientCert(
                certChain=chain, privateKey=key, session=session,
                settings=tls_settings(self.settings.case_name, CLIENT),
                serverName=LOCALHOST)
            channel.handshake_done()
        except BaseException:
            channel.abandon()
            raise
        return channel

    def handshake(self):
        with self.connect() as channel:
            channel.close()

    def request_response(self):
        with self.connect() as channel:
            self.exchange(channel)

    def download(self):
        with self.connect() as channel:
            channel.send(GREETING)
            channel.receive_download(self.settings.download_bytes)
            channel.close()

    def mtls_request_response(self):
        with self.connect(certificate=self.pki.client()) as channel:
            if not channel.conn.shim_saw_certificate_request:
                raise CheckFailed(
                    "the server did not ask for the client certificate")
            self.exchange(channel)

    def resumption(self):
        with self.connect() as channel:
            if channel.conn.resumed:
                raise CheckFailed("connection 1 was resumed")
            # Reading the response also collects the NewSessionTickets,
            # which tlslite-ng keeps in the session (Session.tickets).
            self.exchange(channel)
            session = channel.conn.session
        if not session.valid():
            raise CheckFailed("connection 1 left no resumable session "
                              "(no NewSessionTicket arrived)")
        with self.connect(session=session) as channel:
            if not channel.conn.resumed:
                raise CheckFailed(
                    "connection 2 was not resumed (it was a full handshake)")
            report_fact("session_resumed")
            self.exchange(channel)

    def out_of_band_psk(self):
        with self.connect() as channel:
            # A handshake authenticated by a PSK carries no Certificate.
            if channel.conn.session.serverCertChain is not None:
                raise CheckFailed("the server authenticated with a "
                                  "certificate, not the external PSK")
            self.exchange(channel)

    def hello_retry_request(self):
        with self.connect() as channel:
            check_group(channel.conn)
            if not channel.conn.shim_saw_hello_retry_request:
                raise CheckFailed("the server sent no HelloRetryRequest")
            self.exchange(channel)

    @staticmethod
    def exchange(channel):
        """The client half of request_response."""
        channel.send(GREETING)
        channel.receive_exactly(RESPONSE, "response")
        channel.close()


def check_group(conn):
    """The negotiated group (TLSConnection.ecdhCurve) is secp256r1."""
    if conn.ecdhCurve != GroupName.secp256r1:
        raise CheckFailed("negotiated group is {}, expected secp256r1".format(
            GroupName.toStr(conn.ecdhCurve)))


# ---------------------------------------------------------------------------
# Server scenarios: one method per case
# ---------------------------------------------------------------------------

class Server:
    def __init__(self, settings):
        self.settings = settings
        self.pki = Pki(settings.certificates)

    def run(self):
        name = self.settings.case_name
        if name == "handshake":
            self.handshake()
        elif name == "large_data_download":
            self.download(0)
        elif name == "large_data_download_with_frequent_key_updates":
            self.download(self.settings.key_update_interval_bytes)
        elif name in ("mtls_request_response", "client_certificate_required"):
            # Requires a client certificate (the client of
            # client_certificate_required has none).
            self.mtls_request_response()
        elif name == "resumption":
            self.resumption()
        elif name == "out_of_band_psk":
            self.out_of_band_psk()
        elif name == "hello_retry_request":
            self.hello_retry_request()
        else:
            # request_response, small_tcp_packet; the certificate cases
            # present their refused chain (identity()); no_shared_group
            # accepts secp256r1 alone (tls_settings()).
            self.request_response()

    def identity(self):
        """The chain and key this server presents: server-chain.pem, or in
        the certificate cases the chain the client must refuse."""
        refused = {
            "untrusted_certificate": "untrusted-server-chain.pem",
            "wrong_hostname": "wrong-name-server-chain.pem",
            "expired_certificate": "expired-server-chain.pem",
        }.get(self.settings.case_name)
        if refused:
            return self.pki.refused_server(refused)
        return self.pki.server()

    def accept(self, listener, identity=None, require_client_certificate=False,
               tls=None):
        """Accepts the next connection and completes its handshake."""
        chain, key = identity if identity else (None, None)
        channel = Channel.accept(self.settings, listener, self.pki.ca(),
                                 require_client_certificate)
        try:
            channel.conn.handshakeServer(
                certChain=chain, privateKey=key,
                reqCert=require_client_certificate,
                settings=tls or tls_settings(self.settings.case_name, SERVER))
            channel.handshake_done()
        except BaseException:
            channel.abandon()
            raise
        return channel

    def handshake(self):
        with listen(self.settings.port) as listener, \
                self.accept(listener, self.identity()) as channel:
            channel.close_after_client()

    def request_response(self):
        with listen(self.settings.port) as listener, \
                self.accept(listener, self.identity()) as channel:
            self.exchange(channel)

    def download(self, key_update_interval):
        with listen(self.settings.port) as listener, \
                self.accept(listener, self.identity()) as channel:
            channel.receive_exactly(GREETING, "greeting")
            channel.send_download(self.settings.download_bytes,
                                  key_update_interval)
            channel.close_after_client()

    def mtls_request_response(self):
        # The client chain is checked when it arrives (ShimConnection); a
        # missing or unverifiable one fails the handshake.
        with listen(self.settings.port) as listener, \
                self.accept(listener, self.identity(),
                            require_client_certificate=True) as channel:
            chain = channel.conn.session.clientCertChain
            if not chain or not chain.getNumCerts():
                raise CheckFailed("the client presented no certificate")
            self.exchange(channel)

    def resumption(self):
        # One settings object for both connections: it holds the ticket key.
        tls = tls_settings(self.settings.case_name, SERVER)
        with listen(self.settings.port) as listener:
            with self.accept(listener, self.identity(), tls=tls) as channel:
                if channel.conn.serverSigAlg is None:
                    raise CheckFailed("connection 1 was resumed (the server "
                                      "signed no CertificateVerify)")
                self.exchange(channel)
            with self.accept(listener, self.identity(), tls=tls) as channel:
                if channel.conn.serverSigAlg is not None:
                    raise CheckFailed("connection 2 was not resumed (the "
                                      "server signed a CertificateVerify)")
                report_fact("session_resumed")
                self.exchange(channel)

    def out_of_band_psk(self):
        # No certificate: the external PSK (tls_settings()) is the only
        # credential, so a completed handshake used it.
        with listen(self.settings.port) as listener, \
                self.accept(listener) as channel:
            if channel.conn.serverSigAlg is not None:
                raise CheckFailed("the server signed a CertificateVerify")
            self.exchange(channel)

    def hello_retry_request(self):
        with listen(self.settings.port) as listener, \
                self.accept(listener, self.identity()) as channel:
            check_group(channel.conn)
            self.exchange(channel)

    @staticmethod
    def exchange(channel):
        """The server half of request_response."""
        channel.receive_exactly(GREETING, "greeting")
        channel.send(RESPONSE)
        channel.close_after_client()


def listen(port):
    """A listening socket on 127.0.0.1:port with SO_REUSEADDR."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((LOOPBACK, port))
        listener.listen(8)
    except BaseException:
        listener.close()
        raise
    return listener


# ---------------------------------------------------------------------------
# Message I/O and closing
# ---------------------------------------------------------------------------

class Channel:
    """A TCP connection and its ShimConnection."""

    def __init__(self, tcp, conn, settings):
        self.tcp = tcp
        self.conn = conn
        self.settings = settings

    @classmethod
    def connect(cls, settings, ca):
        tcp = socket.create_connection((LOOPBACK, settings.port))
        tcp.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = ShimConnection(tcp, lambda chain: server_chain_problem(
            chain, ca), settings.key_log)
        return cls(tcp, conn, settings)

    @classmethod
    def accept(cls, settings, listener, ca, require_client_certificate):
        tcp, _ = listener.accept()
        tcp.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        check = None
        if require_client_certificate:
            check = lambda chain: client_chain_problem(chain, ca)
        return cls(tcp, ShimConnection(tcp, check, settings.key_log),
                   settings)

    def handshake_done(self):
        self.conn.shim_log_session_secrets()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.abandon()

    def abandon(self):
        """Closes the TCP connection (tlslite-ng has already sent any alert)."""
        self.tcp.close()

    def send(self, message):
        """Writes the whole message."""
        self.conn.write(message)

    def receive_exactly(self, expected, what):
        """Reads exactly len(expected) bytes and checks they equal expected."""
        got = self.read_fully(len(expected), what)
        if got != expected:
            raise CheckFailed("wrong {}: got {!r}".format(what, got))

    def read_fully(self, length, what):
        # read(max, min) blocks until min bytes arrived or the peer closed.
        data = self.conn.read(length, length)
        if len(data) < length:
            raise CheckFailed("peer closed the connection after {} of {} "
                              "bytes of the {}".format(len(data), length,
                                                       what))
        return data

    def send_download(self, total, key_update_interval):
        """Writes total bytes as 1,000,000-byte writes, each chunk starting
        with its tag. With a positive key_update_interval, sends a KeyUpdate
        (update_not_requested) before every offset that is a multiple of it
        (offset 0 included), splitting a chunk's write where one falls
        inside."""
        chunk = bytearray(CHUNK_BYTES)
        view = memoryview(chunk)
        next_key_update = 0 if key_update_interval > 0 else None
        for offset in range(0, total, CHUNK_BYTES):
            chunk[0] = chunk_tag(offset)
            end = min(offset + CHUNK_BYTES, total)
            written = offset
            while written < end:
                if written == next_key_update:
                    for _ in self.conn.send_keyupdate_request(
                            KeyUpdateMessageType.update_not_requested):
                        pass
                    next_key_update += key_update_interval
                stop = end if next_key_update is None else \
                    min(end, next_key_update)
                self.conn.write(view[written - offset:stop - offset])
                written = stop

    def receive_download(self, total):
        """Reads total bytes chunk by chunk, checking each chunk's tag."""
        for offset in range(0, total, CHUNK_BYTES):
            length = min(CHUNK_BYTES, total - offset)
            chunk = self.read_fully(length,
                                    "download at offset {}".format(offset))
            if chunk[0] != chunk_tag(offset):
                raise CheckFailed("chunk at offset {} has tag {}, expected "
                                  "{}".format(offset, chunk[0],
                                              chunk_tag(offset)))

    def close(self):
        """"Close": send close_notify, then read until the peer's close.

        TCP's write side is shut down after close_notify (as a TLS socket's
        shutdownOutput does), so tlslite-ng's automatic close_notify reply
        to the peer's close_notify goes nowhere: it answers only when it did
        not send its own first."""
        self.conn.shim_send_close_notify()
        self.tcp.shutdown(socket.SHUT_WR)
        self.read_until_close("after sending close_notify")

    def close_after_client(self):
        """"Close after the client": read until the client's close, then
        send close_notify (tlslite-ng answers the client's close_notify with
        its own while reading)."""
        self.read_until_close("before the client's close")

    def read_until_close(self, when):
        """Reads until close_notify or end of stream; any data is a
        failure."""
        unexpected = 0
        while True:
            try:
                data = self.conn.read()
            except TLSAbruptCloseError:
                # A 0-byte read without close_notify is a close too.
                break
            if not data:
                break
            unexpected += len(data)
        if unexpected:
            raise CheckFailed("peer sent {} unexpected bytes {}".format(
                unexpected, when))


# ---------------------------------------------------------------------------
# The TLS connection
# ---------------------------------------------------------------------------

class ShimConnection(TLSConnection):
    """tlslite-ng's TLSConnection with a check of the peer's certificate
    chain during the handshake, and an NSS key log.

    peer_check(chain) returns None for an acceptable chain, else (alert
    description, reason); None as peer_check accepts every chain (a server
    not asking for one)."""

    def __init__(self, sock, peer_check, key_log):
        TLSConnection.__init__(self, sock)
        self.shim_peer_check = peer_check
        self.shim_key_log = key_log
        self.shim_saw_certificate_request = False
        self.shim_saw_hello_retry_request = False
        if key_log.enabled:
            self.shim_hook_traffic_secrets()

    def _getMsg(self, expectedType, secondaryType=None,
                constructorType=None):
        # Every handshake message received passes through here; a
        # Certificate is checked before tlslite-ng goes on to its
        # CertificateVerify. `closed` is True until the handshake is done.
        for result in TLSConnection._getMsg(self, expectedType,
                                            secondaryType, constructorType):
            if isinstance(result, Certificate) and self.closed and \
                    self.shim_peer_check:
                problem = self.shim_peer_check(result.cert_chain)
                if problem:
                    alert, reason = problem
                    # Sends the fatal alert and raises TLSLocalAlert.
                    for step in self._sendError(alert, reason):
                        yield step
            elif isinstance(result, CertificateRequest):
                self.shim_saw_certificate_request = True
            elif isinstance(result, ServerHello) and \
                    result.random == TLS_1_3_HRR:
                self.shim_saw_hello_retry_request = True
            yield result

    def shim_send_close_notify(self):
        """Sends a close_notify alert (TLSConnection.close() would also
        close the socket without waiting for the peer's close)."""
        alert = Alert().create(AlertDescription.close_notify,
                               AlertLevel.warning)
        for _ in self._sendMsg(alert):
            pass

    def shim_hook_traffic_secrets(self):
        """Logs the secrets tlslite-ng installs in its record layer: the
        first calcTLS1_3PendingState call of a TLS 1.3 handshake gets the
        handshake traffic secrets, the second the application ones."""
        layer = self._recordLayer
        install = layer.calcTLS1_3PendingState
        labels = iter([
            ("CLIENT_HANDSHAKE_TRAFFIC_SECRET",
             "SERVER_HANDSHAKE_TRAFFIC_SECRET"),
            ("CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"),
        ])

        def logging_install(cipher_suite, client_secret, server_secret,
                            implementations):
            pair = next(labels, None)
            if pair:
                random = self.shim_client_random()
                self.shim_key_log.write(pair[0], random, client_secret)
                self.shim_key_log.write(pair[1], random, server_secret)
            return install(cipher_suite, client_secret, server_secret,
                           implementations)

        layer.calcTLS1_3PendingState = logging_install

    def shim_log_session_secrets(self):
        """Logs the secrets of the finished handshake's session."""
        if self.shim_key_log.enabled and self.session and \
                self.session.exporterMasterSecret:
            self.shim_key_log.write("EXPORTER_SECRET",
                                    self.shim_client_random(),
                                    self.session.exporterMasterSecret)

    def shim_client_random(self):
        """The ClientHello's random, from tlslite-ng's handshake transcript
        (after a HelloRetryRequest it starts with message_hash and the
        HelloRetryRequest, then the second ClientHello, whose random is the
        first one's)."""
        transcript = self._handshake_hash.digest("intrinsic")
        at = 0
        while at + 4 <= len(transcript):
            kind = transcript[at]
            length = int.from_bytes(transcript[at + 1:at + 4], "big")
            if kind == 1:  # client_hello: legacy_version (2), random (32)
                return bytes(transcript[at + 6:at + 38])
            at += 4 + length
        raise CheckFailed("no ClientHello in the handshake transcript")


class KeyLog:
    """The NSS key log in SSLKEYLOGFILE (appended to; none when unset)."""

    def __init__(self, path):
        self.path = path
        self.enabled = path is not None

    def write(self, label, client_random, secret):
        line = "{} {} {}\n".format(label, client_random.hex(),
                                   bytes(secret).hex())
        with open(self.path, "a") as out:
            out.write(line)


# ---------------------------------------------------------------------------
# Certificate chain checks
# ---------------------------------------------------------------------------

def server_chain_problem(chain, ca):
    """None when the server's chain leads to the CA, else (alert, reason)."""
    if not chain or not chain.getNumCerts():
        return AlertDescription.bad_certificate, "no server certificate"
    return chain_problem(chain.x509List, ca)


def client_chain_problem(chain, ca):
    """As server_chain_problem, for the client chain a server requires."""
    if not chain or not chain.getNumCerts():
        return (AlertDescription.certificate_required,
                "the client sent no certificate")
    return chain_problem(chain.x509List, ca)


def chain_problem(certificates, ca):
    """Checks that certificates (leaf first) chain up to the trusted CA:
    each certificate's issuer name is the next one's subject and its
    signature verifies with the next one's key, up to a certificate issued
    and signed by the CA (or the CA itself). Validity periods, names,
    basicConstraints and key usage are not checked (tlslite-ng parses none
    of them). Returns None, or (alert, reason)."""
    for index, certificate in enumerate(certificates):
        if certificate.bytes == ca.bytes:
            return None
        if certificate.issuer == ca.subject:
            if signed_by(certificate, ca):
                return None
            return (AlertDescription.bad_certificate,
                    "certificate {} names the trusted CA as issuer but its "
                    "signature does not verify with the CA's key".format(
                        index))
        if index + 1 == len(certificates):
            break
        issuer = certificates[index + 1]
        if certificate.issuer != issuer.subject:
            return (AlertDescription.bad_certificate,
                    "certificate {} was not issued by the next certificate "
                    "in the chain".format(index))
        if not signed_by(certificate, issuer):
            return (AlertDescription.bad_certificate,
                    "the signature of certificate {} does not verify with "
                    "the next certificate's key".format(index))
    return (AlertDescription.unknown_ca,
            "the certificate chain does not lead to the trusted CA")


def signed_by(certificate, issuer):
    """Whether certificate's ECDSA signature verifies with issuer's key
    (tlslite-ng's ASN1Parser and ECDSAKey.hashAndVerify)."""
    hash_id, signature_id = certificate.sigalg
    if signature_id != SignatureAlgorithm.ecdsa or issuer.certAlg != "ecdsa":
        return False
    der = ASN1Parser(certificate.bytes)
    to_be_signed = der.getChildBytes(0)
    signature_bits = der.getChild(2).value
    # A BIT STRING: the count of unused bits (0), then the DER signature.
    if not signature_bits or signature_bits[0] != 0:
        return False
    return issuer.publicKey.hashAndVerify(
        signature_bits[1:], to_be_signed, None,
        HashAlgorithm.toRepr(hash_id))


# ---------------------------------------------------------------------------
# PKI
# ---------------------------------------------------------------------------

class Pki:
    """The test PKI in the CROSSCHECK_TLS_CERTIFICATES directory."""

    def __init__(self, directory):
        self.directory = directory

    def ca(self):
        """The root CA, the only trust anchor."""
        return X509().parse(self.read("ca-certificate.pem"))

    def server(self):
        return self.identity("server-chain.pem", "server-key.pem")

    def refused_server(self, chain_file):
        """A server identity for a negative case: chain_file (one the
        client must refuse) with refused-server-key.pem."""
        return self.identity(chain_file, "refused-server-key.pem")

    def client(self):
        return self.identity("client-chain.pem", "client-key.pem")

    def identity(self, chain_file, key_file):
        """(X509CertChain, private key) from PEM files; the keys are ECDSA
        P-256 in PKCS#8."""
        chain = X509CertChain()
        chain.parsePemList(self.read(chain_file))
        if not chain.getNumCerts():
            raise CheckFailed("no certificate in " + chain_file)
        key = parsePEMKey(self.read(key_file), private=True)
        return chain, key

    def read(self, name):
        path = os.path.join(self.directory, name)
        try:
            with open(path) as f:
                return f.read()
        except OSError as e:
            raise CheckFailed("cannot read {}: {}".format(path, e))


# ---------------------------------------------------------------------------
# tlslite-ng settings
# ---------------------------------------------------------------------------

def tls_settings(case_name, role):
    """The HandshakeSettings of a case and role: TLS 1.3 only."""
    s = HandshakeSettings()
    s.minVersion = (3, 4)
    s.maxVersion = (3, 4)
    # Heartbeat (RFC 6520) has no meaning in TLS 1.3; tlslite-ng offers it
    # by default.
    s.use_heartbeat_extension = False
    if role == CLIENT:
        # tlslite-ng 0.8.2 decides whether to compress the client's
        # Certificate (RFC 8879) from the compress_certificate extension of
        # its own ClientHello instead of the server's CertificateRequest
        # (_clientTLS13Handshake passes clientHello to _create_cert_msg), so
        # it sends a CompressedCertificate to servers that never offered
        # compression, which they refuse with unexpected_message. The client
        # therefore does not compress its certificate.
        s.certificate_compression_send = []

    if case_name == "hello_retry_request" and role == CLIENT:
        # Offer x25519 then secp256r1, with a key share for x25519 only.
        s.eccCurves = ["x25519", "secp256r1"]
        s.keyShares = ["x25519"]
        s.dhGroups = []
    elif case_name == "no_shared_group" and role == CLIENT:
        s.eccCurves = ["x25519"]
        s.keyShares = ["x25519"]
        s.dhGroups = []
    elif case_name in ("hello_retry_request", "no_shared_group"):
        # The server accepts secp256r1 alone.
        s.eccCurves = ["secp256r1"]
        s.keyShares = ["secp256r1"]
        s.dhGroups = []

    if case_name == "out_of_band_psk":
        s.pskConfigs = [(bytearray(EXTERNAL_PSK_IDENTITY),
                         bytearray(EXTERNAL_PSK_SECRET), "sha256")]
        s.psk_modes = ["psk_dhe_ke"]
        s.cipherNames = ["aes128gcm"]

    if case_name == "resumption" and role == SERVER:
        # Tickets are issued only with a ticket key.
        s.ticketKeys = [getRandomBytes(32)]
    return s


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], os.environ))
