-- Presence (live sync): which users have a follow stream open on which server instance.
-- Ephemeral by nature, hence UNLOGGED (not WAL-logged, emptied after a crash): after a crash
-- every instance has restarted anyway and its streams are gone.

create unlogged table instances (
    instance_uuid uuid        primary key,
    started_at    timestamptz not null default now(),
    -- refreshed every few seconds; an instance silent for longer than the expiry is presumed
    -- dead, and another instance removes its presence rows (and announces those users offline)
    heartbeat_at  timestamptz not null default now()
);

create unlogged table presence (
    user_uuid     uuid        not null,
    instance_uuid uuid        not null references instances on delete cascade,
    since         timestamptz not null default now(),
    primary key (user_uuid, instance_uuid)
);
