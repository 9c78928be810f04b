package password_test

import (
	"flag"
	"os"
	"runtime"
	"testing"
)

// TestMain gives the tests' processes what `agora serve` gives its own: as
// many Go processors again as the hashers here hash at once (2), so that a
// locked hashing goroutine never holds the processor another goroutine
// needs. Without it, two hashes hold both processors of a 2-core machine
// and the tests' sampling goroutines only run between hashes, seeing fewer
// at once than ran. Benchmarks keep the machine's GOMAXPROCS: the
// all-core yardstick of make bench (BenchmarkVerifyParallel) is measured
// with one goroutine a core, as it always has been.
func TestMain(m *testing.M) {
	flag.Parse()
	if flag.Lookup("test.bench").Value.String() == "" {
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 2)
	}
	os.Exit(m.Run())
}
