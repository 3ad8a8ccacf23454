-- eventsync schema, version 1. Forward-only: never edit a released migration, add a new one.
--
-- Layout (DESIGN.md, decisions 1, 3, 4, 7):
--   log_head       one row: the last position handed out. Updating it is the position lock.
--   events         the append-only log, one row per stored event, in global position order.
--   feed           one row per (recipient, event): the per-user feeds SyncFromServer reads.
--   event_ids      the idempotency table: one row per stored event uuid, with its author and a
--                  hash of the submitted content, so a resend can be answered as a duplicate.
--   users, conversations, memberships, messages
--                  current state, maintained in the same transaction as the events; used to
--                  authorize and validate.
-- Every primary and unique key starts with its table's future distribution column, and foreign
-- keys stay inside one such group, so the schema can move to a sharded PostgreSQL later.

create table log_head (
    singleton     boolean primary key default true check (singleton),
    last_position bigint  not null check (last_position >= 0)
);
insert into log_head (singleton, last_position) values (true, 0);

create table events (
    position          bigint      primary key check (position > 0),
    event_uuid        uuid        not null unique,
    author_uuid       uuid        not null,
    kind              text        not null check (kind in (
                          'conversation_created', 'conversation_name_changed', 'member_joined',
                          'member_left', 'new_message', 'read_new_message',
                          'display_name_changed', 'profile_picture_changed')),
    -- null exactly for profile events, which belong to their author, not to a conversation
    conversation_uuid uuid        check ((conversation_uuid is null) =
                          (kind in ('display_name_changed', 'profile_picture_changed'))),
    stored_at         timestamptz not null,
    -- the delivered eventsync.v1.Event, serialized protobuf, server fields filled
    body              bytea       not null check (octet_length(body) > 0)
);

create table feed (
    user_uuid  uuid   not null,
    position   bigint not null check (position > 0),
    event_uuid uuid   not null,
    primary key (user_uuid, position),
    -- resolves a client's cursor (an event uuid) on the user's own rows
    unique (user_uuid, event_uuid)
);

create table event_ids (
    event_uuid   uuid        primary key,
    author_uuid  uuid        not null,
    content_hash bytea       not null check (octet_length(content_hash) = 32),
    stored_at    timestamptz not null,
    -- the server's message uuid, for sending_new_message (answered again on a resend)
    message_uuid uuid
);

create table users (
    user_uuid    uuid        primary key check (user_uuid <> '00000000-0000-0000-0000-000000000000'),
    display_name text        check (char_length(display_name) between 1 and 1000),
    created_at   timestamptz not null default now()
);

create table conversations (
    conversation_uuid uuid        primary key
                      check (conversation_uuid <> '00000000-0000-0000-0000-000000000000'),
    name              text        not null check (char_length(name) between 1 and 1000),
    created_by        uuid        not null,
    created_at        timestamptz not null
);

create table memberships (
    conversation_uuid uuid        not null references conversations,
    user_uuid         uuid        not null references users,
    joined_at         timestamptz not null,
    primary key (conversation_uuid, user_uuid)
);
-- "which conversations is this user in" (profile fan-out, contacts)
create index memberships_by_user on memberships (user_uuid, conversation_uuid);

create table messages (
    conversation_uuid uuid        not null references conversations,
    message_uuid      uuid        not null,
    author_uuid       uuid        not null references users,
    local_uuid        uuid        not null,
    event_uuid        uuid        not null,
    sent_at           timestamptz not null,
    primary key (conversation_uuid, message_uuid)
);

-- The log is append-only: rows of events, feed and event_ids are never changed or removed.
-- (The application's role should not be granted UPDATE/DELETE/TRUNCATE on them either; see
-- README, Operations.)
create function eventsync_reject_change() returns trigger language plpgsql as $$
begin
    raise exception 'eventsync: table % is append-only; % is not allowed', tg_table_name, tg_op
        using errcode = 'restrict_violation';
end
$$;

create trigger events_append_only before update or delete on events
    for each row execute function eventsync_reject_change();
create trigger events_no_truncate before truncate on events
    for each statement execute function eventsync_reject_change();
create trigger feed_append_only before update or delete on feed
    for each row execute function eventsync_reject_change();
create trigger feed_no_truncate before truncate on feed
    for each statement execute function eventsync_reject_change();
create trigger event_ids_append_only before update or delete on event_ids
    for each row execute function eventsync_reject_change();
create trigger event_ids_no_truncate before truncate on event_ids
    for each statement execute function eventsync_reject_change();
