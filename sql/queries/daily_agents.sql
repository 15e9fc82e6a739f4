-- daily_agents: operating systems or browsers from the user agent (GoAccess: operating
-- systems, browsers), crawlers and scripts as their own family.
-- Answers: one row per family: name, requests (visitors: daily_visitors).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  day start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  day end, exclusive, UTC
--   {what:String}                 os or browser
--   {limit:UInt32}                rows
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_what=browser --param_limit=8 --queries-file sql/queries/daily_agents.sql
-- Whole hours come from the rollup p_hour_client (sql/schema/010), one row per hour and
-- user agent (among others), the window's partial edge hours from the rows.
SELECT
    if({what:String} = 'os',
        multiIf(match(user_agent, '(?i)bot|crawl|spider|slurp'), 'Crawlers',
                match(user_agent, 'iPhone|iPad|iPod'), 'iOS',
                match(user_agent, 'Android'), 'Android',
                match(user_agent, 'Windows'), 'Windows',
                match(user_agent, 'Mac OS X|Macintosh'), 'macOS',
                match(user_agent, 'CrOS'), 'ChromeOS',
                match(user_agent, 'Linux|X11'), 'Linux',
                user_agent = '', 'Unknown', 'Other'),
        multiIf(match(user_agent, '(?i)bot|crawl|spider|slurp'), 'Crawlers',
                match(user_agent, '(?i)^(curl|wget|python|go-http|java|okhttp|libwww|httpie)'), 'Scripts',
                match(user_agent, 'Edg/'), 'Edge',
                match(user_agent, 'OPR/|Opera'), 'Opera',
                match(user_agent, 'Firefox/'), 'Firefox',
                match(user_agent, 'Chrome/|CriOS/'), 'Chrome',
                match(user_agent, 'Safari/|Mobile/'), 'Safari',
                user_agent = '', 'Unknown', 'Other')) AS name,
    sum(n) AS requests
FROM
(
    SELECT user_agent, count() AS n
    FROM requests
    WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
      AND NOT (toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
               AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')}))
    GROUP BY user_agent
    UNION ALL
    SELECT user_agent, count() AS n
    FROM requests
    WHERE toStartOfHour(ts) >= toStartOfHour(addMilliseconds({since:DateTime64(3, 'UTC')}, 3599999))
      AND toStartOfHour(ts) < toStartOfHour({until:DateTime64(3, 'UTC')})
    GROUP BY user_agent
)
GROUP BY name
ORDER BY requests DESC, name
LIMIT {limit:UInt32}
