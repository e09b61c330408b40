package dev.sinkhorn.service.grpc.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Who may call the services (application.properties prefix {@code sinkhorn.security}); the same
 * keys in all three services. Off by default (a local stack on one machine); the Kubernetes base
 * turns it on. See docs/security.md.
 */
@ConfigMapping(prefix = "sinkhorn.security")
public interface SecuritySettings {
    /** When true every RPC (but gRPC health) needs an identity with the role its method needs. */
    @WithDefault("false")
    boolean enabled();

    /** Bearer tokens (JWT, RS256 / ES256 / EdDSA) and how they are checked. */
    Jwt jwt();

    /** Roles of callers identified by their TLS client certificate: subject CN -> comma-separated roles. */
    Map<String, String> certificateRoles();

    /** A token this service presents when it calls another (inference to matcher): a file holding a JWT. */
    Optional<Path> clientTokenFile();

    interface Jwt {
        /** The issuer's public key (PEM: RSA, EC or Ed25519) that signs valid tokens. */
        Optional<Path> publicKey();

        /** The `iss` every token must carry. */
        Optional<String> issuer();

        /** When set, the `aud` every token must include. */
        Optional<String> audience();

        /** Tolerated clock skew when checking `exp` and `nbf`. */
        @WithDefault("30")
        int clockSkewSeconds();
    }
}
