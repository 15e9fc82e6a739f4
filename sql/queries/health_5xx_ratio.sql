-- health_5xx_ratio: the share of requests answered 5xx in a window (health rule 5xx-ratio).
-- Answers: one row: value (5xx / all, NULL when there was no traffic), requests, errors.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC
--   {host:String}                 only this Host; '' for any              default: ''
-- Run: clickhouse-client --param_since='2026-11-22 10:00:00' --param_until='2026-11-22 10:05:00' \
--   --param_host= --queries-file sql/queries/health_5xx_ratio.sql
SELECT
    if(count() = 0, NULL, countIf(status BETWEEN 500 AND 599) / count()) AS value,
    count() AS requests,
    countIf(status BETWEEN 500 AND 599) AS errors
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
  AND ({host:String} = '' OR host = {host:String})
