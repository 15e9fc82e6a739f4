-- top_by_ip: the client IPs (IPv4 shown without ::ffff:) with the most matching requests in a window.
-- Phrases: top [N] WHAT by ip [for|on FILTER] [WINDOW]   e.g. "top 4xx by ip"
-- Answers: one row per ip: ip, requests, bytes (sent), top_status, top_method, top_path
--   (each the most frequent value among that ip's matching requests).
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
--   --param_limit=10 --queries-file sql/queries/top_by_ip.sql
-- Two passes: the first (the IN set) finds the top keys by counting only;
-- the second aggregates those keys alone, where exact modes are cheap: it
-- reads the p_ip projection (sql/schema/007, sorted by client_ip), so only
-- the top clients' granules.
SELECT
    replaceRegexpOne(toString(client_ip), '^::ffff:', '') AS ip,
    count() AS requests,
    sum(bytes_out) AS bytes,
    arrayElement(topK(1, 1000)(status), 1) AS top_status,
    arrayElement(topK(1, 1000)(method), 1) AS top_method,
    arrayElement(topK(1, 1000)(path), 1) AS top_path
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
  AND status BETWEEN {status_min:UInt16} AND {status_max:UInt16}
  AND ({min_seconds:Float32} = 0 OR time_taken >= {min_seconds:Float32})
  AND ({path:String} = '' OR path = {path:String})
  AND ({host:String} = '' OR host = {host:String})
  AND ({ip_from:IPv6} = toIPv6('::') AND {ip_to:IPv6} = toIPv6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')
       OR client_ip BETWEEN {ip_from:IPv6} AND {ip_to:IPv6})
  AND client_ip IN (SELECT client_ip FROM (
    SELECT client_ip, count() AS requests, sum(bytes_out) AS bytes
    FROM requests
    WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND status BETWEEN {status_min:UInt16} AND {status_max:UInt16}
      AND ({min_seconds:Float32} = 0 OR time_taken >= {min_seconds:Float32})
      AND ({path:String} = '' OR path = {path:String})
      AND ({host:String} = '' OR host = {host:String})
      AND ({ip_from:IPv6} = toIPv6('::') AND {ip_to:IPv6} = toIPv6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')
           OR client_ip BETWEEN {ip_from:IPv6} AND {ip_to:IPv6})
    GROUP BY client_ip
    ORDER BY {by:Identifier} DESC, client_ip
    LIMIT {limit:UInt32}))
GROUP BY client_ip
ORDER BY {by:Identifier} DESC, client_ip
