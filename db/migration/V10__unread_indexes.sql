-- eventsync schema, version 10 (API.md v1.1 unread counts; DESIGN.md decision 12): unread counts
-- that cost O(1) index probes per conversation, whatever the length of the history.
--
-- A conversation's seqs are dense (each message takes the last seq + 1 and message rows are
-- never removed), so the messages in a range (lo, hi] number hi - lo without reading them. The
-- unread count of a user is that, less their own messages in the range (this index: a range
-- scan of their own messages only), less the deleted messages of others in it (a partial index
-- that holds deleted messages only). Mentions are counted over the messages that mention anyone
-- (a partial index: messages without mentions cost nothing). Each message adds one entry to
-- messages_by_author on the append path; the two partial indexes are written only by deletes
-- and by messages with mentions.
create index messages_by_author on messages (conversation_uuid, author_uuid, seq);
create index messages_deleted on messages (conversation_uuid, seq) where deleted_by is not null;
create index messages_mentioning on messages (conversation_uuid, seq) where cardinality(mentioned_user_uuids) > 0;
