package dev.sinkhorn.cli;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLException;

/**
 * How the CLI reaches secured services: TLS (trusting a CA, with a client certificate for mutual
 * TLS) and a bearer token on every call. With none of them, plain-text channels and no token.
 *
 * @param ca    PEM CA certificates to trust (null: plain text)
 * @param cert  client certificate chain (PEM), for mutual TLS
 * @param key   its private key (PKCS#8 PEM)
 * @param token the bearer token (null: none)
 */
record Credentials(Path ca, Path cert, Path key, String token) {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    static Credentials of(Path ca, Path cert, Path key, String token, Path tokenFile) {
        if ((cert == null) != (key == null)) {
            throw new Errors.CliException(Errors.USAGE, "--tls-cert and --tls-key go together (mutual TLS)");
        }
        if (cert != null && ca == null) {
            throw new Errors.CliException(Errors.USAGE, "--tls-cert needs --tls-ca (the CA that signed the servers' certificates)");
        }
        String t = token;
        if ((t == null || t.isBlank()) && tokenFile != null) {
            try {
                t = Files.readString(tokenFile, StandardCharsets.US_ASCII).strip();
            } catch (IOException e) {
                throw new Errors.CliException(Errors.USAGE, "cannot read --token-file " + tokenFile + ": " + e.getMessage());
            }
        }
        return new Credentials(ca, cert, key, t == null || t.isBlank() ? null : t.strip());
    }

    ManagedChannel channel(String address) {
        if (ca == null) {
            return ManagedChannelBuilder.forTarget(address).usePlaintext().maxInboundMessageSize(64 << 20).build();
        }
        try {
            var ssl = GrpcSslContexts.forClient().trustManager(ca.toFile());
            if (cert != null) {
                ssl.keyManager(cert.toFile(), key.toFile());
            }
            return NettyChannelBuilder.forTarget(address).sslContext(ssl.build()).maxInboundMessageSize(64 << 20).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new Errors.CliException(Errors.USAGE, "TLS files do not load (" + ca + (cert == null ? "" : ", " + cert + ", " + key)
                    + "): " + e.getMessage());
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }

    /** The token as per-call credentials, or null without one. */
    CallCredentials callCredentials() {
        if (token == null) {
            return null;
        }
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata m = new Metadata();
                m.put(AUTHORIZATION, "Bearer " + token);
                applier.apply(m);
            }
        };
    }
}
