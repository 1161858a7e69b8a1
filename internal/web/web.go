// Package web is Intake's browser side: the web importer served at / and
// the API reference served at /docs, both embedded in the binary so that
// `intake serve` needs no build step and no network to show them. It owns
// only static files; everything the pages do goes through the HTTP API
// with the signed-in key.
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

//go:embed docs
var docs embed.FS

// docsCSP lets the API reference page run its embedded renderer and reach
// nothing but this server: no CDN, so /docs works offline.
const docsCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'"

// appCSP is the importer's policy: its own script and style, and calls to
// this server's API only.
const appCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"

// App serves the web importer: GET / answers index.html and /ui/… its
// script and style.
func App() http.Handler {
	sub, _ := fs.Sub(static, "static")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", appCSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		if r.URL.Path == "/" {
			http.ServeFileFS(w, r, sub, "index.html")
			return
		}
		http.StripPrefix("/ui", files).ServeHTTP(w, r)
	})
}

// Docs serves the API reference at /docs: Stoplight Elements (vendored
// from its npm package, version in docs/VERSION) reading /openapi.json.
func Docs() http.Handler {
	sub, _ := fs.Sub(docs, "docs")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", docsCSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.URL.Path == "/docs" || r.URL.Path == "/docs/" {
			http.ServeFileFS(w, r, sub, "index.html")
			return
		}
		http.StripPrefix("/docs", files).ServeHTTP(w, r)
	})
}
