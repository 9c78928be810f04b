package main

// alerts is what fires and whether the alerting pipeline works (alerts.json).
func alerts() board {
	return board{
		uid: "agora-alerts", title: "Agora / Alerts", refresh: "30s",
		desc: "What is firing now, how Alertmanager delivers it, and whether the monitoring pipeline itself is healthy (Watchdog heartbeat, scrape targets, rule evaluation).",
		tags: []string{"agora", "alerts"},
		rows: []row{
			{"Now", []panel{
				stat1("Firing alerts", "Alerts firing in Prometheus, Watchdog excluded.", "short",
					`count(ALERTS{alertstate="firing",alertname!="Watchdog"}) or vector(0)`, threshold{"red", 1}),
				stat1("Pending alerts", "Alerts whose condition holds but whose `for` has not run out yet.", "short",
					`count(ALERTS{alertstate="pending"}) or vector(0)`, threshold{"orange", 1}),
				{kind: "stat", title: "Watchdog firing", desc: "The dead man's switch: 1 while the always-firing Watchdog alert is active. 0 means rule evaluation is broken.", unit: "bool_yes_no",
					targets: t1(`count(ALERTS{alertname="Watchdog",alertstate="firing"}) or vector(0)`, ""), w: 4, h: 4, base: "red", steps: []threshold{{"green", 1}}, noGraph: true},
				stat1("Targets down", "Scrape targets that Prometheus cannot reach.", "short",
					`count(up == 0) or vector(0)`, threshold{"red", 1}),
				stat1("Active silences", "Silences in force in Alertmanager.", "short",
					`sum(alertmanager_silences{state="active"}) or vector(0)`, threshold{"orange", 1}),
				stat1("Failed notifications (1h)", "Notifications Alertmanager failed to deliver in the last hour (AlertmanagerNotificationsFailing).", "short",
					`sum(increase(alertmanager_notifications_failed_total[1h])) or vector(0)`, threshold{"red", 1}),
			}},
			{"Alerts", []panel{
				{kind: "table", title: "Firing and pending alerts", desc: "Every alert Prometheus holds right now, with its labels.", unit: "none", w: 24, h: 8,
					targets: t1(`ALERTS`, "")},
				ts("Firing alerts by severity", "Number of firing alerts per severity over time.", "short", 12,
					t1(`sum by (severity) (ALERTS{alertstate="firing"})`, "{{severity}}")),
				ts("Notifications per second", "Notifications sent by integration (email, webhook for the heartbeat, slack, pagerduty) and failures.", "ops", 12, []target{
					{`sum by (integration) (rate(alertmanager_notifications_total[$__rate_interval]))`, "{{integration}} sent"},
					{`sum by (integration) (rate(alertmanager_notifications_failed_total[$__rate_interval]))`, "{{integration}} failed"},
				}),
			}},
			{"Pipeline health", []panel{
				{kind: "table", title: "Scrape targets", desc: "Every scrape target and whether it is up (1) or down (0).", unit: "none", w: 12, h: 8,
					targets: t1(`up`, ""), base: "red", steps: []threshold{{"green", 1}}},
				ts("Rule evaluation failures", "Failed rule evaluations per second, by rule group; anything above 0 means an alert may be blind.", "ops", 12,
					t1(`sum by (rule_group) (rate(prometheus_rule_evaluation_failures_total[$__rate_interval]))`, "{{rule_group}}"), threshold{"red", 0.001}),
				ts("Alerts received by Alertmanager", "Alerts per second that Alertmanager receives from Prometheus, by status.", "ops", 12,
					t1(`sum by (status) (rate(alertmanager_alerts_received_total[$__rate_interval]))`, "{{status}}")),
				ts("Prometheus notification queue", "Alerts dropped or failing on the way from Prometheus to Alertmanager.", "ops", 12, []target{
					{`sum(rate(prometheus_notifications_errors_total[$__rate_interval]))`, "errors"},
					{`sum(rate(prometheus_notifications_dropped_total[$__rate_interval]))`, "dropped"},
				}),
			}},
		},
	}
}
