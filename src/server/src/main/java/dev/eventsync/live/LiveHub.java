package dev.eventsync.live;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.springframework.stereotype.Component;

/**
 * This instance's open follow streams, by user, and where notifications land: a wake-up wakes
 * the streams of the users it names; a transitory event is offered to them. Never writes to a
 * stream itself: streams drain on their own executor.
 */
@Component
public class LiveHub {

    private final ConcurrentHashMap<UUID, Set<LiveStream>> streams = new ConcurrentHashMap<>();

    /** Returns true when this is the user's first stream on this instance. */
    public boolean register(LiveStream stream) {
        boolean[] first = new boolean[1];
        streams.compute(stream.user(), (user, set) -> {
            if (set == null) {
                set = ConcurrentHashMap.newKeySet();
                first[0] = true;
            }
            set.add(stream);
            return set;
        });
        return first[0];
    }

    /** Returns true when this was the user's last stream on this instance. */
    public boolean unregister(LiveStream stream) {
        boolean[] last = new boolean[1];
        streams.computeIfPresent(stream.user(), (user, set) -> {
            if (!set.remove(stream)) {
                return set;
            }
            last[0] = set.isEmpty();
            return set.isEmpty() ? null : set;
        });
        return last[0];
    }

    public void dispatch(Notifications.Payload payload) {
        if (payload.kind() == 'E') {
            for (UUID user : payload.users()) {
                forEach(user, stream -> stream.offer(payload.event()));
            }
        } else if (payload.users() == null) {
            wakeAll();
        } else {
            for (UUID user : payload.users()) {
                forEach(user, LiveStream::wake);
            }
        }
    }

    /** After a missed notification (listener reconnect) or as the periodic safety net. */
    public void wakeAll() {
        streams.values().forEach(set -> set.forEach(LiveStream::wake));
    }

    public void shutdownAll() {
        streams.values().forEach(set -> set.forEach(LiveStream::shutdown));
    }

    public int openStreams() {
        return streams.values().stream().mapToInt(Set::size).sum();
    }

    public Set<UUID> onlineUsers() {
        return Set.copyOf(streams.keySet());
    }

    private void forEach(UUID user, Consumer<LiveStream> action) {
        Set<LiveStream> set = streams.get(user);
        if (set != null) {
            set.forEach(action);
        }
    }
}
