package dev.sinkhorn.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `sinkhorn token`: issues a bearer token (JWT) for a secured deployment, signed with the issuer's
 * private key, carrying the roles in its groups claim (docs/security.md).
 */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Issue a bearer token (JWT) with roles, signed with the issuer's private key (PKCS#8 PEM: RSA, EC or Ed25519).")
final class TokenCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "the issuer's private key (PKCS#8 PEM)")
    Path key;
    @Option(names = "--issuer", required = true, description = "the iss claim; the services check it (sinkhorn.security.jwt.issuer)")
    String issuer;
    @Option(names = "--subject", required = true, description = "who the token is for (sub and upn)")
    String subject;
    @Option(names = "--roles", split = ",", defaultValue = "client", description = "roles: client, operator (default ${DEFAULT-VALUE})")
    List<String> roles;
    @Option(names = "--audience", description = "the aud claim, where the services check one")
    String audience;
    @Option(names = "--ttl", defaultValue = "3600", description = "seconds until it expires (default ${DEFAULT-VALUE})")
    long ttl;

    @Override
    public Integer call() throws Exception {
        for (String role : roles) {
            if (!role.equals("client") && !role.equals("operator")) {
                throw new Errors.CliException(Errors.USAGE, "unknown role '" + role + "': use client and/or operator");
            }
        }
        PrivateKey privateKey = readPrivateKey(key);
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setSubject(subject);
        claims.setClaim("upn", subject);
        claims.setStringListClaim("groups", roles);
        if (audience != null) {
            claims.setAudience(audience);
        }
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(ttl / 60f);
        claims.setGeneratedJwtId();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(privateKey);
        jws.setAlgorithmHeaderValue(switch (privateKey.getAlgorithm()) {
            case "RSA" -> AlgorithmIdentifiers.RSA_USING_SHA256;
            case "EC" -> AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256;
            default -> AlgorithmIdentifiers.EDDSA;
        });
        try {
            spec.commandLine().getOut().println(jws.getCompactSerialization());
        } catch (JoseException e) {
            throw new Errors.CliException(Errors.USAGE, "cannot sign with " + key + ": " + e.getMessage());
        }
        return 0;
    }

    static PrivateKey readPrivateKey(Path pem) {
        byte[] der;
        try {
            der = Base64.getDecoder().decode(Files.readString(pem, StandardCharsets.US_ASCII)
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
        } catch (IOException | IllegalArgumentException e) {
            throw new Errors.CliException(Errors.USAGE, "cannot read " + pem + ": " + e.getMessage());
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new Errors.CliException(Errors.USAGE, pem + " is not an RSA, EC or Ed25519 private key in PKCS#8 PEM "
                + "(openssl genpkey writes that form)");
    }
}
