// The Bouncy Castle provider of the Java TLS shim (TlsShim.java): BCJSSE
// over the BC crypto provider. It is compiled, and TlsShim finds it (by
// name, `--provider bc`), only in the Bouncy Castle build, which has
// bctls.jar, bcutil.jar and bcprov.jar on its class path:
//
//     shims/tls-java/build.sh OUT bc

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.bouncycastle.tls.TlsException;
import org.bouncycastle.tls.TlsFatalAlertReceived;

final class BouncyCastle extends TlsShim.Provider {
    /**
     * BCJSSE logs through java.util.logging: at INFO every security
     * property it reads and every alert, at WARNING the entries of
     * jdk.certpath.disabledAlgorithms it cannot parse, on every start. The
     * shim reports failures itself, so only SEVERE is kept (which also
     * spares start-up the formatting). Held here: JUL keeps loggers weakly.
     */
    private static final Logger LOG = quiet(Logger.getLogger("org.bouncycastle.jsse"));

    /** The BC provider: BCJSSE's crypto and its PKIX certificate path checks. */
    private final Provider crypto = new BouncyCastleProvider();
    private final Provider jsse = new BouncyCastleJsseProvider(crypto);

    BouncyCastle() {
        super("bc");
    }

    private static Logger quiet(Logger logger) {
        logger.setLevel(Level.SEVERE);
        return logger;
    }

    @Override
    String version() {
        // BCJSSE numbers itself apart (1.0.14 in 1.72); the release is the BC provider's.
        return "Bouncy Castle JSSE " + crypto.getVersionStr() + " (" + javaVersion() + ")";
    }

    @Override
    String unsupportedReason(TlsShim.Case testCase, TlsShim.Role role) {
        switch (testCase) {
            case EARLY_DATA:
                return "BCJSSE 1.72 has no TLS 1.3 0-RTT (early data) support";
            case OUT_OF_BAND_PSK:
                // The low-level TLS API (org.bouncycastle.tls, TlsPSKExternal)
                // has them, but BCJSSE offers no way to pass one in.
                return "BCJSSE 1.72 has no API for external (out-of-band) pre-shared keys";
            case RESUMPTION:
                return role == TlsShim.Role.CLIENT
                        ? "BCJSSE 1.72 cannot resume a TLS 1.3 session: its client reads and discards"
                                + " NewSessionTicket (TlsClientProtocol.receive13NewSessionTicket)"
                        : "BCJSSE 1.72 cannot resume a TLS 1.3 session: its server sends no"
                                + " NewSessionTicket in TLS 1.3";
            case LARGE_DATA_DOWNLOAD_WITH_FREQUENT_KEY_UPDATES:
                // Receiving KeyUpdates works (TlsProtocol.receive13KeyUpdate).
                return role == TlsShim.Role.SERVER
                        ? "BCJSSE 1.72 has no API to send a TLS 1.3 KeyUpdate: it sends one only to"
                                + " answer update_requested or after 2^20 records"
                                + " (TlsProtocol.send13KeyUpdate is internal)"
                        : null;
            default:
                return null;
        }
    }

    @Override
    SSLContext context() throws GeneralSecurityException {
        return SSLContext.getInstance("TLSv1.3", jsse);
    }

    @Override
    TrustManagerFactory pkix() throws GeneralSecurityException {
        return TrustManagerFactory.getInstance("PKIX", jsse);
    }

    @Override
    boolean halfCloses() {
        // ProvSSLSocketWrap.shutdownOutput() shuts the TCP socket without a
        // close_notify; ProvSSLSocketDirect's throws.
        return false;
    }

    @Override
    boolean isLibraryError(Throwable e) {
        // BCJSSE raises javax.net.ssl.SSLException or its own TlsException
        // (TlsFatalAlert and TlsFatalAlertReceived are IOExceptions).
        return e instanceof javax.net.ssl.SSLException || e instanceof TlsException;
    }

    @Override
    boolean isReceivedAlert(Throwable t) {
        return t instanceof TlsFatalAlertReceived;
    }
}
