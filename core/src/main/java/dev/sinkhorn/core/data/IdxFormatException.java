package dev.sinkhorn.core.data;

import java.io.IOException;

/** An IDX file that is not what it claims to be: wrong magic number, impossible dimensions, or truncated. */
public final class IdxFormatException extends IOException {
    public IdxFormatException(String message) {
        super(message);
    }
}
