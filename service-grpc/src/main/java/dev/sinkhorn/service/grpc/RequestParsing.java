package dev.sinkhorn.service.grpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.InputStream;

/**
 * Requests whose bytes do not parse as their message get INVALID_ARGUMENT naming the message type
 * and the parse error. grpc-java itself answers them UNKNOWN ("Application error processing RPC"):
 * the parse runs inside the transport, before any interceptor, and its failure is treated as a
 * crash of the service. Here the request marshaller hands a marker on instead of throwing, and the
 * innermost listener closes the call with the right status; the service method never runs.
 *
 * <p>Services bind through it: {@code bindService() { return RequestParsing.rejectUnparsable(XGrpc.bindService(this)); }}.
 */
public final class RequestParsing {
    private RequestParsing() {
    }

    /** What the marshaller passes on for bytes that are not the message. */
    private record Unparsable(String messageType, String problem) {
    }

    /** The same service, with every method's unparsable requests answered INVALID_ARGUMENT. */
    public static ServerServiceDefinition rejectUnparsable(ServerServiceDefinition service) {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            b.addMethod(rejectUnparsable(m));
        }
        return b.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> rejectUnparsable(ServerMethodDefinition<Q, R> m) {
        MethodDescriptor<Q, R> d = m.getMethodDescriptor();
        MethodDescriptor<Q, R> lenient = d.toBuilder(new Lenient<>(d.getRequestMarshaller(), d.getFullMethodName()),
                d.getResponseMarshaller()).build();
        ServerCallHandler<Q, R> handler = m.getServerCallHandler();
        return ServerMethodDefinition.create(lenient, (call, headers) -> new Guard<>(handler.startCall(call, headers), call));
    }

    /** Parses like the generated marshaller, but returns an {@link Unparsable} where that one throws. */
    private static final class Lenient<Q> implements MethodDescriptor.Marshaller<Q> {
        private final MethodDescriptor.Marshaller<Q> parser;
        private final String method;

        Lenient(MethodDescriptor.Marshaller<Q> parser, String method) {
            this.parser = parser;
            this.method = method;
        }

        @Override
        public InputStream stream(Q value) {
            return parser.stream(value);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Q parse(InputStream stream) {
            try {
                return parser.parse(stream);
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                // Only the listener below sees this object (the generic type is erased): it never reaches the service.
                return (Q) new Unparsable(method, cause.getMessage());
            }
        }
    }

    /** Ends the call at the first unparsable message and keeps everything after it from the service. */
    private static final class Guard<Q, R> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final ServerCall<Q, R> call;
        private boolean rejected;

        Guard(ServerCall.Listener<Q> delegate, ServerCall<Q, R> call) {
            super(delegate);
            this.call = call;
        }

        @Override
        public void onMessage(Q message) {
            if (rejected) {
                return;
            }
            if (message instanceof Unparsable u) {
                rejected = true;
                call.close(Status.INVALID_ARGUMENT.withDescription("the request to " + u.messageType()
                        + " is not a valid protobuf message of its type: " + u.problem()), new Metadata());
                return;
            }
            super.onMessage(message);
        }

        @Override
        public void onHalfClose() {
            if (!rejected) {
                super.onHalfClose();
            }
        }

        @Override
        public void onReady() {
            if (!rejected) {
                super.onReady();
            }
        }
    }
}
