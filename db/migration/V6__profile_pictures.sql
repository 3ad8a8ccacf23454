-- eventsync schema, version 6 (API.md v1.1, Snapshot): each user's current profile picture.
--
-- A snapshot names a picture by media uuid; a png_image picture's media uuid is the uuid of its
-- profile_picture_changed event (API.md). Maintained by the batch that stores the event; null
-- when the user has none or removed it. Pictures set before this version are not backfilled
-- (whether an old event set or removed one is known only inside its protobuf body): they appear
-- in a snapshot once the user sets a picture again.
alter table users add column picture_media_uuid uuid;
