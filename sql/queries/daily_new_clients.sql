-- daily_new_clients: the clients in the day's top list (by requests; ties by address)
-- that were not in the top list of the baseline days before it.
-- Answers: one row per new client: ip, requests, top_path and top_status (its most
--   frequent path and status pair).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
--   {baseline_since:DateTime64(3, 'UTC')}  baseline start (7 days before since), UTC
--   {limit:UInt32}                top clients of the day considered
--   {baseline_limit:UInt32}       top clients of the baseline that count as known
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_baseline_since='2026-11-15 00:00:00' --param_limit=10 --param_baseline_limit=50 \
--   --queries-file sql/queries/daily_new_clients.sql
-- Both top lists come from the hourly rollup p_hour_visitor (sql/schema/021), one row per
-- hour and client, whole hours each (the windows' partial edge hours from the rows); the
-- top path and status of the few new clients from their own rows, which the p_ip
-- projection (007) holds sorted by client. Exact.
SELECT
    replaceRegexpOne(toString(d.client_ip), '^::ffff:', '') AS ip,
    d.requests AS requests,
    t.top.1 AS top_path,
    t.top.2 AS top_status
FROM
(
    SELECT client_ip, requests
    FROM
    (
        SELECT client_ip, sum(n) AS requests
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
        GROUP BY client_ip
        ORDER BY requests DESC, client_ip
        LIMIT {limit:UInt32}
    )
    WHERE client_ip NOT IN
    (
        SELECT client_ip
        FROM
        (
            SELECT client_ip, count() AS n
            FROM requests
            WHERE ts >= {baseline_since:DateTime64(3, 'UTC')} AND ts < {since:DateTime64(3, 'UTC')}
              AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({baseline_since:DateTime64(3, 'UTC')}, 3599999))
                       AND toStartOfHour(ts) < toStartOfHour({since:DateTime64(3, 'UTC')}))
            GROUP BY client_ip
            UNION ALL
            SELECT client_ip, count() AS n
            FROM requests
            WHERE toStartOfHour(ts) >= toStartOfHour(addMilliseconds({baseline_since:DateTime64(3, 'UTC')}, 3599999))
              AND toStartOfHour(ts) < toStartOfHour({since:DateTime64(3, 'UTC')})
            GROUP BY client_ip
        )
        GROUP BY client_ip
        ORDER BY sum(n) DESC, client_ip
        LIMIT {baseline_limit:UInt32}
    )
) AS d
LEFT JOIN
(
    SELECT client_ip, argMax((path, status), c) AS top
    FROM
    (
        SELECT client_ip, path, status, count() AS c
        FROM requests
        WHERE client_ip IN
        (
            SELECT client_ip
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
            GROUP BY client_ip
            ORDER BY sum(n) DESC, client_ip
            LIMIT {limit:UInt32}
        )
          AND ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
        GROUP BY client_ip, path, status
    )
    GROUP BY client_ip
) AS t ON d.client_ip = t.client_ip
ORDER BY requests DESC, d.client_ip
