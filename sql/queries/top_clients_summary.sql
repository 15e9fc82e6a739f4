-- top_clients_summary: per hour of a window, the heavy clients the hourly summaries list and the most any other client could have sent.
-- The first step of a certified `top … by ip` (query/topclients.go); the
-- summaries are requests_top_clients (sql/schema/020), filled at insert.
-- Answers: one row per hour that has rows in the status classes asked:
--   unix_hour (the hour's Unix time); cutoff (the sum over that hour's insert blocks and classes of the
--   count of the first client past the keep heaviest: no client left out sent
--   more in that hour); covered (1 when the summaries hold every row of the
--   hour: their rows add up to at least the table's, from p_hour_status);
--   table_rows (the hour's rows in the status classes asked);
--   matching (the hour's rows that match status, path and host, from the
--   p_hour_path rollup; meaningful for whole hours and no IP range only);
--   clients (the hour's listed clients within ip_from..ip_to, once per list
--   they are in) and excess (for each, its listed count minus its list's
--   ceiling: what it may have sent beyond an unlisted client).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC            default: now-1h
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC              default: now
--   {status_min:UInt16}           lowest status counted                   default: 0
--   {status_max:UInt16}           highest status counted                  default: 999
--   {path:String}                 only this path; '' for any              default: ''
--   {host:String}                 only this Host; '' for any              default: ''
--   {ip_from:IPv6}                lowest client IP (IPv4 as ::ffff:a.b.c.d) default: ::
--   {ip_to:IPv6}                  highest client IP                       default: ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff
--   {keep:UInt32}                 heaviest clients read per list (at most 256) default: 256
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_status_min=400 --param_status_max=499 --param_path= --param_host= --param_ip_from=:: \
--   --param_ip_to=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --param_keep=32 --queries-file sql/queries/top_clients_summary.sql
SELECT
    toUnixTimestamp(hour) AS unix_hour,
    sum(s.ceiling) AS cutoff,
    min(s.kept_rows >= t.rows) AS covered,
    sum(t.rows) AS table_rows,
    any(m.matching) AS matching,
    arrayFlatten(groupArray(s.listed)) AS clients,
    arrayFlatten(groupArray(s.excess)) AS excess
FROM
(
    SELECT toStartOfHour(ts) AS hour, toUInt8(intDiv(status, 100)) AS class, count() AS rows
    FROM requests
    WHERE toStartOfHour(ts) >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND toStartOfHour(ts) < {until:DateTime64(3, 'UTC')}
      AND status BETWEEN intDiv({status_min:UInt16}, 100) * 100 AND intDiv({status_max:UInt16}, 100) * 100 + 99
    GROUP BY hour, class
) AS t
LEFT JOIN
(
    SELECT hour, class, sum(rows) AS kept_rows, sum(ceiling) AS ceiling,
           arrayFlatten(groupArray(kept)) AS all_kept, arrayFlatten(groupArray(over)) AS all_over,
           arrayFilter((c, x) -> c BETWEEN {ip_from:IPv6} AND {ip_to:IPv6}, all_kept, all_over) AS listed,
           arrayFilter((x, c) -> c BETWEEN {ip_from:IPv6} AND {ip_to:IPv6}, all_over, all_kept) AS excess
    FROM
    (
        SELECT hour, class, rows, if({keep:UInt32} < length(clients), counts[{keep:UInt32} + 1], cutoff) AS ceiling,
               arraySlice(clients, 1, {keep:UInt32}) AS kept, arrayMap(n -> n - ceiling, arraySlice(counts, 1, {keep:UInt32})) AS over
        FROM requests_top_clients
        WHERE hour >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND hour < {until:DateTime64(3, 'UTC')}
          AND class BETWEEN intDiv({status_min:UInt16}, 100) AND intDiv({status_max:UInt16}, 100)
    )
    GROUP BY hour, class
) AS s USING (hour, class)
LEFT JOIN
(
    SELECT toStartOfHour(ts) AS hour, count() AS matching
    FROM requests
    WHERE toStartOfHour(ts) >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND toStartOfHour(ts) < {until:DateTime64(3, 'UTC')}
      AND status BETWEEN {status_min:UInt16} AND {status_max:UInt16}
      AND ({path:String} = '' OR path = {path:String})
      AND ({host:String} = '' OR host = {host:String})
    GROUP BY hour
) AS m USING (hour)
GROUP BY hour
ORDER BY hour
