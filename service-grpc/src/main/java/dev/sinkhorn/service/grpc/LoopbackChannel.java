package dev.sinkhorn.service.grpc;

import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * A channel from a service to its own gRPC port on 127.0.0.1, for the warm-up: calls through it
 * take the whole path a client's call takes (transport, message handling, the service), so that
 * path is compiled before the first client arrives. Over TLS it trusts whatever certificate its
 * own server shows (it is talking to itself on loopback) and, where the server wants client
 * certificates, presents the server's own. It carries the warm-up key ({@link WarmupGate#key()}),
 * which the access check accepts as the service itself.
 */
public final class LoopbackChannel {
    static final Metadata.Key<String> WARMUP_KEY = Metadata.Key.of("x-sinkhorn-warmup", Metadata.ASCII_STRING_MARSHALLER);

    private LoopbackChannel() {
    }

    /**
     * @param port        the service's gRPC port
     * @param certificate the server's certificate (PEM), when it serves TLS
     * @param key         its key, presented as the client's where the server wants one
     */
    public static ManagedChannel open(int port, Optional<String> certificate, Optional<String> key) throws SSLException {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress("127.0.0.1", port).maxInboundMessageSize(64 << 20);
        if (certificate.filter(c -> !c.isBlank()).isPresent()) {
            SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE);
            if (key.filter(k -> !k.isBlank()).isPresent()) {
                ssl.keyManager(new File(certificate.get()), new File(key.get()));
            }
            b.sslContext(ssl.build());
        } else {
            b.usePlaintext();
        }
        return b.build();
    }

    /** Adds the warm-up key to every call on a channel. */
    public static ClientInterceptor withKey(String warmupKey) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> io.grpc.ClientCall<Q, R> interceptCall(io.grpc.MethodDescriptor<Q, R> method, io.grpc.CallOptions options,
                                                                   io.grpc.Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        headers.put(WARMUP_KEY, warmupKey);
                        super.start(listener, headers);
                    }
                };
            }
        };
    }

    /** The channel with the warm-up key on every call. */
    public static io.grpc.Channel keyed(ManagedChannel channel, String warmupKey) {
        return ClientInterceptors.intercept(channel, withKey(warmupKey));
    }
}
