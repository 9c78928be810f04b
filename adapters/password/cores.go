package password

import "sync"

// cores spreads the hashes that run at once over the CPUs the process may
// use. A hash that starts while none runs is left where the kernel puts it
// (it may move to any idle core); one that starts beside others is pinned to
// the CPU with the fewest of them, because the kernel starts a new thread
// next to its maker, often on the core where another hash runs, and keeps
// it there as cache-hot: two hashes then share one core until the balancer
// moves one (bench/notes.md, round 4).
type cores struct {
	mu      sync.Mutex
	cpus    []int       // the allowed CPUs; empty: never pin
	running int         // hashes running, pinned or not
	pinned  map[int]int // hashes pinned to each CPU
}

func newCores(cpus []int) *cores { return &cores{cpus: cpus, pinned: map[int]int{}} }

// place counts a starting hash in and says which CPU to pin it to, or -1
// for none; done counts it out.
func (c *cores) place() (cpu int, done func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running++
	cpu = -1
	if c.running > 1 {
		for _, candidate := range c.cpus {
			if cpu < 0 || c.pinned[candidate] < c.pinned[cpu] {
				cpu = candidate
			}
		}
	}
	if cpu >= 0 {
		c.pinned[cpu]++
	}
	return cpu, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.running--
		if cpu >= 0 {
			c.pinned[cpu]--
		}
	}
}
