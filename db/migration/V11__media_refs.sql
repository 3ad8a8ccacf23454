-- eventsync schema, version 11 (API.md v1.1, attachments and media pictures; DESIGN.md decisions
-- 11 and 13): which events reference which media, for access checks and the media lifecycle.
--
-- media_refs  one row per (media, referencing event): a message attachment (conversation_uuid and
--             message_uuid set) or a profile_picture_changed with media_uuid (both null). Inserted
--             by the batch that stores the event; a message delete removes its rows in the same
--             transaction. So "a user whose feed holds a non-deleted event referencing the media"
--             is one probe here joined with events (event_uuid) and feed (user, position), and
--             "unreferenced" is the absence of a row. Messages without media write nothing here.
--
-- media.state 'erasing': the row of a media whose bytes are being erased (a deleted message's
--             media no longer referenced, an expired upload). Set in the transaction that
--             decides it; the bytes go after commit, then the row. A crash between the two leaves
--             the row 'erasing', which the lifecycle job finishes: bytes are never left for ever.
create table media_refs (
    -- the foreign key makes a reference to a media being erased fail instead of dangling (both
    -- sides lock the media row first, so it does not happen in practice)
    media_uuid        uuid not null references media,
    event_uuid        uuid not null,
    conversation_uuid uuid,
    message_uuid      uuid,
    primary key (media_uuid, event_uuid),
    check ((conversation_uuid is null) = (message_uuid is null))
);
-- a message delete finds its references
create index media_refs_by_message on media_refs (conversation_uuid, message_uuid) where message_uuid is not null;

alter table media drop constraint media_state_check;
alter table media add constraint media_state_check check (state in ('uploading', 'complete', 'erasing'));
-- V9's "uploading or every byte held" is an unnamed table check (PostgreSQL numbered its name
-- after the column checks on two columns): found by its definition, not by that number.
do $$
declare
    old_check name;
begin
    select conname into strict old_check from pg_constraint
    where conrelid = 'media'::regclass and contype = 'c'
      and pg_get_constraintdef(oid) like '%''uploading''%committed_bytes = size_bytes%'
      and pg_get_constraintdef(oid) not like '%between%';
    execute format('alter table media drop constraint %I', old_check);
end
$$;
alter table media add constraint media_complete_holds_every_byte check (state <> 'complete' or committed_bytes = size_bytes);

-- the per-user quota sums a user's media; the lifecycle job finds old rows by state
create index media_by_owner on media (owner_uuid) include (size_bytes);
create index media_by_state on media (state, updated_at);
