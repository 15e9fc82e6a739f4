-- daily_breakdown: the day's traffic by one dimension: host (GoAccess: virtual hosts),
-- referrer (referring sites, excluding the site's own hosts), country (geo location;
-- empty when the logs carry none), cache (cache status) or edge (edge location).
-- Answers: one row per value: name, requests, visitors, bytes.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
--   {by:String}                   host, referrer, country, cache or edge
--   {limit:UInt32}                rows
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_by=referrer --param_limit=5 --queries-file sql/queries/daily_breakdown.sql
SELECT
    multiIf({by:String} = 'host', toString(host),
            {by:String} = 'referrer', domain(referer),
            {by:String} = 'country', toString(country),
            {by:String} = 'cache', toString(cache_result),
            toString(edge_location)) AS name,
    count() AS requests,
    uniqExact(client_ip) AS visitors,
    sum(bytes_out) AS bytes
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
GROUP BY name
HAVING name != '' AND NOT ({by:String} = 'referrer' AND name IN (SELECT DISTINCT toString(host) FROM requests WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}))
ORDER BY requests DESC, name
LIMIT {limit:UInt32}
