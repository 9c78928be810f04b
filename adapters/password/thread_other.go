//go:build !linux

package password

// onLowPriorityThread runs f; lowering one thread's priority and choosing
// its CPU are Linux's (thread_linux.go).
func onLowPriorityThread(_, _ int, f func()) { f() }

// allowedCPUs is a single -1: no pinning.
func allowedCPUs() []int { return []int{-1} }
