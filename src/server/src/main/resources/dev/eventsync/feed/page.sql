-- FeedReader.PAGE (its comment says why it is written so). The load generator's BASE jdbc_feed_read runs this same file.
select position, case when bytes_before + size <= ? then body end, size from (
    select f.position, e.body, octet_length(e.body) as size,
           sum(octet_length(e.body)) over (order by f.position) - octet_length(e.body) as bytes_before
    from (select position from feed where user_uuid = ? and position > ? order by position limit ?) f
    cross join lateral (select body from events where events.position = f.position) e
) page
where bytes_before + size <= ? or bytes_before = 0
order by position
