package telemetry

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// poolCollector reads pgxpool statistics at scrape time, so the numbers are
// exact and nothing runs between scrapes.
type poolCollector struct {
	stat func() *pgxpool.Stat

	acquired, idle, total, max               *prometheus.Desc
	acquireCount, acquireSeconds, emptyCount *prometheus.Desc
	canceledCount                            *prometheus.Desc
}

// RegisterPool exports the primary pool's statistics as db_pool_*.
func (m *Metrics) RegisterPool(pool *pgxpool.Pool) { m.RegisterPoolAs(pool, "db_pool") }

// RegisterPoolAs exports a pool's statistics under another prefix (the read
// replica's pool is agora_db_read_pool_*), leaving the contract's db_pool_*
// as it is.
func (m *Metrics) RegisterPoolAs(pool *pgxpool.Pool, prefix string) {
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(prefix+name, help, nil, nil) }
	m.Registry.MustRegister(&poolCollector{
		stat:           pool.Stat,
		acquired:       d("_acquired_conns", "Connections currently in use."),
		idle:           d("_idle_conns", "Connections idle in the pool."),
		total:          d("_total_conns", "Connections open (acquired, idle and being created)."),
		max:            d("_max_conns", "The pool's maximum size."),
		acquireCount:   d("_acquire_count_total", "Successful acquires from the pool."),
		acquireSeconds: d("_acquire_duration_seconds_total", "Total time spent waiting to acquire a connection."),
		emptyCount:     d("_empty_acquire_count_total", "Acquires that had to wait because the pool was empty."),
		canceledCount:  d("_canceled_acquire_count_total", "Acquires canceled by their context (e.g. a deadline)."),
	})
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acquired, c.idle, c.total, c.max, c.acquireCount, c.acquireSeconds, c.emptyCount, c.canceledCount} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stat()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(c.acquired, float64(s.AcquiredConns()))
	gauge(c.idle, float64(s.IdleConns()))
	gauge(c.total, float64(s.TotalConns()))
	gauge(c.max, float64(s.MaxConns()))
	counter(c.acquireCount, float64(s.AcquireCount()))
	counter(c.acquireSeconds, s.AcquireDuration().Seconds())
	counter(c.emptyCount, float64(s.EmptyAcquireCount()))
	counter(c.canceledCount, float64(s.CanceledAcquireCount()))
}

// RegisterGaugeFunc exports a value read at scrape time (e.g. replica lag).
func (m *Metrics) RegisterGaugeFunc(name, help string, value func() float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, value))
}

// RegisterCounterFunc exports a count an adapter keeps itself (e.g. the
// session cache's hits), read at scrape time; value must never decrease.
func (m *Metrics) RegisterCounterFunc(name, help string, value func() float64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, value))
}
