package password

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// onLowPriorityThread runs f on an OS thread of its own whose scheduling
// priority is lowered to nice (Linux sets niceness per thread), on the CPU
// cores places it on (see cores), and returns when f has. The goroutine
// stays locked to the thread and exits locked, so the runtime ends the
// thread with it and neither the niceness nor the affinity ever reaches
// another goroutine. Creating the thread costs tens of microseconds against
// the milliseconds of a hash. Request handling is never pinned, and takes
// any core from a hash at once.
func onLowPriorityThread(nice int, c *cores, f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: see above
		cpu, placed := c.place()
		defer placed()
		// Best effort both: without the right to lower priority (it never
		// needs one) or to choose the CPU, the hash still runs.
		_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), nice)
		if cpu >= 0 {
			var set unix.CPUSet
			set.Set(cpu)
			_ = unix.SchedSetaffinity(0, &set)
		}
		f()
	}()
	<-done
}

// allowedCPUs lists the CPUs this process may run on (a container's cpuset
// may allow fewer than the machine has), or none (never pin) when it cannot
// tell.
func allowedCPUs() []int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil
	}
	var cpus []int
	for cpu := 0; len(cpus) < set.Count(); cpu++ {
		if set.IsSet(cpu) {
			cpus = append(cpus, cpu)
		}
	}
	return cpus
}
