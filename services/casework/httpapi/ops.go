package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5emb"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

type healthResp struct {
	Status string `json:"status"`
}

type readyResp struct {
	Status string         `json:"status"`
	Checks map[string]any `json:"checks,omitempty"`
	Error  string         `json:"error,omitempty"`
}

func (s *Server) mountOps() {
	s.add(Route{Method: http.MethodGet, Path: "/healthz", Summary: "Liveness: the process is serving", Tag: "operations",
		Resp: healthResp{}, Handler: func(c *fiber.Ctx) error { return c.JSON(healthResp{Status: "ok"}) }})
	s.add(Route{Method: http.MethodGet, Path: "/readyz", Summary: "Readiness: the database (and search index) are usable",
		Tag: "operations", Resp: readyResp{}, Handler: s.ready})
	if s.cfg.MetricsToken != "" {
		// Shared with the API only behind its own token; by default metrics
		// live on a separate loopback listener (wiring, TW_METRICS_ADDR).
		s.add(Route{Method: http.MethodGet, Path: "/metrics", Summary: "Prometheus metrics (needs the metrics token)",
			Description: "Served on the API only when TW_METRICS_TOKEN is set; send it as `Authorization: Bearer <token>`.",
			Tag:         "operations", RespType: "text/plain", Before: []fiber.Handler{s.metricsToken},
			Handler: adaptor.HTTPHandler(MetricsHandler(s.deps.Metrics))})
	}
	s.add(Route{Method: http.MethodGet, Path: "/openapi.json", Summary: "This OpenAPI 3.1 document", Tag: "operations",
		RespType: "application/json", Handler: func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
			return c.Send(s.docs.json)
		}})
	ui := v5emb.NewWithConfig(swgui.Config{Title: "TradeWarden API", SwaggerJSON: "/openapi.json", BasePath: "/docs/",
		HideCurl: false, ShowTopBar: false})("TradeWarden API", "/openapi.json", "/docs/")
	docs := adaptor.HTTPHandler(ui)
	s.add(Route{Method: http.MethodGet, Path: "/docs", Summary: "Readable API documentation (Swagger UI, embedded assets)",
		Tag: "operations", RespType: "text/html", Handler: func(c *fiber.Ctx) error {
			// Routing is not strict, so /docs and /docs/ both land here; the UI
			// resolves its assets relative to /docs/.
			if c.Path() == "/docs" {
				return c.Redirect("/docs/", http.StatusMovedPermanently)
			}
			return serveDocs(c, docs)
		}})
	s.add(Route{Method: http.MethodGet, Path: "/docs/*", Summary: "API documentation assets", Tag: "operations",
		RespType: "text/html", Handler: func(c *fiber.Ctx) error { return serveDocs(c, docs) }})
}

// MetricsHandler serves the registry in the Prometheus text format.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// metricsToken admits only callers sending the configured metrics token.
func (s *Server) metricsToken(c *fiber.Ctx) error {
	tok, ok := bearer(c.Get(fiber.HeaderAuthorization))
	want := sha256.Sum256([]byte(s.cfg.MetricsToken))
	got := sha256.Sum256([]byte(tok))
	if !ok || subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="tradewarden-metrics"`)
		return apperr.New(apperr.Unauthenticated, "send the metrics token: Authorization: Bearer <TW_METRICS_TOKEN>")
	}
	return c.Next()
}

// serveDocs relaxes the API's CSP just enough for the embedded Swagger UI.
func serveDocs(c *fiber.Ctx, docs fiber.Handler) error {
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "+
		"script-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
	return docs(c)
}

func (s *Server) ready(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	checks, err := s.deps.Ready(ctx)
	if err != nil {
		return c.Status(http.StatusServiceUnavailable).JSON(readyResp{Status: "unavailable", Checks: checks, Error: err.Error()})
	}
	return c.JSON(readyResp{Status: "ready", Checks: checks})
}
