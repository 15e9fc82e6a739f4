-- daily_visitors: distinct client IPs (visitors) of the daily analysis's listed items.
-- Answers: one row per listed item that saw requests: list, name, visitors. list is
--   path (every status), path4xx, path5xx, path404, os, browser, host, referrer, country,
--   cache or edge; names as daily_paths, daily_agents and daily_breakdown give them.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
--   {paths:Array(String)}          the paths listed (any list)
--   {oses:Array(String)}           the operating systems listed
--   {browsers:Array(String)}       the browsers listed
--   {hosts:Array(String)}          the hosts listed
--   {referrers:Array(String)}      the referring sites listed
--   {countries:Array(String)}      the countries listed
--   {caches:Array(String)}         the cache results listed
--   {edges:Array(String)}          the edge locations listed
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_paths="['/']" --param_oses="['iOS']" --param_browsers="['Chrome']" --param_hosts="[]" \
--   --param_referrers="[]" --param_countries="[]" --param_caches="['Hit']" --param_edges="[]" \
--   --queries-file sql/queries/daily_visitors.sql
-- The one figure of the report no rollup holds: a distinct count per item needs the
-- clients of each item, so this reads the day's rows (client_ip and the listed columns),
-- once for every list. Exact.
SELECT k.1 AS list, k.2 AS name, uniqExact(client_ip) AS visitors
FROM
(
    SELECT
        client_ip,
        multiIf(match(user_agent, '(?i)bot|crawl|spider|slurp'), 'Crawlers',
                match(user_agent, 'iPhone|iPad|iPod'), 'iOS',
                match(user_agent, 'Android'), 'Android',
                match(user_agent, 'Windows'), 'Windows',
                match(user_agent, 'Mac OS X|Macintosh'), 'macOS',
                match(user_agent, 'CrOS'), 'ChromeOS',
                match(user_agent, 'Linux|X11'), 'Linux',
                user_agent = '', 'Unknown', 'Other') AS os,
        multiIf(match(user_agent, '(?i)bot|crawl|spider|slurp'), 'Crawlers',
                match(user_agent, '(?i)^(curl|wget|python|go-http|java|okhttp|libwww|httpie)'), 'Scripts',
                match(user_agent, 'Edg/'), 'Edge',
                match(user_agent, 'OPR/|Opera'), 'Opera',
                match(user_agent, 'Firefox/'), 'Firefox',
                match(user_agent, 'Chrome/|CriOS/'), 'Chrome',
                match(user_agent, 'Safari/|Mobile/'), 'Safari',
                user_agent = '', 'Unknown', 'Other') AS browser,
        domain(referer) AS referrer,
        arrayFilter(x -> x.2 != '', [
            ('path', if(has({paths:Array(String)}, path), path, '')),
            ('path4xx', if(status BETWEEN 400 AND 499 AND has({paths:Array(String)}, path), path, '')),
            ('path5xx', if(status BETWEEN 500 AND 599 AND has({paths:Array(String)}, path), path, '')),
            ('path404', if(status = 404 AND has({paths:Array(String)}, path), path, '')),
            ('os', if(has({oses:Array(String)}, os), os, '')),
            ('browser', if(has({browsers:Array(String)}, browser), browser, '')),
            ('host', if(has({hosts:Array(String)}, toString(host)), toString(host), '')),
            ('referrer', if(has({referrers:Array(String)}, referrer), referrer, '')),
            ('country', if(has({countries:Array(String)}, toString(country)), toString(country), '')),
            ('cache', if(has({caches:Array(String)}, toString(cache_result)), toString(cache_result), '')),
            ('edge', if(has({edges:Array(String)}, toString(edge_location)), toString(edge_location), ''))
        ]) AS keys
    FROM requests
    WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
)
ARRAY JOIN keys AS k
GROUP BY list, name
