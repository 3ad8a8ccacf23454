package dev.eventsync.store;

import dev.eventsync.events.Result;
import dev.eventsync.events.Submission;
import io.grpc.Context;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One Sync call waiting in the append queue. {@code bytes} is its serialized request size (what
 * the queue's memory bound counts); {@code context} is the gRPC context it was submitted in, so a
 * call whose client has gone is skipped before it is written.
 */
record Pending(UUID caller, List<Submission> submissions, int bytes, Context context,
               CompletableFuture<List<Result>> results) {}
