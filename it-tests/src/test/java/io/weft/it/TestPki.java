package io.weft.it;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for TLS tests, built with Bouncy Castle: EC P-256 keys, a CA, and
 * server and client certificates it signs, written as PEM (keys as unencrypted PKCS#8, the form netty
 * and etcd both read). Thread-safe; each instance is its own CA.
 */
final class TestPki {
    private static final Duration VALIDITY = Duration.ofDays(1);

    private final KeyPair caKeys;
    private final X509CertificateHolder caCert;
    private final AtomicLong serial = new AtomicLong(1);

    /** A certificate and its private key, both PEM. */
    record Issued(String certPem, String keyPem) {
    }

    TestPki(String caName) {
        caKeys = newKeyPair();
        X500Name name = new X500Name("CN=" + caName);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(name, name, caKeys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
            caCert = b.build(signer(caKeys.getPrivate()));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the test CA", e);
        }
    }

    String caPem() {
        return pem(caCert);
    }

    /** A server certificate for localhost and 127.0.0.1 (and the given extra DNS names). */
    Issued server(String cn, String... dnsNames) {
        GeneralName[] names = new GeneralName[dnsNames.length + 2];
        names[0] = new GeneralName(GeneralName.dNSName, "localhost");
        names[1] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
        for (int i = 0; i < dnsNames.length; i++) {
            names[i + 2] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        return issue(cn, new GeneralNames(names), KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
    }

    /** A client certificate; etcd maps its CN to a user when auth is on. */
    Issued client(String cn) {
        return issue(cn, null, KeyPurposeId.id_kp_clientAuth);
    }

    private Issued issue(String cn, GeneralNames san, KeyPurposeId... purposes) {
        KeyPair keys = newKeyPair();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(caCert.getSubject(), new X500Name("CN=" + cn), keys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(caCert))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            if (san != null) {
                b.addExtension(Extension.subjectAlternativeName, false, san);
            }
            X509CertificateHolder cert = b.build(signer(caKeys.getPrivate()));
            new JcaX509CertificateConverter().getCertificate(cert).verify(caKeys.getPublic());
            return new Issued(pem(cert), pem(keys.getPrivate()));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a test certificate for " + cn, e);
        }
    }

    private X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(serial.getAndIncrement()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, keys.getPublic());
    }

    private static org.bouncycastle.operator.ContentSigner signer(PrivateKey key) {
        try {
            return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("no SHA256withECDSA signer", e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC P-256 key generator", e);
        }
    }

    private static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            if (o instanceof PrivateKey k) {
                w.writeObject(new JcaPKCS8Generator(k, null));
            } else {
                w.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
