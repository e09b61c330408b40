package dev.sinkhorn.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.v1.InferenceServiceGrpc;
import dev.sinkhorn.v1.MatrixBatch;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** A real gRPC channel to the inference service under test, and status assertions. */
final class GrpcClients {
    static final ManagedChannel CHANNEL = ManagedChannelBuilder.forAddress("127.0.0.1", 19092).usePlaintext()
            .maxInboundMessageSize(64 << 20).build();
    static final InferenceServiceGrpc.InferenceServiceBlockingStub INFERENCE = InferenceServiceGrpc.newBlockingStub(CHANNEL)
            .withMaxOutboundMessageSize(64 << 20);

    private GrpcClients() {
    }

    interface Call {
        void run() throws Exception;
    }

    static StatusRuntimeException assertStatus(Status.Code code, Call call, String... fragments) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        for (String f : fragments) {
            assertTrue(String.valueOf(e.getStatus().getDescription()).contains(f),
                    "'" + e.getStatus().getDescription() + "' lacks '" + f + "'");
        }
        return e;
    }

    static MatrixBatch batch(int b, int n, float... values) {
        MatrixBatch.Builder m = MatrixBatch.newBuilder().setBatch(b).setRows(n).setCols(n);
        for (float v : values) {
            m.addValues(v);
        }
        return m.build();
    }
}
