package apidoc_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"agora/adapters/http/apidoc"
)

func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDocsCSPAllowsOnlyThisOrigin(t *testing.T) {
	t.Parallel()
	csp := apidoc.DocsCSP()
	for _, must := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"} {
		if !strings.Contains(csp, must) {
			t.Errorf("CSP %q lacks %q", csp, must)
		}
	}
	for _, never := range []string{"unsafe-eval", "http:", "https:", "*", "script-src 'self' 'unsafe-inline'"} {
		if strings.Contains(csp, never) {
			t.Errorf("CSP %q must not contain %q", csp, never)
		}
	}
}

func TestDocsPageAndAssets(t *testing.T) {
	t.Parallel()
	h := apidoc.DocsHandler()
	for _, p := range []string{"/docs", "/docs/"} {
		r := get(t, h, http.MethodGet, p, nil)
		page := body(t, r)
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s = %d %s", p, r.StatusCode, r.Header.Get("Content-Type"))
		}
		if got := r.Header.Get("Content-Security-Policy"); got != apidoc.DocsCSP() {
			t.Errorf("GET %s CSP = %q, want DocsCSP()", p, got)
		}
		if !strings.Contains(page, `data-spec-url="/api/v1/openapi.yaml"`) {
			t.Errorf("the page does not point at /api/v1/openapi.yaml")
		}
		// The page loads only same-origin resources, and each of them is served.
		if regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).MatchString(page) {
			t.Errorf("the page references another host")
		}
		if strings.Contains(page, "<script>") || strings.Contains(page, " style=") {
			t.Errorf("the page has inline script or style, which its CSP forbids")
		}
		for _, m := range regexp.MustCompile(`(?:src|href)="(/docs/assets/[^"]+)"`).FindAllStringSubmatch(page, -1) {
			a := get(t, h, http.MethodGet, m[1], nil)
			n := len(body(t, a))
			if a.StatusCode != http.StatusOK || n == 0 {
				t.Errorf("GET %s = %d (%d bytes)", m[1], a.StatusCode, n)
			}
			ct := a.Header.Get("Content-Type")
			if (strings.HasSuffix(m[1], ".js") && !strings.HasPrefix(ct, "text/javascript")) ||
				(strings.HasSuffix(m[1], ".css") && !strings.HasPrefix(ct, "text/css")) {
				t.Errorf("GET %s Content-Type = %q", m[1], ct)
			}
			if a.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("GET %s lacks nosniff", m[1])
			}
		}
	}
}

func TestDocsHandlerErrorsAndCaching(t *testing.T) {
	t.Parallel()
	h := apidoc.DocsHandler()
	for _, p := range []string{"/docs/nope.js", "/docs/assets/", "/docs/assets/../docs.html", "/docs/assets/missing.js", "/docsx"} {
		r := get(t, h, http.MethodGet, p, map[string]string{})
		if r.StatusCode != http.StatusNotFound || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET %s = %d %s, want 404 problem+json", p, r.StatusCode, r.Header.Get("Content-Type"))
		}
	}
	r := get(t, h, http.MethodPost, "/docs", nil)
	if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /docs = %d Allow %q", r.StatusCode, r.Header.Get("Allow"))
	}
	r = get(t, h, http.MethodHead, "/docs/assets/redoc.standalone.js", nil)
	if r.StatusCode != http.StatusOK || body(t, r) != "" {
		t.Errorf("HEAD asset = %d", r.StatusCode)
	}
	etag := r.Header.Get("ETag")
	r = get(t, h, http.MethodGet, "/docs/assets/redoc.standalone.js", map[string]string{"If-None-Match": etag})
	if etag == "" || r.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET with ETag %q = %d, want 304", etag, r.StatusCode)
	}
}
