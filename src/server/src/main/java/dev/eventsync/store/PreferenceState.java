package dev.eventsync.store;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Each user's own choices one batch reads and changes: blocks (loaded for the users whose blocks
 * decide the batch) and conversation settings (never read: an event carries the whole settings).
 * Written back by {@link Preferences#write}.
 */
final class PreferenceState {

    record Block(UUID user, UUID blocked) {}

    record Settings(Instant mutedUntil, boolean archived, boolean pinned) {}

    private final Set<Block> blocks;
    /** true: blocked, false: unblocked; the latest of the batch per pair. */
    final Map<Block, Boolean> blockChanges = new LinkedHashMap<>();
    final Map<Needs.MemberKey, Settings> settings = new LinkedHashMap<>();

    PreferenceState(Set<Block> blocks) {
        this.blocks = blocks;
    }

    boolean blockedBetween(UUID one, UUID other) {
        return blocks.contains(new Block(one, other)) || blocks.contains(new Block(other, one));
    }

    void block(UUID user, UUID other, boolean blocked) {
        Block block = new Block(user, other);
        if (blocked) {
            blocks.add(block);
        } else {
            blocks.remove(block);
        }
        blockChanges.put(block, blocked);
    }

    void settings(UUID conversation, UUID user, Settings changed) {
        settings.put(new Needs.MemberKey(conversation, user), changed);
    }
}
