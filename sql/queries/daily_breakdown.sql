-- daily_breakdown: the day's traffic by one dimension: host (GoAccess: virtual hosts),
-- referrer (referring sites, excluding the site's own hosts), country (geo location;
-- empty when the logs carry none), cache (cache status) or edge (edge location).
-- Answers: one row per value: name, requests, bytes (visitors: daily_visitors).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
--   {by:String}                   host, referrer, country, cache or edge
--   {limit:UInt32}                rows
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_by=referrer --param_limit=5 --queries-file sql/queries/daily_breakdown.sql
-- Each dimension reads the hourly rollup that holds it: host from p_hour_path, referrer
-- from p_hour_client, country and edge from p_hour_edge (sql/schema/009, 010), cache
-- from p_5min (021), whole buckets each; the window's partial edge buckets from the rows.
SELECT name, sum(n) AS requests, sum(b) AS bytes
FROM
(
    SELECT toString(host) AS name, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE {by:String} = 'host'
      AND ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
               AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
    GROUP BY name
    UNION ALL
    SELECT toString(host) AS name, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE {by:String} = 'host'
      AND toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
      AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
    GROUP BY name
    UNION ALL
    SELECT domain(referer) AS name, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE {by:String} = 'referrer'
      AND ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
               AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
    GROUP BY name
    UNION ALL
    SELECT domain(referer) AS name, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE {by:String} = 'referrer'
      AND toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
      AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
    GROUP BY name
    UNION ALL
    SELECT toString(country) AS name, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE {by:String} = 'country'
      AND ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
               AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
    GROUP BY name
    UNION ALL
    SELECT toString(country) AS name, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE {by:String} = 'country'
      AND toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
      AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
    GROUP BY name
    UNION ALL
    SELECT toString(cache_result) AS name, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE {by:String} = 'cache'
      AND ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT (toStartOfFiveMinutes(ts) >= toStartOfFiveMinutes(addMilliseconds({since:DateTime64(3, 'UTC')}, 299999))
               AND toStartOfFiveMinutes(ts) < toStartOfFiveMinutes({until:DateTime64(3, 'UTC')}))
    GROUP BY name
    UNION ALL
    SELECT toString(cache_result) AS name, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE {by:String} = 'cache'
      AND toStartOfFiveMinutes(ts) >= toStartOfFiveMinutes(addMilliseconds({since:DateTime64(3, 'UTC')}, 299999))
      AND toStartOfFiveMinutes(ts) < toStartOfFiveMinutes({until:DateTime64(3, 'UTC')})
    GROUP BY name
    UNION ALL
    SELECT toString(edge_location) AS name, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE {by:String} = 'edge'
      AND ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
               AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
    GROUP BY name
    UNION ALL
    SELECT toString(edge_location) AS name, count() AS n, sum(bytes_out) AS b
    FROM requests
    WHERE {by:String} = 'edge'
      AND toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
      AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
    GROUP BY name
)
WHERE name != ''
  AND NOT ({by:String} = 'referrer' AND name IN (
      SELECT name
      FROM
      (
          SELECT toString(host) AS name, count() AS n
          FROM requests
          WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
            AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
                     AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
          GROUP BY name
          UNION ALL
          SELECT toString(host) AS name, count() AS n
          FROM requests
          WHERE toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
            AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
          GROUP BY name
      )
  ))
GROUP BY name
ORDER BY requests DESC, name
LIMIT {limit:UInt32}
