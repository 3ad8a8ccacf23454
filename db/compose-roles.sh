#!/bin/sh
# docker-compose.yml mounts this into the postgres image's /docker-entrypoint-initdb.d, which runs it
# once, on a new (empty) volume: the roles of db/roles.sql with the passwords from the environment.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$EVENTSYNC_OWNER_PASSWORD" -v app_password="$EVENTSYNC_APP_PASSWORD" \
  -f /eventsync/roles.sql
