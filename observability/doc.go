// Package observability holds no code: the folder is the monitoring set-up
// (Prometheus, rules and their tests, Alertmanager, Loki, Alloy, Grafana) as
// plain files. Its tests (package observability_test) check those files with
// the real tools (promtool, amtool) and prove the stack against a live Agora.
package observability
