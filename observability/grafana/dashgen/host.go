package main

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// fsFilter leaves out the pseudo filesystems (memory, overlays, images).
const fsFilter = `fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs"`

// host is the VPS through node_exporter and the textfile metrics (host.json).
func host() board {
	i := `job="node",instance=~"$instance"`
	fs := i + `,` + fsFilter
	return board{
		uid: "agora-host", title: "Agora / Host", refresh: "30s",
		desc: "The VPS through node_exporter: CPU, memory, disk space and its forecast, disk and network I/O, container restarts and OOM kills, and the backup and TLS textfile metrics.",
		tags: []string{"agora", "host"},
		vars: []cog.Builder[dashboard.VariableModel]{promVar("instance", "Instance", `label_values(node_uname_info{job="node"}, instance)`)},
		rows: []row{
			{"Now", []panel{
				stat1("CPU busy", "Share of CPU time not idle, 5 minute rate. HostCPUHigh fires above 90 % for 15 minutes.", "percentunit",
					`max(instance:node_cpu_utilisation:rate5m{`+i+`})`, threshold{"orange", 0.7}, threshold{"red", 0.9}),
				stat1("Memory used", "1 - MemAvailable / MemTotal. HostMemoryHigh fires above 90 % for 10 minutes.", "percentunit",
					`max(instance:node_memory_utilisation:ratio{`+i+`})`, threshold{"orange", 0.8}, threshold{"red", 0.9}),
				stat1("Fullest filesystem", "Used share of the fullest real filesystem. HostDiskSpaceLow fires when less than 10 % is free.", "percentunit",
					`max(1 - node_filesystem_avail_bytes{`+fs+`} / node_filesystem_size_bytes{`+fs+`})`, threshold{"orange", 0.8}, threshold{"red", 0.9}),
				stat1("Load (1m) per core", "1-minute load average divided by the number of cores.", "short",
					`max(node_load1{`+i+`}) / count(count by (cpu) (node_cpu_seconds_total{`+i+`}))`, threshold{"orange", 1}, threshold{"red", 2}),
				stat1("Uptime", "Time since the host booted.", "s", `time() - max(node_boot_time_seconds{`+i+`})`),
				stat1("Memory total", "Physical memory of the host.", "bytes", `max(node_memory_MemTotal_bytes{`+i+`})`),
			}},
			{"CPU and memory", []panel{
				ts("CPU by mode", "CPU seconds per second by mode, summed over cores (2 = both cores busy).", "short", 12,
					t1(`sum by (mode) (rate(node_cpu_seconds_total{`+i+`,mode!="idle"}[$__rate_interval]))`, "{{mode}}")),
				ts("Memory", "Total, available and used memory.", "bytes", 12, []target{
					{`sum(node_memory_MemTotal_bytes{` + i + `})`, "total"},
					{`sum(node_memory_MemAvailable_bytes{` + i + `})`, "available"},
					{`sum(node_memory_MemTotal_bytes{` + i + `}) - sum(node_memory_MemAvailable_bytes{` + i + `})`, "used"},
				}),
				ts("Load average", "1, 5 and 15 minute load averages; above 2 the two cores are oversubscribed.", "short", 12, []target{
					{`max(node_load1{` + i + `})`, "1m"}, {`max(node_load5{` + i + `})`, "5m"}, {`max(node_load15{` + i + `})`, "15m"},
				}, threshold{"red", 2}),
				ts("Swap used", "Swap in use; any sustained swapping slows PostgreSQL.", "bytes", 12,
					t1(`sum(node_memory_SwapTotal_bytes{`+i+`}) - sum(node_memory_SwapFree_bytes{`+i+`})`, "swap used")),
			}},
			{"Containers", []panel{
				ts("Container restarts (15m)", "Restarts by Docker's restart policy in the last 15 minutes, per container (container-state.sh textfile). ContainerRestarting fires above 3.", "short", 12,
					t1(`round(increase(agora_container_restarts_total{job="node"}[15m]))`, "{{container}}"), threshold{"red", 3.5}),
				ts("OOM kills", "1 while Docker reports a container's last exit as an OOM kill (ContainerOOMKilled), and the kernel's OOM kills in 15 minutes on the host (HostOOMKill), which also counts kills Docker hid by restarting at once.", "short", 12, []target{
					{`max by (container) (agora_container_oom_killed{job="node"})`, "{{container}} OOMKilled"},
					{`sum(increase(node_vmstat_oom_kill{` + i + `}[15m]))`, "kernel OOM kills (15m)"},
				}, threshold{"red", 1}),
				{kind: "table", title: "Containers", desc: "Every Compose container with its restart count since creation and whether it runs (1) or not (0).", unit: "none", w: 12, h: 8,
					targets: []target{{`agora_container_running{job="node"}`, ""}, {`agora_container_restarts_total{job="node"}`, ""}}},
				stat1("Container state age", "Time since container-state.sh last wrote its textfile (every minute from the systemd timer). ContainerStateStale fires after 10 minutes.", "s",
					`time() - max(agora_container_state_last_run_timestamp_seconds{job="node"})`, threshold{"orange", 180}, threshold{"red", 600}),
			}},
			{"Disk", []panel{
				func() panel {
					p := ts("Filesystem used", "Used share of each real filesystem. Red at 90 % (HostDiskSpaceLow).", "percentunit", 12,
						t1(`1 - node_filesystem_avail_bytes{`+fs+`} / node_filesystem_size_bytes{`+fs+`}`, "{{mountpoint}}"), threshold{"orange", 0.8}, threshold{"red", 0.9})
					p.min, p.max = f(0), f(1)
					return p
				}(),
				func() panel {
					p := ts("Free space forecast (24h)", "Free bytes predicted 24 hours ahead from the last 6 hours (what HostDiskWillFillIn24Hours uses); below 0 (red) means full within a day.", "bytes", 12,
						t1(`predict_linear(node_filesystem_avail_bytes{`+fs+`}[6h], 24 * 3600)`, "{{mountpoint}}"), threshold{"green", 0})
					p.base = "red"
					return p
				}(),
				ts("Disk throughput", "Bytes read and written per second, all disks.", "Bps", 12, []target{
					{`sum(rate(node_disk_read_bytes_total{` + i + `}[$__rate_interval]))`, "read"},
					{`sum(rate(node_disk_written_bytes_total{` + i + `}[$__rate_interval]))`, "written"},
				}),
				ts("Disk busy", "Share of time each disk was busy with I/O.", "percentunit", 12,
					t1(`rate(node_disk_io_time_seconds_total{`+i+`}[$__rate_interval])`, "{{device}}"), threshold{"red", 0.9}),
			}},
			{"Network", []panel{
				ts("Network traffic", "Bytes received and sent per second on real interfaces.", "Bps", 24, []target{
					{`sum(rate(node_network_receive_bytes_total{` + i + `,device!~"lo|veth.*|docker.*|br-.*"}[$__rate_interval]))`, "received"},
					{`sum(rate(node_network_transmit_bytes_total{` + i + `,device!~"lo|veth.*|docker.*|br-.*"}[$__rate_interval]))`, "sent"},
				}),
			}},
			{"Backups and TLS", []panel{
				stat1("Last backup age", "Time since the last successful backup (agora_backup.prom). BackupTooOld fires after 26 hours.", "s",
					`time() - max(agora_backup_last_success_timestamp_seconds{job="node"})`, threshold{"orange", 25 * 3600}, threshold{"red", 26 * 3600}),
				{kind: "stat", title: "Last backup result", desc: "1 when the last backup run succeeded, 0 when it failed (BackupFailed).", unit: "bool_yes_no",
					targets: t1(`min(agora_backup_last_status{job="node"})`, ""), w: 4, h: 4, noGraph: true},
				stat1("Last backup size", "Size of the last backup file; a sudden drop means an incomplete dump.", "bytes",
					`max(agora_backup_last_size_bytes{job="node"})`),
				stat1("Last backup run", "Time since the backup script last ran, successful or not.", "s",
					`time() - max(agora_backup_last_run_timestamp_seconds{job="node"})`, threshold{"red", 26 * 3600}),
				{kind: "stat", title: "TLS certificate expires in", desc: "Time left on each TLS certificate file (agora_tls.prom from the renewal hook). TLSCertExpiring warns at 14 days and pages at 3; the certificate actually served is on the overview's Edge row.", unit: "s",
					targets: t1(`min by (domain) (agora_tls_cert_expiry_timestamp_seconds{job="node"}) - time()`, "{{domain}}"), w: 8, h: 4,
					base: "red", steps: []threshold{{"orange", 3 * 86400}, {"green", 14 * 86400}}},
			}},
		},
	}
}
