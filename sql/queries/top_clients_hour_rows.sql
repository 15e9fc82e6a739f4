-- top_clients_hour_rows: the rows per hour of a window in the status classes asked, to see what arrived meanwhile.
-- The last step of a certified `top … by ip` (query/topclients.go): read after
-- the counts, it shows the rows inserted since top_clients_summary read the
-- hours (any of them could be an unlisted client's), from p_hour_status.
-- Answers: one row per hour: unix_hour (its Unix time), table_rows.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC            default: now-1h
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC              default: now
--   {status_min:UInt16}           lowest status counted                   default: 0
--   {status_max:UInt16}           highest status counted                  default: 999
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_status_min=400 --param_status_max=499 --queries-file sql/queries/top_clients_hour_rows.sql
SELECT toUnixTimestamp(toStartOfHour(ts)) AS unix_hour, count() AS table_rows
FROM requests
WHERE toStartOfHour(ts) >= toStartOfHour({since:DateTime64(3, 'UTC')}) AND toStartOfHour(ts) < {until:DateTime64(3, 'UTC')}
  AND status BETWEEN intDiv({status_min:UInt16}, 100) * 100 AND intDiv({status_max:UInt16}, 100) * 100 + 99
GROUP BY unix_hour
ORDER BY unix_hour
