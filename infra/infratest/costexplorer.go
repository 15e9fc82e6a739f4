package infratest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Cost is one day's cost of one service in one linked account, as Cost
// Explorer reports it (GetCostAndUsage, UnblendedCost).
type Cost struct {
	Day       string // 2006-01-02 (a UTC day)
	Service   string // "Amazon Elastic Compute Cloud - Compute"
	Account   string // linked account ID; default the World's AccountID
	Amount    string // decimal, as AWS sends it: "12.3456789"
	Unit      string // default "USD"
	Estimated bool   // the day is not final yet
}

const (
	jsonContentType = "application/x-amz-json-1.1"
	ceTargetPrefix  = "AWSInsightsIndexService."
)

// parseJSON checks a Cost Explorer request (AWS JSON 1.1): POST / with
// X-Amz-Target AWSInsightsIndexService.<Action>, the JSON 1.1 content
// type, and a SigV4 signature scoped to ce in us-east-1 (Cost Explorer's
// one endpoint).
func (a *AWS) parseJSON(r *http.Request) (Call, int, string, string) {
	c := Call{Service: "ce"}
	target := r.Header.Get("X-Amz-Target")
	if !strings.HasPrefix(target, ceTargetPrefix) {
		return c, 400, "UnknownOperationException", "unknown X-Amz-Target " + target
	}
	c.Action = strings.TrimPrefix(target, ceTargetPrefix)
	if ct := r.Header.Get("Content-Type"); ct != jsonContentType {
		return c, 400, "SerializationException", "Content-Type is " + ct + ", want " + jsonContentType
	}
	body, _ := io.ReadAll(r.Body)
	c.Body = string(body)
	m := authRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil || r.Header.Get("X-Amz-Date") == "" {
		return c, 403, "IncompleteSignatureException", "missing or malformed SigV4 Authorization: " + r.Header.Get("Authorization")
	}
	c.AccessKey, c.Region = m[1], m[3]
	if m[4] != "ce" || c.Region != "us-east-1" {
		return c, 400, "InvalidSignatureException", fmt.Sprintf("signed for %s in %s; Cost Explorer is ce in us-east-1", m[4], c.Region)
	}
	if c.AccessKey != AccessKeyID && a.world.Role != nil && r.Header.Get("X-Amz-Security-Token") != a.world.Role.SessionToken {
		return c, 403, "UnrecognizedClientException", "the security token included in the request is invalid"
	}
	return c, 0, "", ""
}

// CostRequest is a GetCostAndUsage request body; unknown fields are
// refused.
type CostRequest struct {
	TimePeriod    *DateInterval
	Granularity   string
	Metrics       []string
	GroupBy       []GroupDefinition
	NextPageToken string `json:",omitempty"`
}

// DateInterval is Cost Explorer's [Start, End) in dates.
type DateInterval struct{ Start, End string }

// GroupDefinition is one GroupBy.
type GroupDefinition struct{ Type, Key string }

type metricValue struct{ Amount, Unit string }

type group struct {
	Keys    []string
	Metrics map[string]metricValue
}

type resultByTime struct {
	TimePeriod DateInterval
	Total      map[string]metricValue
	Groups     []group
	Estimated  bool
}

// DecodeCostRequest reads a recorded GetCostAndUsage body strictly.
func DecodeCostRequest(body string) (CostRequest, error) {
	var req CostRequest
	d := json.NewDecoder(strings.NewReader(body))
	d.DisallowUnknownFields()
	err := d.Decode(&req)
	return req, err
}

func ceInvalid(format string, args ...any) *apiErr {
	return &apiErr{400, "ValidationException", fmt.Sprintf(format, args...)}
}

// costExplorer answers GetCostAndUsage over the World's Costs: DAILY,
// UnblendedCost, grouped by up to two of SERVICE and LINKED_ACCOUNT, one
// result per day of [Start, End), PageSize days a page (all when 0).
func (a *AWS) costExplorer(c Call) (any, *apiErr) {
	if c.Action != "GetCostAndUsage" {
		return nil, &apiErr{400, "UnknownOperationException", "the fake Cost Explorer has no " + c.Action}
	}
	req, err := DecodeCostRequest(c.Body)
	if err != nil {
		return nil, &apiErr{400, "SerializationException", err.Error()}
	}
	if req.TimePeriod == nil {
		return nil, ceInvalid("TimePeriod is required")
	}
	start, e1 := time.Parse(time.DateOnly, req.TimePeriod.Start)
	end, e2 := time.Parse(time.DateOnly, req.TimePeriod.End)
	if e1 != nil || e2 != nil || !start.Before(end) {
		return nil, ceInvalid("TimePeriod %s – %s is not two dates, start before end", req.TimePeriod.Start, req.TimePeriod.End)
	}
	if req.Granularity != "DAILY" {
		return nil, ceInvalid("the fake answers Granularity DAILY only, got %q", req.Granularity)
	}
	if len(req.Metrics) != 1 || req.Metrics[0] != "UnblendedCost" {
		return nil, ceInvalid("the fake answers Metrics [UnblendedCost] only, got %q", req.Metrics)
	}
	if len(req.GroupBy) == 0 || len(req.GroupBy) > 2 {
		return nil, ceInvalid("GroupBy takes one or two definitions here, got %d", len(req.GroupBy))
	}
	for _, g := range req.GroupBy {
		if g.Type != "DIMENSION" || g.Key != "SERVICE" && g.Key != "LINKED_ACCOUNT" {
			return nil, ceInvalid("the fake groups by DIMENSION SERVICE or LINKED_ACCOUNT, got %s %s", g.Type, g.Key)
		}
	}
	var days []string
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	from := 0
	if req.NextPageToken != "" {
		i, err := strconv.Atoi(strings.TrimPrefix(req.NextPageToken, "day-"))
		if err != nil || !strings.HasPrefix(req.NextPageToken, "day-") || i <= 0 || i >= len(days) {
			return nil, &apiErr{400, "InvalidNextTokenException", "invalid NextPageToken " + req.NextPageToken}
		}
		from = i
	}
	to := len(days)
	if a.world.PageSize > 0 {
		to = min(from+a.world.PageSize, len(days))
	}
	var results []resultByTime
	for _, day := range days[from:to] {
		next, _ := time.Parse(time.DateOnly, day)
		r := resultByTime{TimePeriod: DateInterval{day, next.AddDate(0, 0, 1).Format(time.DateOnly)}, Total: map[string]metricValue{}, Groups: []group{}}
		sums, units, index := map[string]decimal.Decimal{}, map[string]string{}, map[string][]string{}
		var order []string
		for _, cost := range a.world.Costs {
			if cost.Day != day {
				continue
			}
			acct, unit := cost.Account, cost.Unit
			if acct == "" {
				acct = a.world.AccountID
			}
			if unit == "" {
				unit = "USD"
			}
			var keys []string
			for _, g := range req.GroupBy {
				keys = append(keys, map[string]string{"SERVICE": cost.Service, "LINKED_ACCOUNT": acct}[g.Key])
			}
			k := strings.Join(keys, "\x1f")
			if _, ok := index[k]; !ok {
				order = append(order, k)
				index[k] = keys
			}
			sums[k] = sums[k].Add(decimal.RequireFromString(cost.Amount))
			units[k] = unit
			r.Estimated = r.Estimated || cost.Estimated
		}
		for _, k := range order {
			r.Groups = append(r.Groups, group{Keys: index[k], Metrics: map[string]metricValue{"UnblendedCost": {sums[k].String(), units[k]}}})
		}
		results = append(results, r)
	}
	out := struct {
		GroupDefinitions []GroupDefinition
		ResultsByTime    []resultByTime
		NextPageToken    string `json:",omitempty"`
	}{req.GroupBy, results, ""}
	if to < len(days) {
		out.NextPageToken = "day-" + strconv.Itoa(to)
	}
	return out, nil
}

func writeJSON(w http.ResponseWriter, v any, n int) {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(v)
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("X-Amzn-RequestId", fmt.Sprintf("req-%08d", n))
	_, _ = w.Write(b.Bytes())
}

func writeJSONError(w http.ResponseWriter, status int, code, msg string, n int) {
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("X-Amzn-RequestId", fmt.Sprintf("req-%08d", n))
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}
