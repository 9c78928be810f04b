package password

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Each slot's hashes run on the slot's CPU, at the slot's niceness, and
// neither setting outlives the hash: the goroutine that asked runs on as
// before.
func TestHashThreadRunsOnItsSlotsCPU(t *testing.T) {
	var before unix.CPUSet
	if err := unix.SchedGetaffinity(0, &before); err != nil {
		t.Skipf("no affinity here: %v", err)
	}
	cpus := allowedCPUs()
	if len(cpus) != before.Count() || cpus[0] < 0 {
		t.Fatalf("allowedCPUs() = %v, the process may run on %d CPUs", cpus, before.Count())
	}
	for _, cpu := range cpus {
		var inside unix.CPUSet
		var prio int
		onLowPriorityThread(7, cpu, func() {
			_ = unix.SchedGetaffinity(0, &inside)
			prio, _ = unix.Getpriority(unix.PRIO_PROCESS, 0)
		})
		if inside.Count() != 1 || !inside.IsSet(cpu) {
			t.Errorf("slot CPU %d: the hash ran with affinity of %d CPUs", cpu, inside.Count())
		}
		if nice := 20 - prio; nice != 7 { // the syscall's 40..1 is nice -20..19
			t.Errorf("slot CPU %d: the hash ran at nice %d, want 7", cpu, nice)
		}
	}
	var after unix.CPUSet
	if err := unix.SchedGetaffinity(0, &after); err != nil || after != before {
		t.Fatalf("the caller's affinity changed: %v", err)
	}
	// -1, where the CPUs are unknown, pins nothing.
	var inside unix.CPUSet
	onLowPriorityThread(0, -1, func() { _ = unix.SchedGetaffinity(0, &inside) })
	if inside != before {
		t.Fatal("cpu -1 pinned the hash")
	}
}
