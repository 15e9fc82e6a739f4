// Package feeds posts new items from outside sources — GitHub pull requests
// and issues, Jira tickets, signed webhooks, Bluesky, Mastodon, RSS/Atom and
// X posts — to the rooms that want them, once each.
//
// Sources either push (webhooks: Hub.Deliver, after the caller checked the
// signature) or are polled (a Poller, run by Hub.Run with per-source
// cursors and backoff). Every item is routed by its source's routes
// (scope → room, with filters), recorded in ClickHouse (feed_items, with
// webhook delivery ids in feed_deliveries and poll cursors in feed_cursors,
// sql/schema/017_feeds.sql) before it is posted, so that neither a restart
// nor a redelivery posts it twice, and items still pending at a restart are
// posted after it. Items are grouped per room per minute: a burst becomes
// one message. A source that fails warns once in the warn room with the
// reason and backs off; `feeds` in chat shows each source's health.
//
// The vendors' adapters live in sub-packages (feeds/github, feeds/social,
// feeds/tickets); they build Items and never import each other.
package feeds
