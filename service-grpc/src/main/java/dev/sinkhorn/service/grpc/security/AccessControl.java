package dev.sinkhorn.service.grpc.security;

import dev.sinkhorn.service.grpc.WarmupGate;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Prioritized;
import jakarta.inject.Inject;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jboss.logging.Logger;

/**
 * Who may call what, checked before any service method runs (every RPC of the service, through
 * one gRPC interceptor). With security on, a call needs an identity: a bearer token
 * ({@code authorization: Bearer <JWT>}, checked by {@link TokenVerifier}) or, under mutual TLS, a
 * client certificate whose subject CN has roles in {@code sinkhorn.security.certificate-roles}.
 * No identity, or a token that does not hold: UNAUTHENTICATED. An identity without the role the
 * method needs ({@link Roles}): PERMISSION_DENIED. The message says which.
 */
@ApplicationScoped
@GlobalInterceptor
public class AccessControl implements ServerInterceptor, Prioritized {
    private static final Logger LOG = Logger.getLogger(AccessControl.class);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    @Inject
    SecuritySettings settings;
    @Inject
    WarmupGate warmup;

    private volatile TokenVerifier tokens;
    private volatile Map<String, Set<String>> certificateRoles = Map.of();

    void onStart(@Observes StartupEvent event) {
        if (!settings.enabled()) {
            LOG.warn("SECURITY IS OFF: any caller that reaches this port may call every RPC, start and cancel training "
                    + "and change what is served. Turn it on with SINKHORN_SECURITY_ENABLED=true (docs/security.md)");
            return;
        }
        if (settings.jwt().publicKey().isPresent()) {
            String issuer = settings.jwt().issuer().orElseThrow(() -> new IllegalStateException(
                    "sinkhorn.security.jwt.issuer must be set with sinkhorn.security.jwt.public-key"));
            tokens = new TokenVerifier(TokenVerifier.readPublicKey(settings.jwt().publicKey().get()), issuer,
                    settings.jwt().audience().orElse(null), settings.jwt().clockSkewSeconds());
        }
        Map<String, Set<String>> roles = new java.util.TreeMap<>();
        settings.certificateRoles().forEach((cn, list) -> roles.put(cn, new LinkedHashSet<>(Arrays.stream(list.split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList())));
        certificateRoles = Map.copyOf(roles);
        if (tokens == null && certificateRoles.isEmpty()) {
            throw new IllegalStateException("sinkhorn.security.enabled=true but no way to identify callers: set "
                    + "sinkhorn.security.jwt.public-key (and .issuer) or sinkhorn.security.certificate-roles");
        }
        LOG.infof("security is on: bearer tokens %s, client certificates with roles %s",
                tokens == null ? "not accepted" : "from issuer " + settings.jwt().issuer().get(), certificateRoles);
    }

    @Override
    public int getPriority() {
        return 10_000; // before every other interceptor: nothing runs for a caller who may not call
    }

    /** The name of the verified identity of the call under way (unset while security is off). */
    private static final io.grpc.Context.Key<String> CALLER = io.grpc.Context.key("sinkhorn-caller");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!settings.enabled()) {
            return next.startCall(call, headers);
        }
        String method = call.getMethodDescriptor().getFullMethodName();
        String required = Roles.required(method);
        if (required == null || warmup.isWarmupCall(headers)) {
            return next.startCall(call, headers);
        }
        TokenVerifier.Identity who;
        try {
            who = identify(call, headers, method);
        } catch (TokenVerifier.RejectedToken e) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription(e.getMessage()));
        }
        if (who == null) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription(method + " needs an identity: a bearer token "
                    + "(authorization: Bearer <JWT>)" + (certificateRoles.isEmpty() ? "" : " or a TLS client certificate")));
        }
        if (!Roles.allows(who.roles(), required)) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription(method + " needs the role " + required + "; "
                    + who.name() + " has " + who.roles()));
        }
        return io.grpc.Contexts.interceptCall(io.grpc.Context.current().withValue(CALLER, who.name()), call, headers, next);
    }

    /** Who made the current call (an identity's name), for records such as lifecycle decisions. */
    public static String caller() {
        String name = CALLER.get();
        return name == null ? "anonymous (security off)" : name;
    }

    private TokenVerifier.Identity identify(ServerCall<?, ?> call, Metadata headers, String method) throws TokenVerifier.RejectedToken {
        String auth = headers.get(AUTHORIZATION);
        if (auth != null) {
            if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new TokenVerifier.RejectedToken("the authorization header must be 'Bearer <JWT>'");
            }
            if (tokens == null) {
                throw new TokenVerifier.RejectedToken("this service accepts no bearer tokens (sinkhorn.security.jwt.public-key "
                        + "is unset); identify with a client certificate");
            }
            return tokens.verify(auth.substring(7).strip());
        }
        SSLSession tls = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (tls == null || certificateRoles.isEmpty()) {
            return null;
        }
        try {
            Certificate[] chain = tls.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate cert) {
                String cn = commonName(cert);
                Set<String> roles = certificateRoles.get(cn);
                return new TokenVerifier.Identity("client certificate CN=" + cn, roles == null ? Set.of() : roles);
            }
        } catch (SSLPeerUnverifiedException noClientCertificate) {
            return null;
        }
        return null;
    }

    private static String commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            // fall through: no CN
        }
        return cert.getSubjectX500Principal().getName();
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
