-- eventsync's two database roles (README, Operations: least privilege).
--
--   eventsync_owner  owns the schema: Flyway migrations run as it (`java -jar eventsync.jar
--                    migrate`, or spring.flyway.user/password at the server's startup). An owner
--                    can disable the append-only triggers, so the server never runs as it.
--   eventsync_app    the server's login: reads and appends the log, maintains the projections and
--                    presence; no UPDATE, DELETE or TRUNCATE on the log, owns nothing, not a
--                    superuser. Its table grants come with the migrations
--                    (db/migration/R__app_role_grants.sql), so they follow the schema.
--
-- Run it as a superuser (or a role with CREATEROLE), connected to the eventsync database, before
-- the first migration. Running it again only sets the passwords again:
--
--   psql -d eventsync -v owner_password='…' -v app_password='…' -f db/roles.sql
--
-- Plain SQL and psql variables (:'name') only: LeastPrivilegeTest runs this very file.

do $$
begin
    if not exists (select from pg_roles where rolname = 'eventsync_owner') then
        create role eventsync_owner;
    end if;
    if not exists (select from pg_roles where rolname = 'eventsync_app') then
        create role eventsync_app;
    end if;
end
$$;

alter role eventsync_owner with login nosuperuser nocreatedb nocreaterole nobypassrls password :'owner_password';
alter role eventsync_app with login nosuperuser nocreatedb nocreaterole nobypassrls password :'app_password';

-- The owner creates in the schema, the server only uses it. (Before PostgreSQL 15 every role
-- could create in public.)
revoke create on schema public from public;
grant usage, create on schema public to eventsync_owner;
grant usage on schema public to eventsync_app;
