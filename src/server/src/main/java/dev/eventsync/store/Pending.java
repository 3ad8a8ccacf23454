package dev.eventsync.store;

import dev.eventsync.events.Result;
import dev.eventsync.events.Submission;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** One Sync call waiting in the append queue. */
record Pending(UUID caller, List<Submission> submissions, CompletableFuture<List<Result>> results) {}
