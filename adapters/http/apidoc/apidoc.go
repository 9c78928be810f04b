// Package apidoc holds Agora's OpenAPI document and the /docs page that renders it.
//
// The document (openapi.yaml, embedded as Spec) is the API contract: the server
// follows it and the HTTP tests validate every request and response against it.
//
// The API server serves Spec itself at /api/v1/openapi.yaml and mounts
// DocsHandler at /docs (cmd/agora wires both).
//
// DocsHandler serves the HTML page at /docs and the vendored Redoc renderer
// under /docs/assets/, all embedded in the binary: the page makes no request to
// any other host. It sets its own Content-Security-Policy (DocsCSP), replacing
// the strict default policy of the API; a security middleware that writes its
// headers after the handler must use DocsCSP for /docs and /docs/*.
//
// The renderer is Redoc's standalone bundle, pinned in tools/npm/package.json
// and copied here by `npm --prefix tools/npm run vendor-redoc`.
package apidoc

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

// Spec is the OpenAPI 3 document of the API (YAML).
//
//go:embed openapi.yaml
var Spec []byte

//go:embed docs.html
var docsPage []byte

//go:embed assets
var assetsFS embed.FS

// DocsPath is where the page lives; its assets are under DocsPath + "/assets/".
const DocsPath = "/docs"

// docsCSP allows exactly what the page needs: its own scripts and stylesheet,
// the inline styles Redoc's styled-components inject, data: images (Redoc's
// icons and the empty favicon), fetching the document from this origin, and the
// search index's Web Worker, which Redoc starts from a blob: URL.
const docsCSP = "default-src 'none'; " +
	"script-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; " +
	"connect-src 'self'; " +
	"worker-src blob:; " +
	"base-uri 'none'; " +
	"form-action 'none'; " +
	"frame-ancestors 'none'"

// DocsCSP returns the Content-Security-Policy of the /docs page and its assets.
func DocsCSP() string { return docsCSP }

type asset struct {
	body        []byte
	contentType string
	etag        string
}

// DocsHandler serves the documentation page at /docs (and /docs/) and its
// embedded assets at /docs/assets/{name}. Anything else under /docs is 404.
func DocsHandler() http.Handler {
	assets := map[string]asset{}
	sub, err := fs.Sub(assetsFS, "assets")
	if err != nil {
		panic("apidoc: embedded assets missing: " + err.Error())
	}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		assets[DocsPath+"/assets/"+p] = asset{body: b, contentType: contentTypeOf(p), etag: etagOf(b)}
		return nil
	})
	if err != nil {
		panic("apidoc: reading embedded assets: " + err.Error())
	}
	page := asset{body: docsPage, contentType: "text/html; charset=utf-8", etag: etagOf(docsPage)}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", docsCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		var a asset
		switch p := r.URL.Path; p {
		case DocsPath, DocsPath + "/":
			a = page
		default:
			var ok bool
			if a, ok = assets[p]; !ok {
				writeProblem(w, http.StatusNotFound, "There is no such documentation asset.")
				return
			}
		}
		if !allowRead(w, r) {
			return
		}
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", a.etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
	})
}

func allowRead(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	writeProblem(w, http.StatusMethodNotAllowed, "This resource answers GET and HEAD only.")
	return false
}

// writeProblem answers with a problem document shaped like the API's own
// (type about:blank, request_id from the X-Request-ID response header that the
// request-ID middleware sets).
func writeProblem(w http.ResponseWriter, status int, detail string) {
	body, _ := json.Marshal(struct {
		Type      string `json:"type"`
		Title     string `json:"title"`
		Status    int    `json:"status"`
		Detail    string `json:"detail"`
		RequestID string `json:"request_id"`
	}{"about:blank", http.StatusText(status), status, detail, w.Header().Get("X-Request-ID")})
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func contentTypeOf(name string) string {
	switch {
	case strings.HasSuffix(name, ".js"):
		return "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".css"):
		return "text/css; charset=utf-8"
	default:
		return "text/plain; charset=utf-8"
	}
}

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}
