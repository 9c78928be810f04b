//go:build !linux

package password

// onLowPriorityThread runs f; lowering one thread's priority and choosing
// its CPU are Linux's (thread_linux.go).
func onLowPriorityThread(_ int, _ *cores, f func()) { f() }

// allowedCPUs is none: never pin.
func allowedCPUs() []int { return nil }
