// Package httpapi is TradeWarden's HTTP API on fiber: routes declare the
// permission they need, handlers decode, call a core service and encode, and
// one error handler turns every error into RFC 9457 problem+json.
package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tradewarden/tradewarden/pkg/ids"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/authorities"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/listings"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
	"github.com/tradewarden/tradewarden/services/casework/core/operators"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/products"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
)

// Authorizer decides route permissions.
type Authorizer interface {
	Can(userID, authority, obj, act string) bool
}

// Deps are the services the API exposes.
type Deps struct {
	Log       *slog.Logger
	Identity  *identity.Service
	Audit     audit.Reader
	Products  *products.Service
	Operators *operators.Service
	Cases     *cases.Service
	Evidence  *evidence.Service
	Notices   *notices.Service
	// Authorities holds the authorities' letterhead and payment profiles.
	Authorities *authorities.Service
	Listings    *listings.Service
	Reports     *reports.Service
	Authz       Authorizer
	// Ready reports whether dependencies are usable (database reachable…).
	Ready func(ctx context.Context) (map[string]any, error)
	// Metrics is the registry /metrics serves; the API registers its own collectors in it.
	Metrics *prometheus.Registry
	Version string
	// Integrity checks the chain and the stored state against it.
	Integrity IntegrityChecker
	// Checkpoint verifies the chain and signs its head for escrow.
	Checkpoint func(ctx context.Context) (audit.Checkpoint, error)
}

// Config tunes limits.
type Config struct {
	JSONBodyLimit   int   // bytes; default 1 MiB
	UploadLimit     int64 // bytes; default 512 MiB
	LoginPerMinute  int   // login attempts per client IP per minute; default 30
	VerifyPerMinute int   // public verification lookups per client IP per minute; default 60
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the
	// client (login throttling and rate limits key on the client address).
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, also serves GET /metrics on the API to callers
	// sending it as a bearer token; when empty the API has no /metrics.
	MetricsToken string
}

func (c Config) withDefaults() Config {
	if c.JSONBodyLimit <= 0 {
		c.JSONBodyLimit = 1 << 20
	}
	if c.UploadLimit <= 0 {
		c.UploadLimit = 512 << 20
	}
	if c.LoginPerMinute <= 0 {
		c.LoginPerMinute = 30
	}
	if c.VerifyPerMinute <= 0 {
		c.VerifyPerMinute = 60
	}
	return c
}

// Server is the configured fiber application.
type Server struct {
	app     *fiber.App
	deps    Deps
	cfg     Config
	log     *slog.Logger
	routes  []Route
	docs    *apiDocs
	metrics *httpMetrics
	// perIP rate-limits credential checks (login, password, invitation code) per client address.
	perIP fiber.Handler
}

// Prefix is the API's base path.
const Prefix = "/api/v1"

// New builds the API.
func New(deps Deps, cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	s := &Server{deps: deps, cfg: cfg, log: deps.Log, docs: newAPIDocs(deps.Version)}
	s.app = fiber.New(fiber.Config{
		AppName:               "tradewarden",
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		// Values from c.Params/c.Get/c.Query outlive handlers (audit entries,
		// metrics labels, limiter keys), so they must not alias fasthttp buffers.
		Immutable: true,
		// Uploads stream straight to the blob store; every JSON route reads
		// its body through readBody, which enforces JSONBodyLimit.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		BodyLimit:                    cfg.JSONBodyLimit,
		ReadTimeout:                  5 * time.Minute,
		WriteTimeout:                 5 * time.Minute,
		IdleTimeout:                  2 * time.Minute,
		ReadBufferSize:               16 << 10,
	})
	var err error
	if s.metrics, err = newHTTPMetrics(deps.Metrics); err != nil {
		return nil, err
	}
	s.app.Use(s.requestContext)
	s.app.Use(s.accessLog)
	s.app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	s.app.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy:     "default-src 'none'; frame-ancestors 'none'",
		CrossOriginEmbedderPolicy: "require-corp",
		HSTSMaxAge:                31536000,
		Next:                      func(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/docs") },
	}))
	s.mountOps()
	s.mountAuth()
	s.mountAdmin()
	s.mountPeople()
	s.mountAuthorities()
	s.mountInvitations()
	s.mountAudit()
	s.mountRequirements()
	s.mountRegisters()
	s.mountCases()
	s.mountEvidence()
	s.mountNotices()
	s.mountListings()
	s.mountSearch()
	s.mountReports()
	if err := s.docs.build(s.routes); err != nil {
		return nil, fmt.Errorf("build openapi document: %w", err)
	}
	s.app.Use(func(c *fiber.Ctx) error {
		return fiber.NewError(fiber.StatusNotFound, "no route "+c.Method()+" "+c.Path())
	})
	return s, nil
}

// App returns the fiber application (tests drive it with app.Test).
func (s *Server) App() *fiber.App { return s.app }

// Routes lists every registered route.
func (s *Server) Routes() []Route { return s.routes }

// Listen serves on addr until ctx ends, then shuts down gracefully.
func (s *Server) Listen(ctx context.Context, addr string) error {
	errc := make(chan error, 1)
	go func() { errc <- s.app.Listen(addr) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "addr", addr)
	if err := s.app.ShutdownWithTimeout(30 * time.Second); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return <-errc
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

const requestIDKey = "tw.request_id"

// requestContext assigns the request id (a client's own, when well-formed)
// and carries it into the user context for services and the audit log.
func (s *Server) requestContext(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if !requestIDPattern.MatchString(id) {
		id = ids.New()
	}
	c.Locals(requestIDKey, id)
	c.Set(fiber.HeaderXRequestID, id)
	c.SetUserContext(principal.WithRequestID(c.UserContext(), id))
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

func (s *Server) logPanic(c *fiber.Ctx, e any) {
	s.log.Error("panic recovered", "request_id", requestID(c), "panic", fmt.Sprint(e))
}

// accessLog writes one structured line per request and feeds the metrics.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(http.StatusInternalServerError)
		}
	}
	elapsed := time.Since(start)
	status := c.Response().StatusCode()
	route := c.Route().Path
	s.metrics.observe(c.Method(), route, status, elapsed)
	// Body() would drain a streamed body (a download, a referral package)
	// into memory before it is sent: log its declared length instead.
	bytesOut := c.Response().Header.ContentLength()
	if !c.Response().IsBodyStream() {
		bytesOut = len(c.Response().Body())
	}
	attrs := []any{"request_id", requestID(c), "method", c.Method(), "route", route, "path", c.Path(),
		"status", status, "duration_ms", float64(elapsed.Microseconds()) / 1000, "bytes_out", bytesOut}
	if p, ok := principal.From(c.UserContext()); ok && p.UserID != "" {
		attrs = append(attrs, "user_id", p.UserID, "authority", p.Authority.Code)
	}
	s.log.Info("http request", attrs...)
	return nil
}
