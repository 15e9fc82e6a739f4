-- Rollups for the daily analysis (schedules/report), inside the requests
-- table like 009's and 010's, so that each figure of a day reads a few
-- thousand rollup rows instead of every request:
--   p_5min          requests, bytes out and in per 5 minutes, status and
--                   cache result: the totals, the status mix, the cache
--                   hit ratio, the hours and the chart (288 buckets a day
--                   times the day's status and cache-result pairs);
--   p_hour_time     requests per hour and time-taken in whole milliseconds:
--                   a histogram from which the day's p50 and p95 are exact
--                   (the value at position floor(level × count), as
--                   quantileExact picks it, of time-taken rounded to the
--                   millisecond, which is CloudFront's resolution);
--   p_hour_visitor  requests per hour and client: distinct visitors of the
--                   day and of each hour, exact, and the day's and the
--                   baseline's top clients for the new-clients figure.
-- The queries read whole buckets from these and only a window's partial
-- edge buckets from the rows. Parts written before this migration are read
-- from the rows; backfill with ALTER TABLE requests MATERIALIZE PROJECTION
-- NAME. They follow TRUNCATE, TTL and deduplicated inserts; lightweight
-- DELETEs rebuild them (003). Cost at ingest and the report's time:
-- BENCHMARKS.md (`make bench-day`).
ALTER TABLE requests ADD PROJECTION IF NOT EXISTS p_5min
(
    SELECT toStartOfFiveMinutes(ts), status, cache_result, count(), sum(bytes_out), sum(bytes_in)
    GROUP BY toStartOfFiveMinutes(ts), status, cache_result
);
ALTER TABLE requests ADD PROJECTION IF NOT EXISTS p_hour_time
(
    SELECT toStartOfHour(ts), toUInt32(round(time_taken * 1000)), count()
    GROUP BY toStartOfHour(ts), toUInt32(round(time_taken * 1000))
);
ALTER TABLE requests ADD PROJECTION IF NOT EXISTS p_hour_visitor
(
    SELECT toStartOfHour(ts), client_ip, count()
    GROUP BY toStartOfHour(ts), client_ip
);
