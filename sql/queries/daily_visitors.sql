-- daily_visitors: distinct client IPs (visitors) of the daily analysis's listed items.
-- Answers: one row of arrays, each in the order of its list: paths, paths4xx, paths5xx,
--   paths404 (the visitors of each of {paths}: with any status, 4xx, 5xx, 404), and one
--   per other list below, named as its parameter.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
--   {paths:Array(String)}         the paths of every path list (at most 63)
--   {oses:Array(String)}          the operating systems listed (at most 63)
--   {browsers:Array(String)}      the browsers listed (at most 63)
--   {hosts:Array(String)}         the hosts listed (at most 63)
--   {referrers:Array(String)}     the referring sites listed (at most 63)
--   {countries:Array(String)}     the countries listed (at most 63)
--   {caches:Array(String)}        the cache results listed (at most 63)
--   {edges:Array(String)}         the edge locations listed (at most 63)
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_paths="['/']" --param_oses="['iOS']" --param_browsers="['Chrome']" --param_hosts="[]" \
--   --param_referrers="[]" --param_countries="[]" --param_caches="['Hit']" --param_edges="[]" \
--   --queries-file sql/queries/daily_visitors.sql
-- The one figure of the report no rollup holds: a distinct count per item needs each
-- item's clients. So this reads the day's rows once (client_ip and the listed columns):
-- item i of a list is bit i of that list's mask (bit 0: not listed), a client's masks are
-- the OR of its requests', and an item's visitors the clients with its bit. Exact; memory:
-- one entry per distinct client (its address and eleven 8-byte masks).
SELECT
    sumForEach(arrayMap(i -> toUInt64(bitTest(m_any, i)), range(1, length({paths:Array(String)}) + 1))) AS paths,
    sumForEach(arrayMap(i -> toUInt64(bitTest(m_4xx, i)), range(1, length({paths:Array(String)}) + 1))) AS paths4xx,
    sumForEach(arrayMap(i -> toUInt64(bitTest(m_5xx, i)), range(1, length({paths:Array(String)}) + 1))) AS paths5xx,
    sumForEach(arrayMap(i -> toUInt64(bitTest(m_404, i)), range(1, length({paths:Array(String)}) + 1))) AS paths404,
    sumForEach(arrayMap(i -> toUInt64(bitTest(m_oses, i)), range(1, length({oses:Array(String)}) + 1))) AS oses,
    sumForEach(arrayMap(i -> toUInt64(bitTest(m_browsers, i)), range(1, length({browsers:Array(String)}) + 1))) AS browsers,
    sumForEach(arrayMap(i -> toUInt64(bitTest(m_hosts, i)), range(1, length({hosts:Array(String)}) + 1))) AS hosts,
    sumForEach(arrayMap(i -> toUInt64(bitTest(m_referrers, i)), range(1, length({referrers:Array(String)}) + 1))) AS referrers,
    sumForEach(arrayMap(i -> toUInt64(bitTest(m_countries, i)), range(1, length({countries:Array(String)}) + 1))) AS countries,
    sumForEach(arrayMap(i -> toUInt64(bitTest(m_caches, i)), range(1, length({caches:Array(String)}) + 1))) AS caches,
    sumForEach(arrayMap(i -> toUInt64(bitTest(m_edges, i)), range(1, length({edges:Array(String)}) + 1))) AS edges
FROM
(
    SELECT
        toUInt128(client_ip) AS ip,
        groupBitOr(bitShiftLeft(toUInt64(1), p)) AS m_any,
        groupBitOr(bitShiftLeft(toUInt64(status BETWEEN 400 AND 499), p)) AS m_4xx,
        groupBitOr(bitShiftLeft(toUInt64(status BETWEEN 500 AND 599), p)) AS m_5xx,
        groupBitOr(bitShiftLeft(toUInt64(status = 404), p)) AS m_404,
        groupBitOr(bitShiftLeft(toUInt64(1), transform(os, {oses:Array(String)}, arrayEnumerate({oses:Array(String)}), 0))) AS m_oses,
        groupBitOr(bitShiftLeft(toUInt64(1), transform(browser, {browsers:Array(String)}, arrayEnumerate({browsers:Array(String)}), 0))) AS m_browsers,
        groupBitOr(bitShiftLeft(toUInt64(1), transform(host, {hosts:Array(String)}, arrayEnumerate({hosts:Array(String)}), 0))) AS m_hosts,
        groupBitOr(bitShiftLeft(toUInt64(1), transform(domain(referer), {referrers:Array(String)}, arrayEnumerate({referrers:Array(String)}), 0))) AS m_referrers,
        groupBitOr(bitShiftLeft(toUInt64(1), transform(country, {countries:Array(String)}, arrayEnumerate({countries:Array(String)}), 0))) AS m_countries,
        groupBitOr(bitShiftLeft(toUInt64(1), transform(cache_result, {caches:Array(String)}, arrayEnumerate({caches:Array(String)}), 0))) AS m_caches,
        groupBitOr(bitShiftLeft(toUInt64(1), transform(edge_location, {edges:Array(String)}, arrayEnumerate({edges:Array(String)}), 0))) AS m_edges
    FROM
    (
        SELECT
            client_ip, status, host, referer, country, cache_result, edge_location,
            transform(path, {paths:Array(String)}, arrayEnumerate({paths:Array(String)}), 0) AS p,
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
                    user_agent = '', 'Unknown', 'Other') AS browser
        FROM requests
        WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
    )
    GROUP BY ip
)
