package main

import (
	httpapi "agora/adapters/http"
	"agora/adapters/http/apidoc"
)

// wireDocs adds the OpenAPI document and the docs page that renders it.
func wireDocs(opts *httpapi.Options) {
	opts.OpenAPISpec = apidoc.Spec
	opts.Docs = apidoc.DocsHandler()
	opts.DocsCSP = apidoc.DocsCSP()
}
