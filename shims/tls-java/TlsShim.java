// crosscheck TLS interop shim for Java: the JDK's JSSE, or Bouncy Castle's
// BCJSSE (with the BC crypto provider) behind the same scenario drivers.
//
// The contract (invocation, exit codes, environment, shared values, cases) is
// in shims/README.md. Build and run (build.sh also makes the class-data
// sharing archive that cuts the JVM's start-up):
//
//     shims/tls-java/build.sh OUT [jsse|bc]
//     java -cp OUT/tls-shim.jar TlsShim [--provider jsse] client|server CASE PORT
//     java -cp OUT/tls-shim.jar:BC-JARS TlsShim --provider bc client|server CASE PORT
//
// Besides a case, the shim answers `version` (one line naming the library)
// and `train` (plays a few cases between an in-process server and client on
// loopback, so that a class-data sharing archive dumped at exit holds what a
// cell loads).
//
// Reading order: main() -> Settings (arguments and environment) -> Provider
// (the library behind the drivers, and the cases it cannot play; Jsse here,
// BouncyCastle in BouncyCastle.java) -> Case (the case names) -> Client and
// Server (one scenario driver per case and role) -> Training -> Wire
// (message I/O and the close rules) -> Tls (SSLContext and socket setup) ->
// Pki (PEM loading) -> Identity and CountingTrustManager (the key and trust
// managers, which also let the drivers observe full versus resumed
// handshakes).

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

public final class TlsShim {

    // ---------------------------------------------------------------------
    // Shared values of the contract
    // ---------------------------------------------------------------------

    static final byte[] GREETING =
            "i am the client. nice to meet you server.".getBytes(StandardCharsets.US_ASCII);
    static final byte[] RESPONSE =
            "i am the server. a pleasure to make your acquaintance.".getBytes(StandardCharsets.US_ASCII);

    /** Download chunk size; the first byte of each chunk is its tag. */
    static final int CHUNK_BYTES = 1_000_000;

    static final long DEFAULT_DOWNLOAD_BYTES = 256_000_000_000L;

    static final long DEFAULT_KEY_UPDATE_INTERVAL_BYTES = 1_000_000_000L;

    /** Tag byte of the chunk starting at {@code offset}. */
    static byte chunkTag(long offset) {
        return (byte) ((offset / 1_000_000_000L) % 255);
    }

    /** The server name the client asks for and verifies. */
    static final String LOCALHOST = "localhost";

    /** 127.0.0.1, where the server listens and the client connects. */
    static final InetAddress LOOPBACK = loopback();

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_UNSUPPORTED = 127;

    // ---------------------------------------------------------------------
    // Entry point
    // ---------------------------------------------------------------------

    public static void main(String[] args) {
        Settings settings;
        try {
            settings = Settings.parse(args, System.getenv());
        } catch (UsageError e) {
            System.err.println("tls-java: " + e.getMessage());
            System.err.println(Settings.USAGE);
            System.exit(EXIT_USAGE);
            return;
        }

        Provider provider;
        try {
            provider = Provider.named(settings.providerName);
        } catch (UsageError e) {
            System.err.println("tls-java: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }

        switch (settings.command) {
            case VERSION:
                System.out.println(provider.version());
                System.exit(EXIT_OK);
                return;
            case TRAIN:
                System.exit(Training.run(provider, settings));
                return;
            default:
                System.exit(play(provider, settings));
        }
    }

    /** Plays the settings' case in its role; returns the exit status. */
    static int play(Provider provider, Settings settings) {
        String label = "tls-java " + provider.name + " " + settings.role.word + " " + settings.caseName;
        // A case this shim does not know is one it does not support.
        if (settings.testCase == null) {
            System.err.println(label + ": unsupported: unknown case");
            return EXIT_UNSUPPORTED;
        }
        String unsupported = provider.unsupportedReason(settings.testCase, settings.role);
        if (unsupported != null) {
            System.err.println(label + ": unsupported: " + unsupported);
            return EXIT_UNSUPPORTED;
        }

        try {
            if (settings.role == Role.CLIENT) {
                new Client(provider, settings).run();
            } else {
                new Server(provider, settings).run();
            }
        } catch (CheckFailed | IOException | GeneralSecurityException e) {
            if (settings.testCase.refuser == settings.role && isOwnRefusal(provider, e)) {
                reportRefusal(e);
            }
            System.err.println(label + ": failed: " + describe(e));
            return EXIT_FAILED;
        } catch (RuntimeException e) {
            System.err.println(label + ": failed: " + describe(e));
            e.printStackTrace();
            return EXIT_FAILED;
        }
        return EXIT_OK;
    }

    /**
     * Whether a failure is this side's own refusal of the peer: an error the
     * library raised on its own finding (it then sends the alert itself),
     * not its report of the peer's fatal alert, nor of the peer closing the
     * connection, nor a failure to set up (reading the PKI) or a scenario
     * check.
     */
    static boolean isOwnRefusal(Provider provider, Throwable e) {
        if (!provider.isLibraryError(e)) {
            return false;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException || t instanceof SocketException
                    || provider.isReceivedAlert(t)) {
                return false;
            }
        }
        return true;
    }

    /** The one `crosscheck-refusal: WHY` line of a negative case's refusing side. */
    static void reportRefusal(Throwable e) {
        System.out.println("crosscheck-refusal: " + describe(e).replaceAll("[\\r\\n]+", " "));
        System.out.flush();
    }

    /**
     * The exception's class and message, then each cause's whose message
     * adds something (JSSE repeats its causes' messages).
     */
    static String describe(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t != e && !message.isEmpty() && text.indexOf(message) >= 0) {
                continue;
            }
            if (t != e) {
                text.append(": ");
            }
            if (t instanceof CheckFailed) {
                text.append(message);
            } else {
                text.append(t.getClass().getSimpleName());
                if (!message.isEmpty()) {
                    text.append(" (").append(message).append(')');
                }
            }
        }
        return text.toString();
    }

    // ---------------------------------------------------------------------
    // Arguments and environment
    // ---------------------------------------------------------------------

    enum Role {
        CLIENT("client"), SERVER("server");

        final String word;

        Role(String word) {
            this.word = word;
        }
    }

    enum Command {
        /** Play a case in a role: `client|server CASE PORT`. */
        PLAY,
        /** Print the library and its version. */
        VERSION,
        /** Play a few cases in-process, to fill a class-data sharing archive. */
        TRAIN
    }

    /** The parsed command line and environment. */
    static final class Settings {
        static final String USAGE =
                "usage: java TlsShim [--provider jsse|bc] client|server CASE PORT\n"
                + "       java TlsShim [--provider jsse|bc] version|train\n"
                + "  CASE is one of: " + Case.names() + "\n"
                + "  environment: CROSSCHECK_TLS_CERTIFICATES (directory, default 'certificates'),\n"
                + "               CROSSCHECK_TLS_DOWNLOAD_BYTES (default " + DEFAULT_DOWNLOAD_BYTES + "),\n"
                + "               CROSSCHECK_TLS_KEY_UPDATE_INTERVAL_BYTES (default "
                + DEFAULT_KEY_UPDATE_INTERVAL_BYTES + ")";

        final String providerName;
        final Command command;
        /** The rest only for PLAY (and as training's defaults). */
        final Role role;
        final String caseName;
        /** Null when the case name is not one this shim knows. */
        final Case testCase;
        /** 0 (only in training): any free port, announced to {@link #listening}. */
        final int port;
        final Path certificates;
        final long downloadBytes;
        final long keyUpdateIntervalBytes;
        /** Told the port once the server listens; null outside training. */
        final IntConsumer listening;

        Settings(String providerName, Command command, Role role, String caseName, int port,
                Path certificates, long downloadBytes, long keyUpdateIntervalBytes,
                IntConsumer listening) {
            this.providerName = providerName;
            this.command = command;
            this.role = role;
            this.caseName = caseName;
            this.testCase = caseName == null ? null : Case.byName(caseName);
            this.port = port;
            this.certificates = certificates;
            this.downloadBytes = downloadBytes;
            this.keyUpdateIntervalBytes = keyUpdateIntervalBytes;
            this.listening = listening;
        }

        /** These settings for another case, role and port (training). */
        Settings play(Case testCase, Role role, int port, IntConsumer listening) {
            return new Settings(providerName, Command.PLAY, role, testCase.id, port, certificates,
                    downloadBytes, keyUpdateIntervalBytes, listening);
        }

        static Settings parse(String[] args, Map<String, String> env) throws UsageError {
            int next = 0;
            String providerName = "jsse";
            if (args.length >= 1 && args[0].equals("--provider")) {
                if (args.length < 2) {
                    throw new UsageError("--provider needs a value: jsse or bc");
                }
                providerName = args[1];
                next = 2;
            }
            String[] rest = Arrays.copyOfRange(args, next, args.length);

            String certificates = env.get("CROSSCHECK_TLS_CERTIFICATES");
            if (certificates == null || certificates.isEmpty()) {
                certificates = "certificates";
            }
            long downloadBytes = numberFromEnv(env, "CROSSCHECK_TLS_DOWNLOAD_BYTES",
                    DEFAULT_DOWNLOAD_BYTES, 0);
            long keyUpdateIntervalBytes = numberFromEnv(env, "CROSSCHECK_TLS_KEY_UPDATE_INTERVAL_BYTES",
                    DEFAULT_KEY_UPDATE_INTERVAL_BYTES, 1);

            if (rest.length == 1 && (rest[0].equals("version") || rest[0].equals("train"))) {
                Command command = rest[0].equals("version") ? Command.VERSION : Command.TRAIN;
                return new Settings(providerName, command, Role.CLIENT, null, 0, Path.of(certificates),
                        downloadBytes, keyUpdateIntervalBytes, null);
            }
            if (rest.length != 3) {
                throw new UsageError("expected client|server CASE PORT, or version, or train; got "
                        + rest.length + " arguments");
            }
            Role role;
            switch (rest[0]) {
                case "client": role = Role.CLIENT; break;
                case "server": role = Role.SERVER; break;
                default: throw new UsageError("role must be 'client' or 'server', got '" + rest[0] + "'");
            }
            String caseName = rest[1];
            if (!caseName.matches("[a-z0-9_]+")) {
                throw new UsageError("CASE must be a case name like 'handshake', got '" + caseName + "'");
            }
            int port = (int) parseNumber("PORT", rest[2], 1, 65535);
            return new Settings(providerName, Command.PLAY, role, caseName, port, Path.of(certificates),
                    downloadBytes, keyUpdateIntervalBytes, null);
        }

        private static long numberFromEnv(Map<String, String> env, String name, long fallback, long min)
                throws UsageError {
            String value = env.get(name);
            if (value == null || value.isEmpty()) {
                return fallback;
            }
            return parseNumber(name, value, min, Long.MAX_VALUE);
        }

        private static long parseNumber(String name, String text, long min, long max) throws UsageError {
            long value;
            try {
                if (!text.matches("[0-9]+")) {
                    throw new NumberFormatException();
                }
                value = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new UsageError(name + " must be a decimal integer, got '" + text + "'");
            }
            if (value < min || value > max) {
                throw new UsageError(name + " must be between " + min + " and " + max + ", got " + value);
            }
            return value;
        }
    }

    // ---------------------------------------------------------------------
    // Providers: the TLS library behind the drivers
    // ---------------------------------------------------------------------

    /**
     * One TLS library reached through the JSSE API (javax.net.ssl): how to
     * make its SSLContext and trust managers, how its sockets close, how its
     * errors read, and which cases it cannot play.
     */
    abstract static class Provider {
        /** The `--provider` value. */
        final String name;

        Provider(String name) {
            this.name = name;
        }

        /**
         * The provider a `--provider` value names. Bouncy Castle's is a
         * class of its own (BouncyCastle.java), compiled and found only
         * with the Bouncy Castle jars, so the JSSE build needs none.
         */
        static Provider named(String name) throws UsageError {
            switch (name) {
                case "jsse":
                    return new Jsse();
                case "bc":
                    try {
                        return (Provider) Class.forName("BouncyCastle").getDeclaredConstructor().newInstance();
                    } catch (ReflectiveOperationException | LinkageError e) {
                        throw new UsageError("--provider bc needs the Bouncy Castle build of this shim"
                                + " (shims/tls-java/build.sh OUT bc) and bctls, bcutil and bcprov on the"
                                + " class path: " + describe(e));
                    }
                default:
                    throw new UsageError("--provider must be 'jsse' or 'bc', got '" + name + "'");
            }
        }

        /** One line naming the library and its version, and Java's. */
        abstract String version();

        /** Why this library cannot play {@code testCase} in {@code role}; null when it can. */
        abstract String unsupportedReason(Case testCase, Role role);

        /** A fresh TLS 1.3 SSLContext (not yet initialised). */
        abstract SSLContext context() throws GeneralSecurityException;

        /** The library's PKIX trust manager factory. */
        abstract TrustManagerFactory pkix() throws GeneralSecurityException;

        /**
         * Restricts the key exchange groups this process offers or accepts
         * (a comma-separated list). JDK 17 has no per-connection API
         * (SSLParameters.setNamedGroups is JDK 20) and BCJSSE 1.72 none
         * either (BCSSLParameters has no named groups); both read this
         * system property, once, when a context first needs it: call it
         * before anything TLS-related runs.
         */
        void restrictNamedGroups(String groups) {
            System.setProperty("jdk.tls.namedGroups", groups);
        }

        /**
         * Whether SSLSocket.shutdownOutput() sends close_notify and leaves
         * the read side open (TLS 1.3 half-close). Otherwise closing the
         * SSLSocket sends close_notify, and a client socket layered over
         * its own TCP socket without autoClose keeps that TCP socket open
         * to read the server's close.
         */
        abstract boolean halfCloses();

        /** Whether {@code e} is an error the library raised (not a scenario check or setup). */
        abstract boolean isLibraryError(Throwable e);

        /** Whether {@code t} is the library's report of a fatal alert it received. */
        abstract boolean isReceivedAlert(Throwable t);

        static String javaVersion() {
            return "Java " + System.getProperty("java.version");
        }
    }

    /** The JDK's own JSSE (SunJSSE). */
    static final class Jsse extends Provider {
        Jsse() {
            super("jsse");
        }

        @Override
        String version() {
            return "JSSE (" + javaVersion() + ")";
        }

        @Override
        String unsupportedReason(Case testCase, Role role) {
            switch (testCase) {
                case EARLY_DATA:
                    return "JSSE has no TLS 1.3 0-RTT (early data) support";
                case OUT_OF_BAND_PSK:
                    return "JSSE has no API for external (out-of-band) pre-shared keys";
                // A JSSE ClientHello carries a key share for the first offered
                // group of each kind (NIST EC, XDH, FFDHE; at most two shares),
                // so offering x25519 then secp256r1 sends both shares and a
                // secp256r1-only server never needs to ask for a retry. JDK 17
                // has no API to choose shares.
                case HELLO_RETRY_REQUEST:
                    return role == Role.CLIENT
                            ? "JSSE sends key shares for both x25519 and secp256r1 when offering both"
                                    + " (one per group kind); JDK 17 cannot restrict the shares to x25519"
                            : null;
                default:
                    return null;
            }
        }

        @Override
        SSLContext context() throws GeneralSecurityException {
            return SSLContext.getInstance("TLSv1.3");
        }

        @Override
        TrustManagerFactory pkix() throws GeneralSecurityException {
            return TrustManagerFactory.getInstance("PKIX");
        }

        @Override
        boolean halfCloses() {
            return true;
        }

        @Override
        boolean isLibraryError(Throwable e) {
            return e instanceof SSLException;
        }

        @Override
        boolean isReceivedAlert(Throwable t) {
            // JSSE's wording for an alert it received (TransportContext).
            String message = t.getMessage();
            return message != null && message.startsWith("Received fatal alert");
        }
    }

    // ---------------------------------------------------------------------
    // Cases
    // ---------------------------------------------------------------------

    /**
     * The cases. Which ones a library cannot play is its Provider's
     * unsupportedReason().
     */
    enum Case {
        HANDSHAKE("handshake"),
        REQUEST_RESPONSE("request_response"),
        LARGE_DATA_DOWNLOAD("large_data_download"),
        // The client only has to accept the server's KeyUpdates, which the
        // library does while reading. A JSSE server sends them on demand
        // with SSLSocket.startHandshake() on the established TLS 1.3
        // connection; JSSE always sends update_requested (the contract
        // allows it for libraries without a choice), so the client answers
        // with its own.
        LARGE_DATA_DOWNLOAD_WITH_FREQUENT_KEY_UPDATES("large_data_download_with_frequent_key_updates"),
        MTLS_REQUEST_RESPONSE("mtls_request_response"),
        RESUMPTION("resumption"),
        EARLY_DATA("early_data"),
        OUT_OF_BAND_PSK("out_of_band_psk"),
        HELLO_RETRY_REQUEST("hello_retry_request"),
        SMALL_TCP_PACKET("small_tcp_packet"),

        // Negative cases: the refusing side prints `crosscheck-refusal: WHY`
        // when its handshake fails (see play()). The client refuses the
        // server's certificate in its PKIX trust manager, which also checks
        // the name (endpoint identification "HTTPS", for every case).
        UNTRUSTED_CERTIFICATE("untrusted_certificate", Role.CLIENT),
        WRONG_HOSTNAME("wrong_hostname", Role.CLIENT),
        EXPIRED_CERTIFICATE("expired_certificate", Role.CLIENT),
        // needClientAuth: the server refuses an empty client Certificate message.
        CLIENT_CERTIFICATE_REQUIRED("client_certificate_required", Role.SERVER),
        // Client x25519 alone, server secp256r1 alone (jdk.tls.namedGroups).
        // With no key share it can use, the JSSE server turns to a
        // HelloRetryRequest, finds no common group there and refuses with
        // unexpected_message ("No common named group", KeyShareExtension),
        // where RFC 8446 asks for handshake_failure or insufficient_security.
        NO_SHARED_GROUP("no_shared_group", Role.SERVER);

        final String id;
        /** In a negative case, the side that must refuse; null otherwise. */
        final Role refuser;

        Case(String id) {
            this(id, null);
        }

        Case(String id, Role refuser) {
            this.id = id;
            this.refuser = refuser;
        }

        static Case byName(String name) {
            for (Case c : values()) {
                if (c.id.equals(name)) {
                    return c;
                }
            }
            return null;
        }

        static String names() {
            List<String> names = new ArrayList<>();
            for (Case c : values()) {
                names.add(c.id);
            }
            return String.join(", ", names);
        }
    }
    // ---------------------------------------------------------------------
    // Client scenarios: one method per case
    // ---------------------------------------------------------------------

    static final class Client {
        private final Provider provider;
        private final Settings settings;
        private final Pki pki;

        Client(Provider provider, Settings settings) {
            this.provider = provider;
            this.settings = settings;
            this.pki = new Pki(settings.certificates);
        }

        void run() throws IOException, GeneralSecurityException, CheckFailed {
            switch (settings.testCase) {
                case HANDSHAKE: handshake(); break;
                case REQUEST_RESPONSE: requestResponse(); break;
                case SMALL_TCP_PACKET: requestResponse(); break;
                case LARGE_DATA_DOWNLOAD: download(); break;
                // The library processes the server's KeyUpdates while reading.
                case LARGE_DATA_DOWNLOAD_WITH_FREQUENT_KEY_UPDATES: download(); break;
                case MTLS_REQUEST_RESPONSE: mtlsRequestResponse(); break;
                case RESUMPTION: resumption(); break;
                case HELLO_RETRY_REQUEST: helloRetryRequest(); break;
                // The server presents a chain this client must refuse.
                case UNTRUSTED_CERTIFICATE: requestResponse(); break;
                case WRONG_HOSTNAME: requestResponse(); break;
                case EXPIRED_CERTIFICATE: requestResponse(); break;
                // No certificate to present, though the server asks for one.
                case CLIENT_CERTIFICATE_REQUIRED: requestResponse(); break;
                case NO_SHARED_GROUP: noSharedGroup(); break;
                default: throw new IllegalStateException("no client driver for " + settings.testCase.id);
            }
        }

        private Tls.Client tls(boolean presentCertificate) throws GeneralSecurityException, CheckFailed {
            return Tls.client(provider, pki, presentCertificate);
        }

        private void handshake() throws IOException, GeneralSecurityException, CheckFailed {
            try (Connection connection = tls(false).connect(settings.port)) {
                Wire.close(connection);
            }
        }

        private void requestResponse() throws IOException, GeneralSecurityException, CheckFailed {
            try (Connection connection = tls(false).connect(settings.port)) {
                exchange(connection);
            }
        }

        private void download() throws IOException, GeneralSecurityException, CheckFailed {
            try (Connection connection = tls(false).connect(settings.port)) {
                Wire.send(connection.tls, GREETING);
                Wire.receiveDownload(connection.tls, settings.downloadBytes);
                Wire.close(connection);
            }
        }

        private void mtlsRequestResponse() throws IOException, GeneralSecurityException, CheckFailed {
            try (Connection connection = tls(true).connect(settings.port)) {
                if (connection.tls.getSession().getLocalCertificates() == null) {
                    throw new CheckFailed("the server did not ask for the client certificate");
                }
                exchange(connection);
            }
        }

        /**
         * Resumption is observed through the trust manager: a full TLS 1.3
         * handshake carries the server's Certificate, which the library must
         * pass to checkServerTrusted; a PSK (resumption) handshake carries
         * none, and no external PSKs are configured, so a completed
         * handshake without a certificate check is a resumed one.
         */
        private void resumption() throws IOException, GeneralSecurityException, CheckFailed {
            // One context for both connections: its session cache (keyed by
            // host and port) carries the ticket from connection 1 to 2.
            Tls.Client tls = tls(false);

            tls.trust.serverChecks = 0;
            try (Connection connection = tls.connect(settings.port)) {
                if (tls.trust.serverChecks == 0) {
                    throw new CheckFailed("connection 1 was resumed (no server certificate was checked)");
                }
                exchange(connection);
            }

            tls.trust.serverChecks = 0;
            try (Connection connection = tls.connect(settings.port)) {
                if (tls.trust.serverChecks != 0) {
                    throw new CheckFailed("connection 2 was not resumed (it was a full handshake)");
                }
                Facts.report("session_resumed");
                exchange(connection);
            }
        }

        /**
         * request_response offering x25519 then secp256r1; a library that
         * sends one key share, for its first group, then needs a retry from a
         * secp256r1-only server. Neither JSSE nor BCJSSE exposes the
         * negotiated group.
         */
        private void helloRetryRequest() throws IOException, GeneralSecurityException, CheckFailed {
            provider.restrictNamedGroups("x25519,secp256r1");
            requestResponse();
        }

        /** request_response offering the x25519 group alone. */
        private void noSharedGroup() throws IOException, GeneralSecurityException, CheckFailed {
            provider.restrictNamedGroups("x25519");
            requestResponse();
        }

        /** The client half of request_response on a connection. */
        private static void exchange(Connection connection) throws IOException, CheckFailed {
            Wire.send(connection.tls, GREETING);
            Wire.receiveExactly(connection.tls, RESPONSE, "response");
            Wire.close(connection);
        }
    }

    // ---------------------------------------------------------------------
    // Server scenarios: one method per case
    // ---------------------------------------------------------------------

    static final class Server {
        private final Provider provider;
        private final Settings settings;
        private final Pki pki;

        Server(Provider provider, Settings settings) {
            this.provider = provider;
            this.settings = settings;
            this.pki = new Pki(settings.certificates);
        }

        void run() throws IOException, GeneralSecurityException, CheckFailed {
            switch (settings.testCase) {
                case HANDSHAKE: handshake(); break;
                case REQUEST_RESPONSE: requestResponse(); break;
                case SMALL_TCP_PACKET: requestResponse(); break;
                case LARGE_DATA_DOWNLOAD: download(0); break;
                case LARGE_DATA_DOWNLOAD_WITH_FREQUENT_KEY_UPDATES:
                    download(settings.keyUpdateIntervalBytes);
                    break;
                case MTLS_REQUEST_RESPONSE: mtlsRequestResponse(); break;
                case RESUMPTION: resumption(); break;
                case HELLO_RETRY_REQUEST: helloRetryRequest(); break;
                // requestResponse() presents the case's refused chain.
                case UNTRUSTED_CERTIFICATE: requestResponse(); break;
                case WRONG_HOSTNAME: requestResponse(); break;
                case EXPIRED_CERTIFICATE: requestResponse(); break;
                // Requires a client certificate, which the client lacks.
                case CLIENT_CERTIFICATE_REQUIRED: mtlsRequestResponse(); break;
                case NO_SHARED_GROUP: noSharedGroup(); break;
                default: throw new IllegalStateException("no server driver for " + settings.testCase.id);
            }
        }

        /**
         * The chain and key this server presents: server-chain.pem, or in
         * the certificate cases the chain the client must refuse.
         */
        private Identity identity() throws CheckFailed {
            switch (settings.testCase) {
                case UNTRUSTED_CERTIFICATE: return pki.refusedServer("untrusted-server-chain.pem");
                case WRONG_HOSTNAME: return pki.refusedServer("wrong-name-server-chain.pem");
                case EXPIRED_CERTIFICATE: return pki.refusedServer("expired-server-chain.pem");
                default: return pki.server();
            }
        }

        private Tls.Server tls(boolean requireClientCertificate)
                throws GeneralSecurityException, CheckFailed {
            return Tls.server(provider, pki, identity(), requireClientCertificate);
        }

        /** Listens on the settings' port, telling training which port that is. */
        private SSLServerSocket listen(Tls.Server tls) throws IOException {
            SSLServerSocket listener = tls.listen(settings.port);
            if (settings.listening != null) {
                settings.listening.accept(listener.getLocalPort());
            }
            return listener;
        }

        private void handshake() throws IOException, GeneralSecurityException, CheckFailed {
            Tls.Server tls = tls(false);
            try (SSLServerSocket listener = listen(tls);
                    Connection connection = tls.accept(listener)) {
                Wire.closeAfterClient(connection);
            }
        }

        private void requestResponse() throws IOException, GeneralSecurityException, CheckFailed {
            Tls.Server tls = tls(false);
            try (SSLServerSocket listener = listen(tls);
                    Connection connection = tls.accept(listener)) {
                exchange(connection);
            }
        }

        /** {@code keyUpdateInterval} 0: no KeyUpdates. */
        private void download(long keyUpdateInterval)
                throws IOException, GeneralSecurityException, CheckFailed {
            Tls.Server tls = tls(false);
            try (SSLServerSocket listener = listen(tls);
                    Connection connection = tls.accept(listener)) {
                Wire.receiveExactly(connection.tls, GREETING, "greeting");
                Wire.sendDownload(connection.tls, settings.downloadBytes, keyUpdateInterval);
                Wire.closeAfterClient(connection);
            }
        }

        private void mtlsRequestResponse() throws IOException, GeneralSecurityException, CheckFailed {
            Tls.Server tls = tls(true);
            try (SSLServerSocket listener = listen(tls);
                    Connection connection = tls.accept(listener)) {
                // needClientAuth already fails the handshake without a client
                // chain that the CA-only trust manager accepts.
                if (tls.trust.clientChecks == 0) {
                    throw new CheckFailed("the client certificate was not verified");
                }
                exchange(connection);
            }
        }

        /**
         * Resumption is observed through the key manager: in a full TLS 1.3
         * handshake the library asks it for the certificate to send; a PSK
         * (resumption) handshake sends none, and no external PSKs are
         * configured, so a completed handshake without a certificate choice
         * is a resumed one.
         */
        private void resumption() throws IOException, GeneralSecurityException, CheckFailed {
            // One context for both connections: it holds the ticket keys.
            Tls.Server tls = tls(false);
            try (SSLServerSocket listener = listen(tls)) {
                tls.identity.selections = 0;
                try (Connection connection = tls.accept(listener)) {
                    if (tls.identity.selections == 0) {
                        throw new CheckFailed("connection 1 was resumed (no certificate was sent)");
                    }
                    exchange(connection);
                }

                tls.identity.selections = 0;
                try (Connection connection = tls.accept(listener)) {
                    if (tls.identity.selections != 0) {
                        throw new CheckFailed("connection 2 was not resumed (it was a full handshake)");
                    }
                    Facts.report("session_resumed");
                    exchange(connection);
                }
            }
        }

        /**
         * request_response accepting only secp256r1, so a client that sent
         * only an x25519 key share gets a HelloRetryRequest. Neither JSSE
         * nor BCJSSE exposes the negotiated group; with secp256r1 the only
         * group enabled, no other can have been negotiated.
         */
        private void helloRetryRequest() throws IOException, GeneralSecurityException, CheckFailed {
            provider.restrictNamedGroups("secp256r1");
            requestResponse();
        }

        /** request_response accepting the secp256r1 group alone. */
        private void noSharedGroup() throws IOException, GeneralSecurityException, CheckFailed {
            provider.restrictNamedGroups("secp256r1");
            requestResponse();
        }

        /** The server half of request_response on an accepted connection. */
        private static void exchange(Connection connection) throws IOException, CheckFailed {
            Wire.receiveExactly(connection.tls, GREETING, "greeting");
            Wire.send(connection.tls, RESPONSE);
            Wire.closeAfterClient(connection);
        }
    }

    /** The `crosscheck-fact: NAME` lines; drivers call report() only after checking the fact. */
    static final class Facts {
        static void report(String name) {
            System.out.println("crosscheck-fact: " + name);
            System.out.flush();
        }
    }

    // ---------------------------------------------------------------------
    // Training: what a class-data sharing archive should hold
    // ---------------------------------------------------------------------

    /**
     * `train`: plays a few cases between a server thread and a client in
     * this process over loopback (any free port), so that a JVM started
     * with -XX:ArchiveClassesAtExit archives the classes a cell loads (the
     * library's handshake, both roles, certificate checks and a refusal)
     * and later cells map them instead of loading and verifying them.
     */
    static final class Training {
        /** Played in order, each where the provider supports both roles. */
        private static final Case[] CASES = {
            Case.HANDSHAKE,
            Case.REQUEST_RESPONSE,
            Case.MTLS_REQUEST_RESPONSE,
            Case.RESUMPTION,
            Case.LARGE_DATA_DOWNLOAD_WITH_FREQUENT_KEY_UPDATES,
            Case.LARGE_DATA_DOWNLOAD,
            Case.UNTRUSTED_CERTIFICATE,
        };

        /** Small downloads: the point is the code paths, not the volume. */
        private static final long DOWNLOAD_BYTES = 2 * CHUNK_BYTES;

        static int run(Provider provider, Settings base) {
            Settings settings = new Settings(base.providerName, Command.TRAIN, Role.CLIENT, null, 0,
                    base.certificates, DOWNLOAD_BYTES, CHUNK_BYTES, null);
            for (Case testCase : CASES) {
                if (provider.unsupportedReason(testCase, Role.CLIENT) != null
                        || provider.unsupportedReason(testCase, Role.SERVER) != null) {
                    continue;
                }
                String failure = play(provider, settings, testCase);
                if (failure != null) {
                    System.err.println("tls-java " + provider.name + " train: " + testCase.id + ": " + failure);
                    return EXIT_FAILED;
                }
                System.err.println("tls-java " + provider.name + " train: " + testCase.id + ": ok");
            }
            return EXIT_OK;
        }

        /** Plays one case in both roles; null when both ended as the case expects. */
        private static String play(Provider provider, Settings settings, Case testCase) {
            CompletableFuture<Integer> port = new CompletableFuture<>();
            int[] serverStatus = {-1};
            Thread server = new Thread(() -> {
                try {
                    serverStatus[0] = TlsShim.play(provider,
                            settings.play(testCase, Role.SERVER, 0, port::complete));
                } finally {
                    port.complete(-1);
                }
            }, "train-server");
            server.start();
            int clientStatus;
            try {
                int listening = port.get(30, TimeUnit.SECONDS);
                if (listening < 0) {
                    server.join();
                    return "the server failed before listening (exit " + serverStatus[0] + ")";
                }
                clientStatus = TlsShim.play(provider, settings.play(testCase, Role.CLIENT, listening, null));
                server.join(30_000);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                return "interrupted: " + describe(e);
            }
            if (server.isAlive()) {
                return "the server did not finish";
            }
            int expected = testCase.refuser == null ? EXIT_OK : EXIT_FAILED;
            if (clientStatus != expected || serverStatus[0] != expected) {
                return "client exited " + clientStatus + ", server " + serverStatus[0] + ", expected "
                        + expected;
            }
            return null;
        }
    }
    // ---------------------------------------------------------------------
    // Message I/O and closing
    // ---------------------------------------------------------------------

    static final class Wire {
        /** Writes the whole message, then flushes. */
        static void send(SSLSocket socket, byte[] message) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(message);
            out.flush();
        }

        /** Reads exactly {@code expected.length} bytes and checks they equal {@code expected}. */
        static void receiveExactly(SSLSocket socket, byte[] expected, String what)
                throws IOException, CheckFailed {
            byte[] got = new byte[expected.length];
            readFully(socket.getInputStream(), got, got.length, what);
            if (!Arrays.equals(got, expected)) {
                throw new CheckFailed("wrong " + what + ": got '"
                        + new String(got, StandardCharsets.ISO_8859_1) + "'");
            }
        }

        /**
         * Writes {@code total} bytes as 1,000,000-byte writes, each chunk
         * starting with its tag. With a positive {@code keyUpdateInterval},
         * requests a KeyUpdate before every offset that is a multiple of it
         * (offset 0 included), splitting a chunk's write where one falls inside.
         */
        static void sendDownload(SSLSocket socket, long total, long keyUpdateInterval) throws IOException {
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[CHUNK_BYTES];
            long nextKeyUpdate = keyUpdateInterval > 0 ? 0 : Long.MAX_VALUE;
            for (long offset = 0; offset < total; offset += CHUNK_BYTES) {
                chunk[0] = chunkTag(offset);
                long end = Math.min(offset + CHUNK_BYTES, total);
                long written = offset;
                while (written < end) {
                    if (written == nextKeyUpdate) {
                        out.flush();
                        // On an established TLS 1.3 connection this sends a KeyUpdate.
                        socket.startHandshake();
                        nextKeyUpdate += keyUpdateInterval;
                    }
                    long stop = Math.min(end, nextKeyUpdate);
                    out.write(chunk, (int) (written - offset), (int) (stop - written));
                    written = stop;
                }
            }
            out.flush();
        }

        /** Reads {@code total} bytes chunk by chunk, checking each chunk's tag. */
        static void receiveDownload(SSLSocket socket, long total) throws IOException, CheckFailed {
            InputStream in = socket.getInputStream();
            byte[] chunk = new byte[CHUNK_BYTES];
            for (long offset = 0; offset < total; offset += CHUNK_BYTES) {
                int length = (int) Math.min(CHUNK_BYTES, total - offset);
                readFully(in, chunk, length, "download at offset " + offset);
                if (chunk[0] != chunkTag(offset)) {
                    throw new CheckFailed("chunk at offset " + offset + " has tag " + (chunk[0] & 0xff)
                            + ", expected " + (chunkTag(offset) & 0xff));
                }
            }
        }

        /** "Close": send close_notify, then read until the peer's close. */
        static void close(Connection connection) throws IOException, CheckFailed {
            if (connection.provider.halfCloses()) {
                // On an established TLS 1.3 connection JSSE's shutdownOutput()
                // sends close_notify (then the TCP FIN) and leaves the read
                // side open.
                connection.tls.shutdownOutput();
                readUntilClose(connection.tls, "after sending close_notify");
            } else if (connection.tcp != null) {
                // BCJSSE has no half-close: close() sends close_notify and
                // marks the connection closed for reading too. The client's
                // SSLSocket is layered over its own TCP socket without
                // autoClose, so that socket stays open: send the FIN and read
                // what is left until the server's FIN. Those are still TLS
                // records (the server's close_notify, maybe session tickets
                // the scenario never read) that this side can no longer
                // decrypt, so they are drained, not checked; the harness sees
                // them on the wire.
                connection.tls.close();
                connection.tcp.shutdownOutput();
                drain(connection.tcp.getInputStream());
            } else {
                connection.tls.close();
            }
        }

        /** "Close after the client": read until the client's close, then send close_notify. */
        static void closeAfterClient(Connection connection) throws IOException, CheckFailed {
            readUntilClose(connection.tls, "before the client's close");
            if (connection.provider.halfCloses()) {
                connection.tls.shutdownOutput();
            } else {
                // BCJSSE answered the client's close_notify with its own as
                // it read it (and closed the socket); this close is a no-op
                // unless the client only sent its TCP FIN.
                connection.tls.close();
            }
        }

        /** Reads and discards everything until end of stream. */
        private static void drain(InputStream in) throws IOException {
            byte[] buffer = new byte[4096];
            while (in.read(buffer) >= 0) {
                // discard
            }
        }

        /** Reads until close_notify or end of stream; any data is a failure. */
        private static void readUntilClose(SSLSocket socket, String when) throws IOException, CheckFailed {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            long unexpected = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                unexpected += n;
            }
            if (unexpected > 0) {
                throw new CheckFailed("peer sent " + unexpected + " unexpected bytes " + when);
            }
        }

        private static void readFully(InputStream in, byte[] buffer, int length, String what)
                throws IOException, CheckFailed {
            int filled = 0;
            while (filled < length) {
                int n = in.read(buffer, filled, length - filled);
                if (n < 0) {
                    throw new CheckFailed("peer closed the connection after " + filled + " of "
                            + length + " bytes of the " + what);
                }
                filled += n;
            }
        }
    }

    // ---------------------------------------------------------------------
    // TLS setup
    // ---------------------------------------------------------------------

    /**
     * An established connection: the SSLSocket and, for a client, the TCP
     * socket it is layered over (null for an accepted one).
     */
    static final class Connection implements AutoCloseable {
        final Provider provider;
        final SSLSocket tls;
        final Socket tcp;

        Connection(Provider provider, SSLSocket tls, Socket tcp) {
            this.provider = provider;
            this.tls = tls;
            this.tcp = tcp;
        }

        @Override
        public void close() throws IOException {
            try {
                tls.close();
            } finally {
                if (tcp != null) {
                    tcp.close();
                }
            }
        }
    }

    static final class Tls {
        static final String[] PROTOCOLS = {"TLSv1.3"};

        /** A client SSLContext and the trust manager it verifies servers with. */
        static final class Client {
            final Provider provider;
            final SSLContext context;
            final CountingTrustManager trust;

            Client(Provider provider, SSLContext context, CountingTrustManager trust) {
                this.provider = provider;
                this.context = context;
                this.trust = trust;
            }

            /**
             * Connects to 127.0.0.1:port and completes the handshake as
             * "localhost" (SNI, certificate hostname check, session cache key).
             */
            Connection connect(int port) throws IOException {
                Socket tcp = new Socket();
                try {
                    tcp.setTcpNoDelay(true);
                    tcp.connect(new InetSocketAddress(LOOPBACK, port));
                    // Without half-close, the TCP socket must outlive the
                    // SSLSocket's close (see Wire.close).
                    SSLSocket socket = (SSLSocket) context.getSocketFactory()
                            .createSocket(tcp, LOCALHOST, port, provider.halfCloses());
                    Connection connection = new Connection(provider, socket, tcp);
                    try {
                        SSLParameters parameters = socket.getSSLParameters();
                        parameters.setProtocols(PROTOCOLS);
                        parameters.setServerNames(List.of(new SNIHostName(LOCALHOST)));
                        parameters.setEndpointIdentificationAlgorithm("HTTPS");
                        socket.setSSLParameters(parameters);
                        socket.startHandshake();
                    } catch (IOException | RuntimeException e) {
                        connection.close();
                        throw e;
                    }
                    return connection;
                } catch (IOException | RuntimeException e) {
                    tcp.close();
                    throw e;
                }
            }
        }

        /** A server SSLContext with its identity and trust manager. */
        static final class Server {
            final Provider provider;
            final SSLContext context;
            final Identity identity;
            final CountingTrustManager trust;
            final boolean requireClientCertificate;

            Server(Provider provider, SSLContext context, Identity identity, CountingTrustManager trust,
                    boolean requireClientCertificate) {
                this.provider = provider;
                this.context = context;
                this.identity = identity;
                this.trust = trust;
                this.requireClientCertificate = requireClientCertificate;
            }

            /** Listens on 127.0.0.1:port (0: any free port) with SO_REUSEADDR. */
            SSLServerSocket listen(int port) throws IOException {
                SSLServerSocket listener =
                        (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
                listener.setReuseAddress(true);
                listener.bind(new InetSocketAddress(LOOPBACK, port));
                SSLParameters parameters = listener.getSSLParameters();
                parameters.setProtocols(PROTOCOLS);
                parameters.setNeedClientAuth(requireClientCertificate);
                listener.setSSLParameters(parameters);
                return listener;
            }

            /** Accepts the next connection and completes its handshake. */
            Connection accept(SSLServerSocket listener) throws IOException {
                SSLSocket socket = (SSLSocket) listener.accept();
                try {
                    socket.setTcpNoDelay(true);
                    socket.startHandshake();
                } catch (IOException | RuntimeException e) {
                    socket.close();
                    throw e;
                }
                return new Connection(provider, socket, null);
            }
        }

        static Client client(Provider provider, Pki pki, boolean presentCertificate)
                throws GeneralSecurityException, CheckFailed {
            CountingTrustManager trust = CountingTrustManager.trusting(provider, pki.ca());
            Identity identity = presentCertificate ? pki.client() : null;
            return new Client(provider, context(provider, identity, trust), trust);
        }

        /** A server presenting {@code identity}, trusting only the test CA. */
        static Server server(Provider provider, Pki pki, Identity identity, boolean requireClientCertificate)
                throws GeneralSecurityException, CheckFailed {
            CountingTrustManager trust = CountingTrustManager.trusting(provider, pki.ca());
            return new Server(provider, context(provider, identity, trust), identity, trust,
                    requireClientCertificate);
        }

        private static SSLContext context(Provider provider, Identity identity, CountingTrustManager trust)
                throws GeneralSecurityException {
            SSLContext context = provider.context();
            // A trust manager is always given, even where it is unused, so
            // the library does not load the JDK's default trust store.
            context.init(identity == null ? null : new Identity[] {identity},
                    new TrustManager[] {trust}, null);
            return context;
        }
    }

    /**
     * The test PKI in the CROSSCHECK_TLS_CERTIFICATES directory. Files are
     * read when first needed, so each role parses only what it uses.
     */
    static final class Pki {
        private final Path directory;

        Pki(Path directory) {
            this.directory = directory;
        }

        /** The root CA, the only trust anchor. */
        X509Certificate ca() throws CheckFailed {
            return certificates(directory.resolve("ca-certificate.pem"))[0];
        }

        Identity server() throws CheckFailed {
            return new Identity(certificates(directory.resolve("server-chain.pem")),
                    privateKey(directory.resolve("server-key.pem")));
        }

        /**
         * A server identity for a negative case: {@code chainFile} (one of
         * the chains clients must refuse) with refused-server-key.pem.
         */
        Identity refusedServer(String chainFile) throws CheckFailed {
            return new Identity(certificates(directory.resolve(chainFile)),
                    privateKey(directory.resolve("refused-server-key.pem")));
        }

        Identity client() throws CheckFailed {
            return new Identity(certificates(directory.resolve("client-chain.pem")),
                    privateKey(directory.resolve("client-key.pem")));
        }

        private static X509Certificate[] certificates(Path file) throws CheckFailed {
            try (InputStream in = Files.newInputStream(file)) {
                List<X509Certificate> certificates = new ArrayList<>();
                CertificateFactory factory = CertificateFactory.getInstance("X.509");
                for (java.security.cert.Certificate c : factory.generateCertificates(in)) {
                    certificates.add((X509Certificate) c);
                }
                if (certificates.isEmpty()) {
                    throw new CheckFailed("no certificate in " + file);
                }
                return certificates.toArray(new X509Certificate[0]);
            } catch (IOException | CertificateException e) {
                throw new CheckFailed("cannot read certificates from " + file + ": " + describe(e));
            }
        }

        /** An EC private key from a PKCS#8 PEM file ("BEGIN PRIVATE KEY"). */
        private static PrivateKey privateKey(Path file) throws CheckFailed {
            final String begin = "-----BEGIN PRIVATE KEY-----";
            final String end = "-----END PRIVATE KEY-----";
            try {
                String pem = Files.readString(file, StandardCharsets.US_ASCII);
                int from = pem.indexOf(begin);
                int to = pem.indexOf(end);
                if (from < 0 || to < from) {
                    throw new CheckFailed("no PKCS#8 PEM private key in " + file);
                }
                byte[] der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
                return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                throw new CheckFailed("cannot read the private key from " + file + ": " + describe(e));
            }
        }
    }

    /**
     * A key manager holding one ECDSA identity (chain and key). It counts how
     * often the library chose it, that is how many handshakes sent its
     * certificate.
     */
    static final class Identity extends X509ExtendedKeyManager {
        private static final String ALIAS = "identity";
        private final X509Certificate[] chain;
        private final PrivateKey key;
        /** Times the library selected this identity to send; reset by the caller. */
        volatile int selections;

        Identity(X509Certificate[] chain, PrivateKey key) {
            this.chain = chain;
            this.key = key;
        }

        /**
         * Whether the library's {@code keyType} fits this ECDSA P-256 key:
         * JSSE asks for "EC"; BCJSSE asks for "EC" in TLS 1.2 and for the
         * curve too in TLS 1.3 ("EC/secp256r1", JsseUtils.getKeyType13).
         */
        private static boolean fits(String keyType) {
            return "EC".equals(keyType) || "EC/secp256r1".equals(keyType);
        }

        private String select(String keyType) {
            if (!fits(keyType)) {
                return null;
            }
            selections++;
            return ALIAS;
        }

        private String select(String[] keyTypes) {
            for (String keyType : keyTypes) {
                if (fits(keyType)) {
                    return select(keyType);
                }
            }
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return select(keyType);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return select(keyType);
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return select(keyTypes);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return select(keyTypes);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return fits(keyType) ? new String[] {ALIAS} : null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return fits(keyType) ? new String[] {ALIAS} : null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }
    }

    /**
     * The library's PKIX trust manager over a trust store holding only the
     * test CA, counting the peer chains it accepted.
     */
    static final class CountingTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager pkix;
        /** Server chains accepted; reset by the caller. */
        volatile int serverChecks;
        /** Client chains accepted; reset by the caller. */
        volatile int clientChecks;

        private CountingTrustManager(X509ExtendedTrustManager pkix) {
            this.pkix = pkix;
        }

        static CountingTrustManager trusting(Provider provider, X509Certificate ca)
                throws GeneralSecurityException {
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            try {
                anchors.load(null, null);
            } catch (IOException e) {
                throw new GeneralSecurityException("cannot create an empty key store", e);
            }
            anchors.setCertificateEntry("ca", ca);
            TrustManagerFactory factory = provider.pkix();
            factory.init(anchors);
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager) {
                    return new CountingTrustManager((X509ExtendedTrustManager) tm);
                }
            }
            throw new GeneralSecurityException("PKIX made no X509ExtendedTrustManager");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            pkix.checkServerTrusted(chain, authType, socket);
            serverChecks++;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            pkix.checkServerTrusted(chain, authType, engine);
            serverChecks++;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
            serverChecks++;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            pkix.checkClientTrusted(chain, authType, socket);
            clientChecks++;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            pkix.checkClientTrusted(chain, authType, engine);
            clientChecks++;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkClientTrusted(chain, authType);
            clientChecks++;
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }

    // ---------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------

    /** Bad arguments or environment: usage message, exit 2. */
    static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    /** A scenario check that did not hold: message on stderr, exit 1. */
    static final class CheckFailed extends Exception {
        private static final long serialVersionUID = 1L;

        CheckFailed(String message) {
            super(message);
        }
    }
}
