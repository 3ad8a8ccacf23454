-- eventsync schema, version 5 (API.md v1.1, History): the memberships that ended.
--
-- A user sees a conversation's messages sent while they were a member. The current membership
-- is memberships.joined_seq onwards; each ended one is a row here, written in the batch that
-- removes the member: the messages with from_seq < seq <= to_seq, and the conversation's name
-- then (a former conversation keeps its name as of the leaving). History pages through these
-- ranges of messages_by_seq, so a page costs index range scans bounded by its limit.
-- Memberships that ended before this version have no row (the removed user is known only inside
-- protobuf bodies): History answers NOT_FOUND for those former members.
create table membership_periods (
    conversation_uuid uuid        not null references conversations,
    user_uuid         uuid        not null references users,
    from_seq          bigint      not null check (from_seq >= 0),
    to_seq            bigint      not null check (to_seq >= from_seq),
    left_at           timestamptz not null,
    name              text        not null check (char_length(name) between 1 and 1000),
    primary key (conversation_uuid, user_uuid, from_seq)
);
-- "which conversations was this user in" (the snapshot's former conversations)
create index membership_periods_by_user on membership_periods (user_uuid, conversation_uuid);
