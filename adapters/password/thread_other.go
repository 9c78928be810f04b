//go:build !linux

package password

// onLowPriorityThread runs f; lowering one thread's priority is Linux's
// (thread_linux.go).
func onLowPriorityThread(_ int, f func()) { f() }
