//go:build !linux

package password

// lowerThreadPriority does nothing: lowering one thread's priority is
// Linux's (thread_linux.go).
func lowerThreadPriority(int) {}
