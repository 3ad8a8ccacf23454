package dev.eventsync.push;

import dev.eventsync.proto.v1.Pusher;
import java.util.UUID;

/** Where one notification goes: a user's pusher as stored, {@code pushkeyTs} being Matrix's seconds since registration. */
public record PushTarget(UUID user, PusherKey key, String gatewayUrl, Pusher.Format format, long pushkeyTs) {}
