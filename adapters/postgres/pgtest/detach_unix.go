//go:build unix

package pgtest

import "syscall"

// detached puts the reaper in a session of its own, so that a signal to the
// test's process group (Ctrl-C, a killed `go test`) does not reach it before
// it has cleaned up.
func detached() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
