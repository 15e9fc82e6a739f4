-- daily_visitor_count: distinct client IPs (visitors) in a window of the daily analysis
-- (the day's hours, one window each).
-- Answers: one row: visitors.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-22 10:00:00' --param_until='2026-11-22 11:00:00' \
--   --queries-file sql/queries/daily_visitor_count.sql
-- Whole hours come from the rollup p_hour_visitor (sql/schema/021), one row per hour and
-- client, the window's partial edge hours from the rows. Exact. One hour at a time keeps
-- the set of clients to one hour's: a day's hours at once held every (hour, client) pair.
SELECT uniqExact(toUInt128(client_ip)) AS visitors
FROM
(
    SELECT client_ip, count() AS n
    FROM requests
    WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
               AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
    GROUP BY client_ip
    UNION ALL
    SELECT client_ip, count() AS n
    FROM requests
    WHERE toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
      AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
    GROUP BY client_ip
)
