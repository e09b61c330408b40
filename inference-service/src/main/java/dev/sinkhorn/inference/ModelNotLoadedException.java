package dev.sinkhorn.inference;

import dev.sinkhorn.core.errors.NotFoundException;

/** No model of that name, or not that version of it, is loaded on this replica. */
public final class ModelNotLoadedException extends NotFoundException {
    public ModelNotLoadedException(String message) {
        super(message);
    }
}
