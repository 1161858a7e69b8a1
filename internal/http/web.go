package http

import "github.com/intake/intake/internal/web"

// registerWeb mounts the embedded pages: the web importer at / (assets
// under /ui/) and the API reference at /docs, which reads /openapi.json.
// They need no key to load; the importer asks for one and sends it with
// every API call it makes.
func (s *Server) registerWeb() {
	app, docs := web.App(), web.Docs()
	s.mux.Handle("GET /{$}", app)
	// One segment below /ui and /docs: a subtree pattern would overlap
	// TextUs's /{account}/contact_imports/{slug}.
	s.mux.Handle("GET /ui/{file}", app)
	s.mux.Handle("GET /docs", docs)
	s.mux.Handle("GET /docs/{file}", docs)
}
