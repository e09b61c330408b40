package dev.sinkhorn.trainer;

import dev.sinkhorn.core.errors.NotFoundException;

/** No training job with that id is known to this trainer. */
public final class NoSuchJobException extends NotFoundException {
    public NoSuchJobException(String jobId) {
        super("no training job '" + jobId + "' on this trainer; ListJobs shows the jobs there are");
    }
}
