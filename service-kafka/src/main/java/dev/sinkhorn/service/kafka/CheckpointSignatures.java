package dev.sinkhorn.service.kafka;

import com.google.protobuf.ByteString;
import dev.sinkhorn.v1.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Ed25519 signatures of checkpoints (the JDK's own implementation, no extra library). The trainer
 * signs each Checkpoint serialised without its {@code signature} and {@code signing_key_id}; an
 * inference replica given trusted public keys loads only checkpoints whose signature one of them
 * verifies, so a record anyone wrote to the topic, even with a correct sha256, is never served.
 *
 * <p>Keys are PEM files as {@code openssl genpkey -algorithm ed25519} (PKCS#8 private key) and
 * {@code openssl pkey -pubout} (X.509 public key) write them. A folder of trusted public keys holds
 * one {@code NAME.pub} (or {@code NAME.pem}) file per key: NAME is the signing_key_id it verifies.
 */
public final class CheckpointSignatures {
    private static final String ALGORITHM = "Ed25519";

    private CheckpointSignatures() {
    }

    /** The checkpoint with its signature by {@code key}, under the name {@code keyId}. */
    public static Checkpoint sign(Checkpoint c, String keyId, PrivateKey key) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(signedBytes(c));
            return c.toBuilder().setSigningKeyId(keyId).setSignature(ByteString.copyFrom(s.sign())).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with an " + key.getAlgorithm() + " key: " + e.getMessage(), e);
        }
    }

    /**
     * Why a checkpoint's signature does not hold against the trusted keys (unsigned, unknown key,
     * wrong signature), or empty when it holds.
     */
    public static Optional<String> problem(Checkpoint c, Map<String, PublicKey> trusted) {
        String who = c.getModel() + " v" + c.getVersion();
        if (c.getSignature().isEmpty()) {
            return Optional.of(who + " is not signed, and this replica loads only signed checkpoints");
        }
        PublicKey key = trusted.get(c.getSigningKeyId());
        if (key == null) {
            return Optional.of(who + " is signed by key '" + c.getSigningKeyId() + "', which is not among the trusted keys "
                    + trusted.keySet());
        }
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(signedBytes(c));
            return s.verify(c.getSignature().toByteArray()) ? Optional.empty()
                    : Optional.of(who + ": the signature does not match key '" + c.getSigningKeyId() + "'");
        } catch (GeneralSecurityException e) {
            return Optional.of(who + ": the signature cannot be checked (" + e.getMessage() + ")");
        }
    }

    /** What is signed: the message without its signature fields. */
    private static byte[] signedBytes(Checkpoint c) {
        return c.toBuilder().clearSignature().clearSigningKeyId().build().toByteArray();
    }

    /** An Ed25519 private key from a PKCS#8 PEM file. */
    public static PrivateKey readPrivateKey(Path pem) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der(pem)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(pem + " is not an Ed25519 private key in PKCS#8 PEM: " + e.getMessage(), e);
        }
    }

    /** An Ed25519 public key from an X.509 (SubjectPublicKeyInfo) PEM file. */
    public static PublicKey readPublicKey(Path pem) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der(pem)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(pem + " is not an Ed25519 public key in X.509 PEM: " + e.getMessage(), e);
        }
    }

    /** The trusted public keys of a folder: every NAME.pub or NAME.pem file, under NAME. */
    public static Map<String, PublicKey> readTrustedKeys(Path dir) {
        Map<String, PublicKey> keys = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = f.getFileName().toString();
                if (!name.startsWith(".") && (name.endsWith(".pub") || name.endsWith(".pem"))) {
                    keys.put(name.substring(0, name.length() - 4), readPublicKey(f));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trusted checkpoint keys in " + dir + ": " + e.getMessage(), e);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(dir + " holds no public key (NAME.pub or NAME.pem): no checkpoint could ever be loaded");
        }
        return keys;
    }

    /** PEM to DER: the base64 between the BEGIN and END lines. */
    private static byte[] der(Path pem) {
        try {
            String text = Files.readString(pem, StandardCharsets.US_ASCII);
            String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return Base64.getDecoder().decode(body);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pem + ": " + e.getMessage(), e);
        }
    }
}
