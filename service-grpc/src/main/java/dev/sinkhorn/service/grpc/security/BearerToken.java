package dev.sinkhorn.service.grpc.security;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The token a service presents when it calls another (the inference service's calls to the
 * matcher): read from {@code sinkhorn.security.client-token-file} at every call, so a rotated token
 * (a re-mounted Secret) is picked up without a restart. Without that setting, calls carry none.
 */
@ApplicationScoped
public class BearerToken implements ClientInterceptor {
    @Inject
    SecuritySettings settings;

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            @Override
            public void start(Listener<R> listener, Metadata headers) {
                settings.clientTokenFile().ifPresent(file -> headers.put(AccessControl.AUTHORIZATION, "Bearer " + read(file)));
                super.start(listener, headers);
            }
        };
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the client token " + file + ": " + e.getMessage(), e);
        }
    }
}
