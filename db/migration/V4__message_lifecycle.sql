-- eventsync schema, version 4 (API.md v1.1): the message lifecycle (edit, delete with erasure,
-- reactions, replies, mentions), read and delivered markers, admins, blocks and per-user settings.
--
-- Current state added here, maintained in the batch transaction like the rest:
--   messages.seq      the message's place in its conversation. A batch holds its conversations'
--                     row locks to commit, so per-conversation order is commit order, which is feed
--                     order within the conversation: markers compare seqs, never clocks. Assigned
--                     outside the global position lock, so it costs that lock nothing.
--   messages.*        current mentions, latest edit, deletion. The current text is not copied
--                     here: it stays in the body of the message's latest event (edit_event_uuid,
--                     else event_uuid), so a message's text is written once, and erasure has one
--                     place per event to clear.
--   memberships.admin, memberships.joined_seq (the conversation's last seq when the member joined)
--   markers, reactions, conversation_settings, blocks
--   message_events    the edits and reaction events of a message: what a delete must redact.

-- v1.1 kinds; user_blocked, like the profile events, belongs to its author, not to a conversation.
alter table events drop constraint events_kind_check;
alter table events add constraint events_kind_check check (kind in (
    'conversation_created', 'conversation_name_changed', 'member_joined',
    'member_left', 'new_message', 'read_new_message',
    'display_name_changed', 'profile_picture_changed',
    'message_edited', 'message_deleted', 'reactions_changed', 'messages_delivered',
    'conversation_settings_changed', 'user_blocked', 'member_role_changed')) not valid;
alter table events validate constraint events_kind_check;
-- (named events_check by PostgreSQL: its expression names two columns)
alter table events drop constraint events_check;
alter table events add constraint events_conversation_uuid_check check ((conversation_uuid is null) =
    (kind in ('display_name_changed', 'profile_picture_changed', 'user_blocked'))) not valid;
alter table events validate constraint events_conversation_uuid_check;

-- Erasure (DESIGN.md decision 11): a delete replaces the bodies of the message's events by their
-- redacted form, once. Nothing else of the log may change.
alter table events add column redacted boolean not null default false;
alter table event_ids add column redacted boolean not null default false;

-- One function per table: PL/pgSQL resolves every column an expression names, so one function
-- could not name columns of both.
create function eventsync_events_redaction_only() returns trigger language plpgsql as $$
begin
    if not old.redacted and new.redacted
       and old.kind in ('new_message', 'message_edited', 'reactions_changed')
       and (new.position, new.event_uuid, new.author_uuid, new.kind, new.conversation_uuid, new.stored_at)
           is not distinct from
           (old.position, old.event_uuid, old.author_uuid, old.kind, old.conversation_uuid, old.stored_at) then
        return new;
    end if;
    raise exception 'eventsync: table events is append-only; only the redaction of a deleted message''s events is allowed'
        using errcode = 'restrict_violation';
end
$$;

create function eventsync_event_ids_redaction_only() returns trigger language plpgsql as $$
begin
    if not old.redacted and new.redacted
       and (new.event_uuid, new.author_uuid, new.stored_at, new.message_uuid)
           is not distinct from (old.event_uuid, old.author_uuid, old.stored_at, old.message_uuid) then
        return new;
    end if;
    raise exception 'eventsync: table event_ids is append-only; only the redaction of a deleted message''s events is allowed'
        using errcode = 'restrict_violation';
end
$$;

drop trigger events_append_only on events;
create trigger events_no_delete before delete on events
    for each row execute function eventsync_reject_change();
create trigger events_redaction_only before update on events
    for each row execute function eventsync_events_redaction_only();
drop trigger event_ids_append_only on event_ids;
create trigger event_ids_no_delete before delete on event_ids
    for each row execute function eventsync_reject_change();
create trigger event_ids_redaction_only before update on event_ids
    for each row execute function eventsync_event_ids_redaction_only();

-- Messages: their order in the conversation and their current state.
alter table messages
    add column seq                  bigint,
    add column mentioned_user_uuids uuid[]      not null default '{}',
    add column attachment_count     smallint    not null default 0 check (attachment_count between 0 and 10),
    add column edited_at            timestamptz,
    add column edit_event_uuid      uuid,
    add column deleted_by           uuid,
    add check ((edited_at is null) = (edit_event_uuid is null));
update messages m set seq = s.seq
from (select event_uuid, row_number() over (partition by conversation_uuid order by position) as seq
      from events where kind = 'new_message') s
where s.event_uuid = m.event_uuid;
alter table messages alter column seq set not null, add check (seq > 0);
-- History and markers walk a conversation in this order; also the conversation's last seq.
create unique index messages_by_seq on messages (conversation_uuid, seq);

alter table memberships
    add column admin      boolean not null default false,
    add column joined_seq bigint  not null default 0 check (joined_seq >= 0);
-- A member sees the messages after the one that was last when they joined (approximated for
-- members who joined before this version: the messages sent before their join time).
update memberships ms set joined_seq = coalesce(
    (select max(m.seq) from messages m where m.conversation_uuid = ms.conversation_uuid and m.sent_at < ms.joined_at), 0);
-- Every conversation gets its admin: its creator if still a member, else the member who joined
-- earliest (ties: the smallest uuid).
update memberships ms set admin = true
from (select distinct on (m.conversation_uuid) m.conversation_uuid, m.user_uuid
      from memberships m join conversations c using (conversation_uuid)
      order by m.conversation_uuid, (m.user_uuid = c.created_by) desc, m.joined_at, m.user_uuid) first
where ms.conversation_uuid = first.conversation_uuid and ms.user_uuid = first.user_uuid;

-- Read and delivered markers: the furthest message (by seq) each user has named. v1 read events
-- stored before this version did not set markers: a client's next read does.
create table markers (
    conversation_uuid      uuid   not null references conversations,
    user_uuid              uuid   not null references users,
    read_seq               bigint not null default 0 check (read_seq >= 0),
    read_message_uuid      uuid,
    delivered_seq          bigint not null default 0 check (delivered_seq >= 0),
    delivered_message_uuid uuid,
    primary key (conversation_uuid, user_uuid),
    check ((read_seq = 0) = (read_message_uuid is null)),
    check ((delivered_seq = 0) = (delivered_message_uuid is null))
);

-- Each user's current reaction set on a message (no row: none). Erased with the message.
create table reactions (
    conversation_uuid uuid   not null,
    message_uuid      uuid   not null,
    user_uuid         uuid   not null,
    reactions         text[] not null check (cardinality(reactions) between 1 and 20),
    primary key (conversation_uuid, message_uuid, user_uuid),
    foreign key (conversation_uuid, message_uuid) references messages
);

-- The edit and reaction events of each message, so a delete finds every body to redact.
create table message_events (
    conversation_uuid uuid not null,
    message_uuid      uuid not null,
    event_uuid        uuid not null,
    primary key (conversation_uuid, message_uuid, event_uuid),
    foreign key (conversation_uuid, message_uuid) references messages
);

-- A user's own settings of a conversation (no row: the defaults).
create table conversation_settings (
    conversation_uuid uuid        not null references conversations,
    user_uuid         uuid        not null references users,
    muted_until       timestamptz,
    archived          boolean     not null,
    pinned            boolean     not null,
    primary key (conversation_uuid, user_uuid)
);

-- Who blocked whom (no foreign key: a user never seen may be blocked).
create table blocks (
    user_uuid    uuid not null,
    blocked_uuid uuid not null check (blocked_uuid <> user_uuid),
    primary key (user_uuid, blocked_uuid)
);
create index blocks_by_blocked on blocks (blocked_uuid, user_uuid);
