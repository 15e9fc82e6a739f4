package ingest

import (
	"net/http"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the ingest worker's Prometheus metrics, on their own
// registry (never the global default one).
type Metrics struct {
	reg     *prometheus.Registry
	objects *prometheus.CounterVec
	rows    prometheus.Counter
	rejects prometheus.Counter
	bytes   prometheus.Counter
	batch   prometheus.Histogram

	duplicates prometheus.Counter     // queue notifications of an object already in flight
	left       *prometheus.CounterVec // queue messages left for the dead-letter queue

	now    func() time.Time
	mu     sync.Mutex
	newest time.Time // newest request time committed
}

// NewMetrics makes the metrics on a fresh registry.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), now: time.Now}
	m.objects = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "opsbot_ingest_objects_total", Help: "Log objects processed, by outcome (done, failed, expired, skipped: counted once per entry).",
	}, []string{"status"})
	m.rows = prometheus.NewCounter(prometheus.CounterOpts{Name: "opsbot_ingest_rows_total", Help: "Request rows inserted."})
	m.rejects = prometheus.NewCounter(prometheus.CounterOpts{Name: "opsbot_ingest_rejects_total", Help: "Log lines rejected (the first max_reject_lines of each object kept in ingest_rejects)."})
	m.bytes = prometheus.NewCounter(prometheus.CounterOpts{Name: "opsbot_ingest_object_bytes_total", Help: "Stored (compressed) bytes of objects loaded."})
	m.batch = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "opsbot_ingest_batch_seconds", Help: "Time to insert one batch of rows.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
	})
	lag := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "opsbot_ingest_lag_seconds", Help: "Seconds between now and the newest request time ingested (0 before the first).",
	}, m.lag)
	m.duplicates = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "opsbot_ingest_duplicate_notifications_total", Help: "Queue messages naming an object (bucket, key, ETag) already being loaded: loaded once.",
	})
	m.left = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "opsbot_ingest_messages_left_total", Help: "Queue messages that are no S3 notification, left for the dead-letter queue (once per message), by reason (not_json, not_s3).",
	}, []string{"reason"})
	m.reg.MustRegister(m.objects, m.rows, m.rejects, m.bytes, m.batch, lag, m.duplicates, m.left)
	return m
}

// Handler serves the metrics in the Prometheus exposition format; mount it
// at /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry the metrics live on, for a caller that gathers
// several registries into one endpoint.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

func (m *Metrics) lag() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.newest.IsZero() {
		return 0
	}
	return m.now().Sub(m.newest).Seconds()
}

// seen notes a committed batch of requests rows.
func (m *Metrics) seen(rec arrow.Record) {
	m.rows.Add(float64(rec.NumRows()))
	ts, ok := rec.Column(0).(*array.Timestamp)
	if !ok || rec.Schema().Field(0).Name != "ts" {
		return
	}
	var hi arrow.Timestamp
	for _, v := range ts.TimestampValues() {
		hi = max(hi, v)
	}
	t := time.UnixMilli(int64(hi)).UTC()
	m.mu.Lock()
	if t.After(m.newest) {
		m.newest = t
	}
	m.mu.Unlock()
}

func (m *Metrics) done(s *State) {
	m.objects.WithLabelValues(StatusDone).Inc()
	m.rejects.Add(float64(s.Rejected))
	m.bytes.Add(float64(s.Size))
}

// Metrics serves the worker's metrics; mount it at /metrics.
func (w *Worker) Metrics() http.Handler { return w.metrics.Handler() }
