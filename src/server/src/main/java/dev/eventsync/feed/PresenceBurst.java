package dev.eventsync.feed;

import dev.eventsync.events.Delivery;
import dev.eventsync.proto.v1.Event;
import dev.eventsync.proto.v1.UserIsConnected;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;

/**
 * The {@code user_is_connected} list a follow stream sends right after {@code sync_caught_up}
 * (API.md, SyncFromServer: Presence), read a page of contacts at a time, in uuid order from the
 * last one sent: a user with a hundred thousand online contacts costs one page, not the list.
 * The stream reserves a page's bytes from its budget before reading it ({@link #BYTES_PER_CONTACT}
 * each) and sends while its transport is ready, as it does with feed pages.
 *
 * <p>Owned by the stream's drainer (not thread-safe).
 */
final class PresenceBurst {

    /** Contacts read per page at most. */
    static final int PAGE = 500;
    /**
     * What one contact is charged against the byte budget: its uuid held until sent, then its
     * event (about 95 bytes serialized) until the transport takes it.
     */
    static final long BYTES_PER_CONTACT = 160;

    private final UUID user;
    private final FeedStream.Owner owner;
    private final ArrayDeque<UUID> page = new ArrayDeque<>();
    private UUID lastSent;
    private boolean exhausted;

    PresenceBurst(UUID user, FeedStream.Owner owner) {
        this.user = user;
        this.owner = owner;
    }

    /** A contact is read and not yet sent. */
    boolean hasNext() {
        return !page.isEmpty();
    }

    /** Every online contact was sent. */
    boolean done() {
        return page.isEmpty() && exhausted;
    }

    /** Reads the next page, of at most {@code limit} contacts; returns how many were read. */
    int refill(int limit) {
        List<UUID> next = owner.onlineContacts(user, lastSent, limit);
        page.addAll(next);
        exhausted = next.size() < limit;
        return next.size();
    }

    /** The next contact's event, which the caller sends. */
    Event next(Instant now) {
        UUID contact = page.poll();
        lastSent = contact;
        return Event.newBuilder()
                .setAuthorUuid(contact.toString())
                .setOccurredAt(Delivery.timestamp(now))
                .setUserIsConnected(UserIsConnected.newBuilder().setUserUuid(contact.toString()).setConnected(true))
                .build();
    }

    /** Forgets the contacts read and not sent (they are read again, after the last one sent); returns how many. */
    int dropUnsent() {
        int dropped = page.size();
        page.clear();
        exhausted = false;
        return dropped;
    }
}
