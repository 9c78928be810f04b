package apidoc_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"agora/adapters/http/apidoc"
)

// findChromium returns the Chromium binary, or skips (fails under CI=true)
// when it is missing: Debian's chromium package, see scripts/apt-packages.txt.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "chromium is not installed (apt-get install chromium; listed in scripts/apt-packages.txt)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// artifactDir is where the screenshots go: $AGORA_ARTIFACTS/docs when set,
// else a directory under the system temp dir that outlives the test.
func artifactDir(t *testing.T) string {
	t.Helper()
	base := os.Getenv("AGORA_ARTIFACTS")
	if base == "" {
		base = filepath.Join(os.TempDir(), "agora-artifacts")
	}
	dir := filepath.Join(base, "docs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browserEvents collects what the page did.
type browserEvents struct {
	mu       sync.Mutex
	requests []string // every URL the page asked for
	problems []string // console errors, exceptions, error log entries (CSP violations), failed requests
}

func (b *browserEvents) add(list *[]string, s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	*list = append(*list, s)
}

func (b *browserEvents) snapshot() (requests, problems []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.requests), slices.Clone(b.problems)
}

// TestDocsPageInChromium opens /docs in headless Chromium, served from
// 127.0.0.1 by DocsHandler and the document alone, and checks that every
// contract endpoint is listed, that nothing was logged as an error (CSP
// violations included) and that no request left 127.0.0.1. It saves
// screenshots as test artefacts.
func TestDocsPageInChromium(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short (make test-unit): a browser is a system program; make test-go runs this")
	}
	chromium := findChromium(t)

	mux := http.NewServeMux()
	mux.Handle("/docs", apidoc.DocsHandler())
	mux.Handle("/docs/", apidoc.DocsHandler())
	mux.HandleFunc("GET /api/v1/openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		_, _ = w.Write(apidoc.Spec)
	})
	srv := httptest.NewServer(mux) // listens on 127.0.0.1:0
	t.Cleanup(srv.Close)
	if u, _ := url.Parse(srv.URL); u.Hostname() != "127.0.0.1" {
		t.Fatalf("test server is on %s, want 127.0.0.1", srv.URL)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("mute-audio", true),
		// Nothing but loopback resolves, so even a stray request could not leave
		// the machine; the test still fails on any such attempt (below).
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	ev := &browserEvents{}
	// chromedp enables the Runtime, Log and Network domains when it attaches the
	// tab; WithListener sees their events from the very first one.
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithListener(func(e any) {
		switch e := e.(type) {
		case *network.EventRequestWillBeSent:
			ev.add(&ev.requests, e.Request.URL)
		case *network.EventResponseReceived:
			if e.Response.Status >= 400 {
				ev.add(&ev.problems, fmt.Sprintf("HTTP %d for %s", int(e.Response.Status), e.Response.URL))
			}
		case *network.EventLoadingFailed:
			ev.add(&ev.problems, fmt.Sprintf("loading failed (%s): %s", e.ErrorText, e.BlockedReason))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				ev.add(&ev.problems, "console."+string(e.Type)+": "+strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			ev.add(&ev.problems, "exception: "+msg)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError {
				ev.add(&ev.problems, fmt.Sprintf("log %s: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
			}
		}
	}))
	defer bcancel()

	// Every operation Redoc renders shows its verb (span.http-verb) next to its path.
	const listOps = `Array.from(document.querySelectorAll('.http-verb')).map(function (v) {
		var p = v.nextElementSibling; return v.textContent.trim().toUpperCase() + ' ' + (p ? p.textContent.trim() : '');
	}).filter(function (s) { return s.indexOf(' /') > 0; })`
	requests, problems := ev.snapshot()
	fail := func(step string, err error) {
		t.Helper()
		requests, problems = ev.snapshot()
		t.Fatalf("%s: %v\nrequests: %v\nproblems: %v", step, err, requests, problems)
	}
	err := chromedp.Do(bctx,
		chromedp.Navigate(srv.URL+"/docs"),
		chromedp.WaitVisible(chromedp.CSS(`#redoc .api-content`)),
	)
	if err != nil {
		fail("opening /docs", err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](listOps+`.length >= `+fmt.Sprint(len(contractEndpoints)),
		chromedp.WithPollingTimeout(45*time.Second))); err != nil {
		fail("waiting for the operations to render", err)
	}
	listed, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](listOps))
	if err != nil {
		fail("listing the operations", err)
	}
	if err := chromedp.Do(bctx, chromedp.Sleep(500*time.Millisecond)); err != nil { // late console output and requests
		fail("waiting", err)
	}
	top, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		fail("screenshot", err)
	}
	if err := chromedp.Do(bctx,
		chromedp.WaitVisible(chromedp.CSS(`[id="tag/posts/operation/createPost"]`)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("tag/posts/operation/createPost").scrollIntoView()`),
		chromedp.Sleep(300*time.Millisecond),
	); err != nil {
		fail("scrolling to createPost", err)
	}
	operation, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err != nil {
		fail("screenshot", err)
	}
	requests, problems = ev.snapshot()

	dir := artifactDir(t)
	for name, png := range map[string][]byte{"docs-top.png": top, "docs-create-post.png": operation} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", p, len(png))
	}

	for _, e := range contractEndpoints {
		if !slices.Contains(listed, e.method+" "+e.path) {
			t.Errorf("the docs page does not list %s %s", e.method, e.path)
		}
	}
	for _, p := range problems {
		t.Errorf("browser reported: %s", p)
	}
	for _, r := range requests {
		u, err := url.Parse(r)
		if err != nil {
			t.Errorf("unparsable request URL %q", r)
			continue
		}
		switch u.Scheme {
		case "data", "blob":
			continue
		}
		if u.Hostname() != "127.0.0.1" {
			t.Errorf("request left 127.0.0.1: %s", r)
		}
	}
	for _, want := range []string{"/docs", "/docs/assets/redoc.standalone.js", "/docs/assets/docs.js", "/docs/assets/docs.css", "/api/v1/openapi.yaml"} {
		if !slices.Contains(requests, srv.URL+want) {
			t.Errorf("the page did not request %s (requests seen: %v)", want, requests)
		}
	}
}
