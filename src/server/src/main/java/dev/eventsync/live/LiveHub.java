package dev.eventsync.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * This instance's open follow streams, by user, and where notifications land: a wake-up wakes
 * the streams of the users it names; a transitory event is offered to them. Never writes to a
 * stream itself: streams drain on their own executor. Waking every stream is spread over a short
 * window ({@link WakeSpreader}), and the safety poll does it only when a wake-up was lost
 * ({@link WakeAudit}).
 */
@Component
public class LiveHub implements DisposableBean {

    private final ConcurrentHashMap<UUID, Set<LiveStream>> streams = new ConcurrentHashMap<>();
    /** Other readers of the log (the push notifier): told of every commit wake-up, so none opens a second LISTEN. */
    private final List<Runnable> commitListeners = new CopyOnWriteArrayList<>();
    private final WakeSpreader spreader;
    /** The spread wake-ups' timer (null when the spreader was given). */
    private final ScheduledExecutorService timer;
    /** The highest log position a wake-up has announced, or that a wake of every stream covered. */
    private final AtomicLong announced = new AtomicLong();
    private final WakeAudit audit = new WakeAudit();
    private final LongAdder lostWakeups = new LongAdder();
    private final LongAdder streamsRewoken = new LongAdder();

    @Autowired
    public LiveHub(LiveProperties properties) {
        this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("eventsync-wake"));
        this.spreader = new WakeSpreader(properties.wakeSpread(), Later.on(timer));
    }

    LiveHub(WakeSpreader spreader) {
        this.spreader = spreader;
        this.timer = null;
    }

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

    /** Runs the listener (quickly: on the LISTEN thread) on every commit wake-up and after a missed notification. */
    public void onCommit(Runnable listener) {
        commitListeners.add(listener);
    }

    public void dispatch(Notifications.Payload payload) {
        if (payload.kind() == 'W') {
            announced.accumulateAndGet(payload.position(), Math::max);
            commitListeners.forEach(Runnable::run);
        }
        if (payload.kind() == 'E') {
            for (UUID user : payload.users()) {
                forEach(user, stream -> stream.offer(payload.event()));
            }
        } else if (payload.users() == null) {
            wakeAll();
        } else {
            for (UUID user : payload.users()) {
                forEach(user, stream -> stream.wake(payload.position()));
            }
        }
    }

    /**
     * The safety net, run by one timer thread: given the log head committed now, wakes every
     * stream when a wake-up was lost since the previous poll ({@link WakeAudit}), and otherwise
     * wakes again the streams that a wake-up reached but that never began the read it asked for
     * ({@link LiveStream#behind()}). Neither reads the database when nothing was lost.
     */
    public void safetyPoll(long committedHead) {
        if (audit.wakeAllNeeded(committedHead, announced.get())) {
            lostWakeups.increment();
            announced.accumulateAndGet(committedHead, Math::max); // the streams read after this
            wakeAll();
            return;
        }
        streams.values().forEach(set -> set.forEach(stream -> {
            if (stream.behind()) {
                streamsRewoken.increment();
                stream.wake();
            }
        }));
    }

    /** Streams the safety poll woke again since start: a wake-up reached them, no read followed. */
    public long streamsRewoken() {
        return streamsRewoken.sum();
    }

    /**
     * The LISTEN connection is (re)established and the log head read after it: whatever was
     * committed up to it while nobody listened is read by every stream, spread over the wake
     * window; everything committed after it will be announced.
     */
    public void listening(long committedHead) {
        announced.accumulateAndGet(committedHead, Math::max);
        wakeAll();
    }

    /** The highest log position a wake-up has announced to this instance (or a wake of every stream covered). */
    public long announcedHead() {
        return announced.get();
    }

    /** Safety polls since start that found a wake-up lost and woke every stream. */
    public long lostWakeups() {
        return lostWakeups.sum();
    }

    /**
     * After a missed notification (listener reconnect, a lost wake-up found by the safety
     * poll), or for a batch too wide to name its users: every stream, spread over the wake window.
     */
    public void wakeAll() {
        commitListeners.forEach(Runnable::run);
        List<LiveStream> all = new ArrayList<>();
        streams.values().forEach(all::addAll);
        spreader.wake(all);
    }

    public void shutdownAll() {
        streams.values().forEach(set -> set.forEach(LiveStream::shutdown));
    }

    public int openStreams() {
        return streams.values().stream().mapToInt(Set::size).sum();
    }

    /** Whether the user has a follow stream open on this instance. */
    public boolean isOnline(UUID user) {
        return streams.containsKey(user);
    }

    @Override
    public void destroy() {
        if (timer != null) {
            timer.shutdownNow();
        }
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
