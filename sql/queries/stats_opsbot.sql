-- stats_opsbot: what people asked opsbot in a window, from the audit log.
-- Answers: one row: questions (allowed commands other than writes), askers (distinct
--   people who asked), top_asker (the questions of the most active asker: a count, no name),
--   refused (commands refused: role, channel, failed confirmation), writes (ban and unban
--   commands that succeeded), pages (page commands that succeeded).
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC
-- Run: clickhouse-client --param_since='2026-11-16 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --queries-file sql/queries/stats_opsbot.sql
WITH lower(splitByChar(' ', trimBoth(action))[1]) AS verb
SELECT
    countIf(allowed AND verb NOT IN ('ban', 'unban', 'page')) AS questions,
    uniqExactIf(user_id, allowed AND verb NOT IN ('ban', 'unban', 'page')) AS askers,
    ifNull(arrayMax(mapValues(sumMapIf(map(user_id, toUInt64(1)), allowed AND verb NOT IN ('ban', 'unban', 'page')))), 0) AS top_asker,
    countIf(NOT allowed) AS refused,
    countIf(allowed AND verb IN ('ban', 'unban') AND result = 'ok') AS writes,
    countIf(allowed AND verb = 'page' AND result = 'ok') AS pages
FROM audit_log
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
