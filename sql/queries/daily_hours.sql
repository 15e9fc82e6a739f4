-- daily_hours: traffic per hour (GoAccess: time distribution).
-- Answers: one row per hour with traffic: hour (UTC start), requests, visitors, bytes, errors.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/daily_hours.sql
-- Requests, bytes and errors come from the rollup p_5min and visitors from
-- p_hour_visitor (sql/schema/021), whole buckets each; the window's partial edge
-- buckets from the rows.
SELECT c.hour AS hour, c.requests AS requests, v.visitors AS visitors, c.bytes AS bytes, c.errors AS errors
FROM
(
    SELECT toStartOfHour(bucket) AS hour, sum(n) AS requests, sum(b) AS bytes, sumIf(n, status >= 400 OR status = 0) AS errors
    FROM
    (
        SELECT toStartOfFiveMinutes(ts) AS bucket, status, count() AS n, sum(bytes_out) AS b
        FROM requests
        WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
          AND NOT (toStartOfFiveMinutes(ts) >= toStartOfFiveMinutes(addMilliseconds({since:DateTime64(3, 'UTC')}, 299999))
                   AND toStartOfFiveMinutes(ts) < toStartOfFiveMinutes({until:DateTime64(3, 'UTC')}))
        GROUP BY bucket, status
        UNION ALL
        SELECT toStartOfFiveMinutes(ts) AS bucket, status, count() AS n, sum(bytes_out) AS b
        FROM requests
        WHERE toStartOfFiveMinutes(ts) >= toStartOfFiveMinutes(addMilliseconds({since:DateTime64(3, 'UTC')}, 299999))
          AND toStartOfFiveMinutes(ts) < toStartOfFiveMinutes({until:DateTime64(3, 'UTC')})
        GROUP BY bucket, status
    )
    GROUP BY hour
) AS c
LEFT JOIN
(
    SELECT hour, uniqExact(toUInt128(client_ip)) AS visitors
    FROM
    (
        SELECT toStartOfHour(ts) AS hour, client_ip, count() AS n
        FROM requests
        WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
          AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
                   AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
        GROUP BY hour, client_ip
        UNION ALL
        SELECT toStartOfHour(ts) AS hour, client_ip, count() AS n
        FROM requests
        WHERE toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
          AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
        GROUP BY hour, client_ip
    )
    GROUP BY hour
) AS v ON c.hour = v.hour
ORDER BY hour
