-- eventsync schema, version 10 (API.md v1.1 unread counts; DESIGN.md decision 12): unread counts
-- that cost a few index probes per conversation, whatever the length of the history.
--
-- A conversation's seqs are dense (each message takes the last seq + 1 and message rows are
-- never removed), so the messages in a range (lo, hi] number hi - lo without reading them. The
-- author's own messages are numbered the same way: author_seq is the message's rank among its
-- author's messages of the conversation, so the author's messages in (lo, hi] number
-- author_seq(at hi) - author_seq(at lo), two backward probes of messages_by_author. The unread
-- count is hi - lo less the user's own messages, less the others' deleted ones (a partial index
-- of deleted messages only); mentions are counted over the messages that mention anyone (a
-- partial index: messages without mentions cost nothing). On the append path each message adds
-- one entry to messages_by_author and one probe of it (the author's last author_seq, inside the
-- insert); the partial indexes are written only by deletes and by messages with mentions.
alter table messages add column author_seq bigint;
update messages m set author_seq = r.n
from (select conversation_uuid, message_uuid,
             row_number() over (partition by conversation_uuid, author_uuid order by seq) as n
      from messages) r
where r.conversation_uuid = m.conversation_uuid and r.message_uuid = m.message_uuid;
alter table messages alter column author_seq set not null, add check (author_seq > 0);

create index messages_by_author on messages (conversation_uuid, author_uuid, seq) include (author_seq);
create index messages_deleted on messages (conversation_uuid, seq) where deleted_by is not null;
create index messages_mentioning on messages (conversation_uuid, seq) where cardinality(mentioned_user_uuids) > 0;
