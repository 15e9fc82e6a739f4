-- General statistics about the organization (package schedules/stats): one
-- row per figure per window, written by the weekly `stats` job (`stats` in
-- chat and dry runs only read), so that trends, the week-on-week change and
-- the four-week median are plain SQL, e.g.
--   SELECT window_start, value FROM org_stats FINAL
--   WHERE metric = 'traffic.requests' AND window = 'week' ORDER BY window_start;
-- metric:       section.name, e.g. traffic.requests, traffic.5xx_ratio,
--               opsbot.questions, engineering.members_without_2fa
--               (the list: schedules/stats/metrics.go).
-- dimension:    '' for a total; a country, an account/region, an
--               instance type, a day or hour … for a figure broken down.
-- Instances and load balancers are counted as they run when collected.
-- window:       'week' (Monday 00:00 to Monday 00:00 in the configured
--               time zone, the job's window); other kinds are reserved
--               (ad-hoc chat windows are never stored).
-- window_start, window_end: the window, UTC, end exclusive.
-- value:        the figure; ratios are fractions (0.012, not 1.2 %),
--               durations seconds, sizes bytes.
-- collected_at: when it was computed. Collecting a window again replaces
--               its figures (ReplacingMergeTree: read with FINAL or argMax).
-- A source that failed writes no figures for its window: a missing metric
-- means "unknown", never zero.
CREATE TABLE IF NOT EXISTS org_stats
(
    metric        LowCardinality(String),
    dimension     String,
    window        LowCardinality(String),
    window_start  DateTime64(3, 'UTC'),
    window_end    DateTime64(3, 'UTC'),
    value         Float64,
    collected_at  DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(collected_at)
PARTITION BY toYYYYMM(window_start)
ORDER BY (metric, window, window_start, dimension);
