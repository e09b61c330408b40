package dev.sinkhorn.service.grpc.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;

/**
 * Checks bearer tokens: a JWT signed by the configured issuer's key, with that issuer, not expired
 * (an `exp` is required), with the audience when one is configured. Roles come from the `groups`
 * claim, as MicroProfile JWT defines it.
 */
public final class TokenVerifier {
    /** Who a valid token names, and its roles. */
    public record Identity(String name, Set<String> roles) {
    }

    /** A token that does not hold; the message says why (it reaches the caller). */
    public static final class RejectedToken extends Exception {
        RejectedToken(String message) {
            super(message);
        }
    }

    private final JwtConsumer consumer;

    public TokenVerifier(PublicKey key, String issuer, String audience, int clockSkewSeconds) {
        JwtConsumerBuilder b = new JwtConsumerBuilder().setVerificationKey(key).setExpectedIssuer(issuer)
                .setRequireExpirationTime().setAllowedClockSkewInSeconds(clockSkewSeconds);
        if (audience != null) {
            b.setExpectedAudience(audience);
        } else {
            b.setSkipDefaultAudienceValidation();
        }
        this.consumer = b.build();
    }

    public Identity verify(String token) throws RejectedToken {
        JwtClaims claims;
        try {
            claims = consumer.processToClaims(token);
        } catch (InvalidJwtException e) {
            String why = e.getErrorDetails().isEmpty() ? e.getMessage() : e.getErrorDetails().get(0).getErrorMessage();
            throw new RejectedToken("the bearer token is not valid: " + why);
        }
        try {
            String name = claims.hasClaim("upn") ? claims.getStringClaimValue("upn") : claims.getSubject();
            List<String> groups = claims.hasClaim("groups") ? claims.getStringListClaimValue("groups") : List.of();
            return new Identity(name == null ? "(no subject)" : name, new LinkedHashSet<>(groups));
        } catch (MalformedClaimException e) {
            throw new RejectedToken("the bearer token's claims are malformed: " + e.getMessage());
        }
    }

    /** A public key from a PEM file (SubjectPublicKeyInfo): RSA, EC or Ed25519, whichever it is. */
    public static PublicKey readPublicKey(Path pem) {
        byte[] der;
        try {
            der = Base64.getDecoder().decode(Files.readString(pem, StandardCharsets.US_ASCII)
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token issuer's public key " + pem + ": " + e.getMessage(), e);
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(pem + " is not an RSA, EC or Ed25519 public key in PEM (SubjectPublicKeyInfo)");
    }
}
