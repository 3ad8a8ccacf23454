-- eventsync schema, version 7 (API.md v1.1, PushService): the devices that want push.
--
-- A pusher is one device's registration with a Matrix Push Gateway. A pushkey names one device of
-- one app, so (app_id, pushkey) is the key: registering it again, by anyone, moves it to that user
-- (a phone that changes hands, or logs in as someone else, must not keep notifying the old user).
-- That key does not start with the user, unlike the rest of the schema: pushers are small and
-- outside the event log, so they can live on one node of a sharded database.
-- Not part of the log: pushers are changed and removed in place (no append-only trigger).
create table pushers (
    app_id              text        not null check (octet_length(app_id) between 1 and 64),
    pushkey             text        not null check (octet_length(pushkey) between 1 and 512),
    user_uuid           uuid        not null check (user_uuid <> '00000000-0000-0000-0000-000000000000'),
    gateway_url         text        not null check (gateway_url ~ '^https?://' and octet_length(gateway_url) <= 2048),
    -- Pusher.Format: 1 FULL, 2 EVENT_ID_ONLY (unspecified is stored as FULL)
    format              smallint    not null check (format in (1, 2)),
    device_display_name text        not null check (octet_length(device_display_name) <= 256),
    lang                text        not null check (octet_length(lang) <= 64),
    -- when this user registered this pushkey: Matrix's pushkey_ts
    registered_at       timestamptz not null,
    primary key (app_id, pushkey)
);
-- "this user's pushers" (ListPushers, and the notifier's fan-out)
create index pushers_by_user on pushers (user_uuid, app_id, pushkey);
