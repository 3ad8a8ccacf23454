-- eventsync schema, version 9 (API.md v1.1, MediaService; DESIGN.md decision 13): what is known
-- of each uploaded file. The bytes live in the blob store (the filesystem store: under
-- eventsync.media.filesystem.root), never here.
--
-- A row exists from an upload's first call; committed_bytes are the bytes the store holds
-- durably (fsync'ed before they are recorded here), so a client resumes from them. A hash
-- mismatch deletes the row: the uuid is free again. Not part of the log: rows change in place.
-- (V8 is left to the push notifier's tables.)
create table media (
    media_uuid      uuid        primary key,
    owner_uuid      uuid        not null check (owner_uuid <> '00000000-0000-0000-0000-000000000000'),
    -- type/subtype (RFC 6838 restricted names), lower case as the server stores it
    content_type    text        not null check (octet_length(content_type) <= 255
                                    and content_type ~ '^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$'),
    size_bytes      bigint      not null check (size_bytes > 0),
    sha256          bytea       not null check (octet_length(sha256) = 32),
    committed_bytes bigint      not null check (committed_bytes between 0 and size_bytes),
    state           text        not null check (state in ('uploading', 'complete')),
    created_at      timestamptz not null,
    updated_at      timestamptz not null check (updated_at >= created_at),
    -- complete means every byte is held (an upload at size_bytes whose hash is being checked is still uploading)
    check (state = 'uploading' or committed_bytes = size_bytes)
);
-- "this owner's incomplete uploads" (the per-user limit; later their expiry)
create index media_uploading_by_owner on media (owner_uuid, updated_at) where state = 'uploading';
