-- eventsync schema, version 3: feed rows no longer carry the event uuid.
--
-- Each stored event writes one feed row per recipient, so the feed's indexes are most of the
-- write path's B-tree work: profiling the append backend at 4,000 events/s (10 recipients each)
-- showed it CPU-bound in B-tree descents, and unique (user_uuid, event_uuid) was half of the feed's
-- index entries. The uuid is redundant: a position is one event (events' primary key), so
-- primary key (user_uuid, position) already keeps an event at most once per feed. A cursor now
-- resolves through events' own unique uuid, then checks the user's row by primary key
-- (FeedReader.POSITION_OF): two key lookups, once per SyncFromServer call.
alter table feed drop constraint feed_user_uuid_event_uuid_key;
alter table feed drop column event_uuid;
