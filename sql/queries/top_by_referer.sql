-- top_by_referer: the Referer headers ('' when none) with the most matching requests in a window.
-- Phrases: top [N] WHAT by referer [for|on FILTER] [WINDOW]   e.g. "top requests by referer"
-- Answers: one row per referer: referer, requests, bytes (sent), top_status, top_method
--   (each the most frequent value among that referer's matching requests).
-- WHAT picks status_min/status_max (4xx: 400-499, 5xx: 500-599, errors: 400-599,
-- 404: 404-404), min_seconds (slow) or by=bytes; FILTER picks path, host, ip_from/ip_to.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC            default: now-1h
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC              default: now
--   {status_min:UInt16}           lowest status counted                   default: 0
--   {status_max:UInt16}           highest status counted                  default: 999
--   {min_seconds:Float32}         only requests at least this slow (s)    default: 0
--   {path:String}                 only this path; '' for any              default: ''
--   {host:String}                 only this Host; '' for any              default: ''
--   {ip_from:IPv6}                lowest client IP (IPv4 as ::ffff:a.b.c.d) default: ::
--   {ip_to:IPv6}                  highest client IP                       default: ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff
--   {by:Identifier}               order by: requests or bytes             default: requests
--   {limit:UInt32}                rows                                    default: 10
-- Run: clickhouse-client --param_since='2026-11-22 10:00:00' --param_until='2026-11-22 11:00:00' \
--   --param_status_min=400 --param_status_max=499 --param_min_seconds=0 --param_path= --param_host= \
--   --param_ip_from=:: --param_ip_to=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --param_by=requests \
--   --param_limit=10 --queries-file sql/queries/top_by_referer.sql
-- The window's whole hours come from the hourly rollup p_hour_client (sql/schema/010):
-- one row per hour and combination of its values instead of one per request;
-- only the window's partial edge hours are counted from the rows, and so is
-- every hour when FILTER or WHAT needs a column the rollup lacks (a path, a host, an IP range or slow).
-- Each top_* is exact: by_value holds a key's counts per combination of the
-- other values, and sumMap adds them up per value for the LIMIT rows alone.
SELECT
    referer,
    requests,
    bytes,
    (arrayReduce('sumMap', arrayMap(v -> [v], by_value.1), arrayMap(c -> [c], by_value.3)) AS m_status).1[indexOf(m_status.2, arrayMax(m_status.2))] AS top_status,
    (arrayReduce('sumMap', arrayMap(v -> [v], by_value.2), arrayMap(c -> [c], by_value.3)) AS m_method).1[indexOf(m_method.2, arrayMax(m_method.2))] AS top_method
FROM
(
    SELECT referer, sum(n) AS requests, sum(b) AS bytes, groupArray((status, method, n)) AS by_value
    FROM
    (
        SELECT referer, status, method, count() AS n, sum(bytes_out) AS b
        FROM requests
        WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
          AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
                   AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
          AND status BETWEEN {status_min:UInt16} AND {status_max:UInt16}
          AND ({min_seconds:Float32} = 0 OR time_taken >= {min_seconds:Float32})
          AND ({path:String} = '' OR path = {path:String})
          AND ({host:String} = '' OR host = {host:String})
          AND ({ip_from:IPv6} = toIPv6('::') AND {ip_to:IPv6} = toIPv6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')
               OR client_ip BETWEEN {ip_from:IPv6} AND {ip_to:IPv6})
        GROUP BY referer, status, method
        UNION ALL
        SELECT referer, status, method, count() AS n, sum(bytes_out) AS b
        FROM requests
        WHERE toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
          AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
          AND status BETWEEN {status_min:UInt16} AND {status_max:UInt16}
          AND ({min_seconds:Float32} = 0 OR time_taken >= {min_seconds:Float32})
          AND ({path:String} = '' OR path = {path:String})
          AND ({host:String} = '' OR host = {host:String})
          AND ({ip_from:IPv6} = toIPv6('::') AND {ip_to:IPv6} = toIPv6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')
               OR client_ip BETWEEN {ip_from:IPv6} AND {ip_to:IPv6})
        GROUP BY referer, status, method
    )
    GROUP BY referer
    ORDER BY {by:Identifier} DESC, referer
    LIMIT {limit:UInt32}
)
ORDER BY {by:Identifier} DESC, referer
