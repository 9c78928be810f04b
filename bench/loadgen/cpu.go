package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: fixed at 100
// by the Linux ABI whatever the kernel's own tick rate.
const clockTicks = 100

// cpu prints the CPU time (user + system, seconds) Agora and PostgreSQL have
// used so far, and the machine's steal time (CPU the hypervisor gave to
// other guests while this one had work: a run's drift shows there): "AGORA
// POSTGRES STEAL". The script reads it before and after a
// phase and divides the differences by the phase's requests.
//
// Agora is one process (its /proc/PID/stat counts every thread, live or
// gone). PostgreSQL is the postmaster and every process it started: the
// live ones' own times, plus the postmaster's cutime/cstime, which hold the
// times of the children it has already reaped (backends of connections that
// closed during the phase, like pgbench's at its end).
func cpu(args []string) error {
	fs := flag.NewFlagSet("cpu", flag.ExitOnError)
	agora := fs.Int("agora", 0, "Agora's PID (0: none)")
	postmaster := fs.Int("postmaster", 0, "the postmaster's PID")
	_ = fs.Parse(args)
	var app float64
	if *agora > 0 {
		st, err := procStat(*agora)
		if err != nil {
			return err
		}
		app = st.self()
	}
	db, err := treeCPU(*postmaster)
	if err != nil {
		return err
	}
	steal, err := stealTime()
	if err != nil {
		return err
	}
	fmt.Printf("%.2f %.2f %.2f\n", app, db, steal)
	return nil
}

// stealTime is the machine's steal time in seconds, summed over its CPUs
// (the eighth number of /proc/stat's "cpu" line; 0 on a kernel without it).
func stealTime() (float64, error) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, nil
	}
	v, err := strconv.ParseInt(f[8], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("unreadable /proc/stat: %q", line)
	}
	return float64(v) / clockTicks, nil
}

// stat holds the fields of /proc/PID/stat this file needs, in ticks.
type stat struct {
	ppid                         int
	utime, stime, cutime, cstime int64
}

func (s stat) self() float64 { return float64(s.utime+s.stime) / clockTicks }

func procStat(pid int) (stat, error) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return stat{}, err
	}
	return parseStat(string(raw))
}

// parseStat reads /proc/PID/stat. The command name (field 2) is in
// parentheses and may hold spaces, so fields are counted after its last ')'.
func parseStat(s string) (stat, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return stat{}, fmt.Errorf("unreadable stat %q", s)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 15 {
		return stat{}, fmt.Errorf("short stat %q", s)
	}
	num := func(k int) int64 { // field k of proc(5), 1-based
		v, _ := strconv.ParseInt(f[k-3], 10, 64)
		return v
	}
	return stat{ppid: int(num(4)), utime: num(14), stime: num(15), cutime: num(16), cstime: num(17)}, nil
}

// treeCPU is the CPU time of root, of its reaped children, and of its live
// children, in seconds. A child reaped while the live ones are being read
// would be counted in neither (reaped after root's cutime was read, gone
// before its own stat was), and a backend that lived for the whole run
// carries seconds: so root is read before and after the scan, and the scan
// is repeated until no child was reaped in between.
func treeCPU(root int) (float64, error) {
	for range 20 {
		before, err := procStat(root)
		if err != nil {
			return 0, err
		}
		live, err := childrenCPU(root)
		if err != nil {
			return 0, err
		}
		after, err := procStat(root)
		if err != nil {
			return 0, err
		}
		if after.cutime+after.cstime == before.cutime+before.cstime {
			return float64(after.utime+after.stime+after.cutime+after.cstime+live) / clockTicks, nil
		}
	}
	return 0, fmt.Errorf("children of %d kept exiting during 20 scans", root)
}

// childrenCPU is the CPU ticks of root's live children.
func childrenCPU(root int) (int64, error) {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	var ticks int64
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == root {
			continue
		}
		c, err := procStat(pid)
		if err != nil || c.ppid != root {
			continue // gone meanwhile, or not a child
		}
		ticks += c.utime + c.stime
	}
	return ticks, nil
}
