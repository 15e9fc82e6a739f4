package cloudflare

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
)

type item struct {
	ID      string `json:"id"`
	IP      string `json:"ip"`
	Comment string `json:"comment"`
}

func parseItemIP(s string) (netip.Prefix, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	p, err := netip.ParsePrefix(s)
	return p.Masked(), err == nil
}

// items reads the whole list, following cursors.
func (e *Edge) items(ctx context.Context) (map[netip.Prefix]item, error) {
	out := map[netip.Prefix]item{}
	cursor := ""
	for {
		q := url.Values{"per_page": {"500"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page []item
		path := fmt.Sprintf("/accounts/%s/rules/lists/%s/items?%s", e.o.AccountID, e.o.ListID, q.Encode())
		if err := e.api.Call(ctx, http.MethodGet, path, nil, &page, &cursor); err != nil {
			return nil, err
		}
		for _, it := range page {
			if p, ok := parseItemIP(it.IP); ok {
				out[p] = it
			}
		}
		if cursor == "" || len(page) == 0 {
			return out, nil
		}
	}
}
