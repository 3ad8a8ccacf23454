-- The server's role and its grants (README, Operations: least privilege; db/roles.sql creates
-- the role). The role is eventsync.database.app-role (default eventsync_app); where it does not
-- exist (development mode, tests, a server running as the owner) nothing is granted.
--
-- Repeatable: Flyway runs it again, after the versioned migrations, whenever this file changes.
-- It is the whole list: a migration that adds a table adds the table's grants here.
do $$
declare
    app constant text := '${app_role}';
begin
    if app = '' or not exists (select from pg_roles where rolname = app) then
        raise notice 'eventsync: no role "%", no grants', app;
        return;
    end if;
    execute format('revoke all on all tables in schema public from %I', app);
    -- The log: read and append, never change or remove (the triggers refuse that too, but an
    -- owner could disable them; this role cannot).
    execute format('grant select, insert on events, feed, event_ids to %I', app);
    -- Erasure of a deleted message (API.md v1.1): its events' bodies become their redacted form;
    -- the triggers allow exactly that change, once.
    execute format('grant update (body, redacted) on events to %I', app);
    execute format('grant update (content_hash, redacted) on event_ids to %I', app);
    execute format('grant select, update on log_head to %I', app);
    -- Projections: current state, maintained with the events.
    execute format('grant select, insert, update on users, conversations to %I', app);
    execute format('grant select, insert, update, delete on memberships to %I', app);
    execute format('grant select, insert, update on messages to %I', app);
    execute format('grant select, insert, update, delete on markers, reactions, conversation_settings, blocks to %I', app);
    execute format('grant select, insert on message_events, membership_periods to %I', app);
    -- Push registrations (not part of the log): changed and removed in place.
    execute format('grant select, insert, update, delete on pushers to %I', app);
    -- The notifier's progress and pending retries (not part of the log).
    execute format('grant select, update on push_position to %I', app);
    execute format('grant select, insert, update, delete on push_retries to %I', app);
    -- Media metadata (not part of the log): committed bytes advance in place; a failed upload's row is removed.
    execute format('grant select, insert, update, delete on media to %I', app);
    -- Which events reference which media: inserted with the events, removed by a message delete.
    execute format('grant select, insert, delete on media_refs to %I', app);
    -- Presence: ephemeral rows of the running instances.
    execute format('grant select, insert, update, delete on instances, presence to %I', app);
    -- Flyway's history, read only: a server that may not migrate checks that the schema is current.
    execute format('grant select on %I to %I', '${flyway:table}', app);
end
$$;
