-- eventsync schema, version 8 (API.md v1.1, PushService; DESIGN.md decision 14): the notifier's
-- progress and its pending retries. Neither is part of the log: both are changed in place.
--
-- push_position  one row: the last log position whose notifications were handed over (sent,
--                dropped, or queued below). Starts at the log's head when this migration runs,
--                so a database that gains push does not notify its whole history.
-- push_retries   notifications waiting for their gateway: after a network error, a timeout, a
--                429 or a 5xx, and every newer notification of the same pusher behind them (feed
--                order per pusher). Sent oldest id first per pusher; kept until delivered,
--                dropped, older than eventsync.push.retry-for, or the pusher is no longer this
--                user's (deleted, or its pushkey moved to another user: never notify them of it).
create table push_position (
    singleton  boolean     primary key default true check (singleton),
    position   bigint      not null check (position >= 0),
    updated_at timestamptz not null default now()
);
insert into push_position (singleton, position) select true, last_position from log_head;

create table push_retries (
    id              bigint      generated always as identity primary key,
    user_uuid       uuid        not null,
    app_id          text        not null,
    pushkey         text        not null,
    gateway_url     text        not null,
    -- the request body, exactly as it will be POSTed
    body            text        not null,
    event_uuid      uuid,
    -- when the event was stored (the lag metric is from commit to POST)
    stored_at       timestamptz not null,
    first_failed_at timestamptz not null,
    next_attempt_at timestamptz not null,
    attempts        integer     not null check (attempts >= 0)
);
-- "this pusher's queue, oldest first"
create index push_retries_by_pusher on push_retries (app_id, pushkey, id);
