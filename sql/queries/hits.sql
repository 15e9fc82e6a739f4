-- hits: what one client (or every client in a CIDR range) did in a window: what you look at before a ban.
-- Phrases: hits IP|CIDR [WINDOW]   e.g. "hits 104.2.1.1 last 24h", "hits 2001:db8::/32"
-- Answers: one row per client IP: ip, requests, bytes (sent), first_seen, last_seen,
--   statuses ("404: 3,020, 200: 12" — totals by status, most first), top_paths and
--   user_agents (the five most frequent of each, with counts).
-- Reads the p_ip projection (sql/schema/007, sorted by client_ip): only the
-- granules of that client or range, whatever the window.
-- Parameters:
--   {since:DateTime64(3, 'UTC')}  window start, inclusive, UTC            default: now-1h
--   {until:DateTime64(3, 'UTC')}  window end, exclusive, UTC              default: now
--   {ip_from:IPv6}                lowest client IP (IPv4 as ::ffff:a.b.c.d) default: ::ffff:127.0.0.1
--   {ip_to:IPv6}                  highest client IP (= ip_from for one IP) default: ::ffff:127.0.0.1
--   {limit:UInt32}                rows (clients)                          default: 10
-- Run: clickhouse-client --param_since='2026-11-22 00:00:00' --param_until='2026-11-23 00:00:00' \
--   --param_ip_from=::ffff:104.2.1.1 --param_ip_to=::ffff:104.2.1.1 --param_limit=10 --queries-file sql/queries/hits.sql
SELECT
    replaceRegexpOne(toString(client_ip), '^::ffff:', '') AS ip,
    count() AS requests,
    sum(bytes_out) AS bytes,
    min(ts) AS first_seen,
    max(ts) AS last_seen,
    arrayStringConcat(arrayMap(x -> concat(toString(x.1), ': ', toString(x.2)), topK(20, 50, 'counts')(status)), ', ') AS statuses,
    arrayStringConcat(arrayMap(x -> concat(x.1, ': ', toString(x.2)), topK(5, 200, 'counts')(path)), ', ') AS top_paths,
    arrayStringConcat(arrayMap(x -> concat(x.1, ': ', toString(x.2)), topK(5, 200, 'counts')(user_agent)), ', ') AS user_agents
FROM requests
WHERE ts >= {since:DateTime64(3, 'UTC')} AND ts < {until:DateTime64(3, 'UTC')}
  AND client_ip BETWEEN {ip_from:IPv6} AND {ip_to:IPv6}
GROUP BY client_ip
ORDER BY requests DESC, client_ip
LIMIT {limit:UInt32}
