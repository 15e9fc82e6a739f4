package cloudflare

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// item is one list item of kind redirect.
type item struct {
	ID       string `json:"id,omitempty"`
	Redirect target `json:"redirect"`
}

// target is a URL redirect as the list holds it.
type target struct {
	SourceURL           string `json:"source_url"`
	TargetURL           string `json:"target_url"`
	StatusCode          int    `json:"status_code"`
	IncludeSubdomains   bool   `json:"include_subdomains"`
	SubpathMatching     bool   `json:"subpath_matching"`
	PreserveQueryString bool   `json:"preserve_query_string"`
	PreservePathSuffix  bool   `json:"preserve_path_suffix"`
}

func (e *Edge) itemsPath() string {
	return fmt.Sprintf("/accounts/%s/rules/lists/%s/items", url.PathEscape(e.o.AccountID), url.PathEscape(e.o.ListID))
}

// items reads the whole list, following cursors.
func (e *Edge) items(ctx context.Context) ([]item, error) {
	var out []item
	cursor := ""
	for {
		q := url.Values{"per_page": {"500"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page []item
		if err := e.api.Call(ctx, http.MethodGet, e.itemsPath()+"?"+q.Encode(), nil, &page, &cursor); err != nil {
			return nil, err
		}
		out = append(out, page...)
		if cursor == "" || len(page) == 0 {
			return out, nil
		}
	}
}
