//go:build !unix

package pgtest

import "syscall"

// detached: only Unix has sessions; elsewhere the reaper shares the test's.
func detached() *syscall.SysProcAttr { return nil }
