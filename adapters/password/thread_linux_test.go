package password

import (
	"testing"

	"golang.org/x/sys/unix"
)

func affinity(t *testing.T) unix.CPUSet {
	t.Helper()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	return set
}

// A hash that runs alone is left where the kernel puts it; one that starts
// beside another is pinned to a CPU of its own, at the hasher's niceness;
// nothing outlives the hash.
func TestHashThreadIsPinnedOnlyBesideAnother(t *testing.T) {
	before := affinity(t)
	cpus := allowedCPUs()
	if len(cpus) != before.Count() {
		t.Fatalf("allowedCPUs() = %v, the process may run on %d CPUs", cpus, before.Count())
	}
	c := newCores(cpus)

	var alone unix.CPUSet
	var prio int
	onLowPriorityThread(7, c, func() {
		alone = affinity(t)
		prio, _ = unix.Getpriority(unix.PRIO_PROCESS, 0)
	})
	if alone != before {
		t.Errorf("a lone hash was pinned to %d of %d CPUs", alone.Count(), before.Count())
	}
	if nice := 20 - prio; nice != 7 { // the syscall's 40..1 is nice -20..19
		t.Errorf("the hash ran at nice %d, want 7", nice)
	}

	release, started := make(chan struct{}), make(chan struct{})
	firstDone := make(chan struct{})
	go func() {
		defer close(firstDone)
		onLowPriorityThread(0, c, func() { close(started); <-release })
	}()
	<-started
	var beside unix.CPUSet
	onLowPriorityThread(0, c, func() { beside = affinity(t) })
	close(release)
	<-firstDone
	if beside.Count() != 1 || !beside.IsSet(cpus[0]) {
		t.Errorf("a hash beside another ran on %d CPUs, want CPU %d alone", beside.Count(), cpus[0])
	}
	if after := affinity(t); after != before {
		t.Fatal("the caller's affinity changed")
	}
}
