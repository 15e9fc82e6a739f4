-- daily_totals: the day's headline figures for the daily log analysis.
-- Answers: one row: requests, visitors (distinct client IPs), bytes_out, bytes_in,
--   s2xx, s3xx, s4xx, s5xx, s000 (viewer went away), cache_hits (Hit, RefreshHit),
--   cache_misses (Miss), static (requests for static files), p50_seconds, p95_seconds
--   (exact quantiles of time-taken in whole milliseconds: the value at position
--   floor(level × count), as quantileExact picks it; 0 on a day without requests).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/daily_totals.sql
-- Every figure comes from a rollup (whole buckets) plus the rows of the window's partial
-- edge buckets: counts, bytes and cache from p_5min, visitors from p_hour_visitor and the
-- quantiles from p_hour_time's histogram (sql/schema/021), static from p_hour_path (009).
SELECT
    c.requests AS requests, v.visitors AS visitors, c.bytes_out AS bytes_out, c.bytes_in AS bytes_in,
    c.s2xx AS s2xx, c.s3xx AS s3xx, c.s4xx AS s4xx, c.s5xx AS s5xx, c.s000 AS s000,
    c.cache_hits AS cache_hits, c.cache_misses AS cache_misses, s.static AS static,
    q.p50_seconds AS p50_seconds, q.p95_seconds AS p95_seconds
FROM
(
    SELECT
        sum(n) AS requests, sum(b) AS bytes_out, sum(bi) AS bytes_in,
        sumIf(n, status BETWEEN 200 AND 299) AS s2xx,
        sumIf(n, status BETWEEN 300 AND 399) AS s3xx,
        sumIf(n, status BETWEEN 400 AND 499) AS s4xx,
        sumIf(n, status BETWEEN 500 AND 599) AS s5xx,
        sumIf(n, status = 0) AS s000,
        sumIf(n, cache_result IN ('Hit', 'RefreshHit')) AS cache_hits,
        sumIf(n, cache_result = 'Miss') AS cache_misses
    FROM
    (
        SELECT status, cache_result, count() AS n, sum(bytes_out) AS b, sum(bytes_in) AS bi
        FROM requests
        WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
          AND NOT (toStartOfFiveMinutes(ts) >= toStartOfFiveMinutes(addMilliseconds({since:DateTime64(3, 'UTC')}, 299999))
                   AND toStartOfFiveMinutes(ts) < toStartOfFiveMinutes({until:DateTime64(3, 'UTC')}))
        GROUP BY status, cache_result
        UNION ALL
        SELECT status, cache_result, count() AS n, sum(bytes_out) AS b, sum(bytes_in) AS bi
        FROM requests
        WHERE toStartOfFiveMinutes(ts) >= toStartOfFiveMinutes(addMilliseconds({since:DateTime64(3, 'UTC')}, 299999))
          AND toStartOfFiveMinutes(ts) < toStartOfFiveMinutes({until:DateTime64(3, 'UTC')})
        GROUP BY status, cache_result
    )
) AS c
CROSS JOIN
(
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
) AS v
CROSS JOIN
(
    SELECT sumIf(n, match(path, '\\.(js|css|png|jpe?g|gif|svg|webp|ico|woff2?|ttf|map|txt)$')) AS static
    FROM
    (
        SELECT path, count() AS n
        FROM requests
        WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
          AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
                   AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
        GROUP BY path
        UNION ALL
        SELECT path, count() AS n
        FROM requests
        WHERE toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
          AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
        GROUP BY path
    )
) AS s
CROSS JOIN
(
    SELECT
        round(arrayFirst((v, c) -> c > floor(0.5 * total), vs, cum) / 1000, 3) AS p50_seconds,
        round(arrayFirst((v, c) -> c > floor(0.95 * total), vs, cum) / 1000, 3) AS p95_seconds
    FROM
    (
        SELECT arraySort(x -> x.1, groupArray((ms, n))) AS h, arrayMap(x -> x.1, h) AS vs,
               arrayCumSum(arrayMap(x -> x.2, h)) AS cum, arraySum(arrayMap(x -> x.2, h)) AS total
        FROM
        (
            SELECT ms, sum(c) AS n
            FROM
            (
                SELECT toUInt32(round(time_taken * 1000)) AS ms, count() AS c
                FROM requests
                WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
                  AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
                           AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
                GROUP BY ms
                UNION ALL
                SELECT toUInt32(round(time_taken * 1000)) AS ms, count() AS c
                FROM requests
                WHERE toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
                  AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
                GROUP BY ms
            )
            GROUP BY ms
        )
    )
) AS q
