// Package wiring assembles TradeWarden from its configuration: database,
// stores, services, authorizer and HTTP API. The binary and the end-to-end
// tests share it so tests exercise exactly what runs in production.
package wiring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/tradewarden/tradewarden/pkg/blobstore"
	"github.com/tradewarden/tradewarden/pkg/database"
	"github.com/tradewarden/tradewarden/pkg/password"
	"github.com/tradewarden/tradewarden/services/casework/authz"
	"github.com/tradewarden/tradewarden/services/casework/bunstore"
	"github.com/tradewarden/tradewarden/services/casework/console"
	"github.com/tradewarden/tradewarden/services/casework/core/audit"
	"github.com/tradewarden/tradewarden/services/casework/core/authorities"
	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
	"github.com/tradewarden/tradewarden/services/casework/core/identity"
	"github.com/tradewarden/tradewarden/services/casework/core/integrity"
	"github.com/tradewarden/tradewarden/services/casework/core/listings"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
	"github.com/tradewarden/tradewarden/services/casework/core/operators"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/products"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
	"github.com/tradewarden/tradewarden/services/casework/httpapi"
	"github.com/tradewarden/tradewarden/services/casework/mediatype"
	"github.com/tradewarden/tradewarden/services/casework/noticepdf"
)

// Version is the build version, set by the linker.
var Version = "dev"

// Config is everything configurable, read from flags and TW_* variables.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string
	// MigrateOnOpen applies pending migrations while building.
	MigrateOnOpen bool
	TokenTTL      time.Duration
	UploadLimit   int64
	JSONLimit     int
	LoginPerMin   int
	// VerifyPerMin bounds public notice checks (JSON and the /verify page
	// together) per client address per minute; 0 means the API default.
	VerifyPerMin int
	// SharedBlobs says several instances share the blob directory, so start-up
	// must not treat their in-flight uploads as a crash's leftovers.
	SharedBlobs bool
	// Blob selects the evidence store (disk or S3).
	Blob BlobConfig
	// PolicyReload is how often grants are re-read for changes made by other instances.
	PolicyReload time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	Log *slog.Logger
	// PasswordParams overrides argon2id costs (tests lower them).
	PasswordParams *password.Params
	// Hasher replaces the argon2id hasher (tests count its calls).
	Hasher identity.PasswordHasher
	// Search selects and configures the listing search engine.
	Search SearchConfig
	// AuditKeyFile is the audit key (TW_AUDIT_KEY_FILE); empty means
	// $DataDir/audit.key, which production should not use (see README).
	AuditKeyFile string
	// AuditKeyReadOnly loads the audit key if there is one but never creates
	// it nor binds the database to it (verification, restore).
	AuditKeyReadOnly bool
	// MetricsAddr is where Serve exposes /metrics on a listener of its own
	// ("" or "off": none). The binary's default is loopback only.
	MetricsAddr string
	// MetricsToken, when set, also serves /metrics on the API behind it.
	MetricsToken string
	// TrustedProxies are the addresses or CIDR ranges of reverse proxies
	// whose X-Forwarded-For is believed.
	TrustedProxies []string
	// NoticeRenderer draws notices and certificates of service; nil means
	// noticepdf with PublicBaseURL.
	NoticeRenderer notices.Renderer
	// PublicBaseURL is where the public reaches the service
	// (TW_PUBLIC_BASE_URL): notices print its /verify page and a QR code of
	// it. Empty means noticepdf.DefaultBaseURL.
	PublicBaseURL string
}

// App is the assembled application.
type App struct {
	Cfg      Config
	DB       *database.DB
	Store    *bunstore.Store
	Identity *identity.Service
	Audit    bunstore.Audit
	// AuditKey seals the keyed audit chain (nil: no key file was found).
	AuditKey  *audit.Key
	Integrity *integrity.Checker
	Products  *products.Service
	Operators *operators.Service
	Cases     *cases.Service
	Evidence  *evidence.Service
	Notices   *notices.Service
	// Authorities holds the authorities' profiles (letterhead, payment, service).
	Authorities *authorities.Service
	Listings    *listings.Service
	Reports     *reports.Service
	Search      *SearchRuntime
	// Blobs is the evidence store (disk or S3); LocalBlobs is the local
	// disk store, also the S3 store's scratch area for staged uploads.
	Blobs      blobstore.Backend
	LocalBlobs *blobstore.Store
	Authz      *authz.Authorizer
	API        *httpapi.Server
	// Console is the web console, served ahead of the API on its listener.
	Console *console.Console
	Metrics *prometheus.Registry
	Log     *slog.Logger

	closers []func() error
}

// Open connects to the database (migrating when asked) and builds the
// services; Build adds the HTTP API on top.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "var"
	}
	db, err := database.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, DB: db, Log: cfg.Log}
	a.closers = append(a.closers, db.Close)
	if cfg.MigrateOnOpen {
		if err := bunstore.Migrate(ctx, db, time.Minute, cfg.Log); err != nil {
			_ = a.Close()
			return nil, err
		}
	}
	// The key is created and bound only on a migrated schema: `migrate`
	// itself opens the database before migrating it.
	pending, err := bunstore.Pending(ctx, db)
	if err != nil {
		_ = a.Close()
		return nil, err
	}
	writable := !cfg.AuditKeyReadOnly && pending == 0
	lk, err := loadAuditKey(cfg, writable)
	if err != nil {
		_ = a.Close()
		return nil, err
	}
	a.AuditKey = lk.key
	if err := a.buildServices(ctx); err != nil {
		_ = a.Close()
		return nil, err
	}
	if writable {
		if err := a.bindAuditKey(ctx, lk); err != nil {
			_ = a.Close()
			return nil, err
		}
	}
	return a, nil
}

func (a *App) buildServices(ctx context.Context) error {
	cfg := a.Cfg
	var opts []bunstore.Option
	if a.AuditKey != nil {
		opts = append(opts, bunstore.WithAuditKey(a.AuditKey))
	}
	a.Store = bunstore.New(a.DB, cfg.Now, opts...)
	a.Audit = bunstore.Audit{Store: a.Store}
	params := password.Default
	if cfg.PasswordParams != nil {
		params = *cfg.PasswordParams
	}
	var hasher identity.PasswordHasher = password.Hasher{P: params}
	if cfg.Hasher != nil {
		hasher = cfg.Hasher
	}
	var err error
	a.Identity, err = identity.NewService(bunstore.Identity{Store: a.Store}, a.Store, a.Audit,
		hasher, cfg.Now, identity.Config{TokenTTL: cfg.TokenTTL})
	if err != nil {
		return fmt.Errorf("identity service: %w", err)
	}
	regs := bunstore.Registers{Store: a.Store}
	a.Products = products.NewService(regs, a.Store, a.Audit, cfg.Now)
	a.Operators = operators.NewService(regs, a.Store, a.Audit, cfg.Now)
	a.Cases = cases.NewService(bunstore.Cases{Store: a.Store}, bunstore.Directory{Store: a.Store}, a.Store, a.Audit, cfg.Now)
	if a.Blobs, a.LocalBlobs, err = openBlobs(ctx, cfg); err != nil {
		return err
	}
	a.Log.Debug("evidence store", "store", a.Blobs.Describe())
	a.Evidence = evidence.NewService(bunstore.Evidence{Store: a.Store}, blobs{a.Blobs}, a.Cases, a.Store, a.Audit, cfg.Now,
		mediatype.Sniff, evidence.Config{MaxSize: cfg.UploadLimit})
	a.Cases.UseEvidence(a.Evidence.CheckLinks, a.Evidence.ByRequirement, a.Evidence.RequirementIDs)
	if err := checkBaseURL(cfg.PublicBaseURL); err != nil {
		return err
	}
	a.Authorities = authorities.NewService(bunstore.Profiles{Store: a.Store}, authorityDirectory{bunstore.Identity{Store: a.Store}},
		a.Store, a.Audit, cfg.Now)
	a.Evidence.UseRetention(func(ctx context.Context, authorityID string) (time.Duration, error) {
		p, err := a.Authorities.ByID(ctx, authorityID)
		if err != nil {
			return 0, err
		}
		return time.Duration(p.EvidenceRetentionDays) * 24 * time.Hour, nil
	})
	var renderer notices.Renderer = noticepdf.New(noticepdf.WithBaseURL(cfg.PublicBaseURL))
	if cfg.NoticeRenderer != nil {
		renderer = cfg.NoticeRenderer
	}
	a.Notices = notices.NewService(bunstore.Notices{Store: a.Store}, a.Cases, noticeExhibits{a.Evidence},
		noticeDirectory{ops: a.Operators, prods: a.Products, ident: bunstore.Identity{Store: a.Store}, profiles: a.Authorities},
		renderer, a.Store, a.Audit, cfg.Now)
	a.Cases.UseOutstanding(a.Notices.Outstanding)
	a.Integrity = a.checker(a.AuditKey)
	a.buildListings()
	a.buildReports()
	return nil
}

// checker returns an integrity checker verifying the chain with key (nil: unkeyed).
func (a *App) checker(key *audit.Key) *integrity.Checker {
	return integrity.New(a.Audit, key, bunstore.Notices{Store: a.Store}, bunstore.Evidence{Store: a.Store}, blobs{a.Blobs})
}

// Tidy removes what a crash can leave behind: staged uploads that never
// committed (older than tmpGrace) and blobs no exhibit references (older
// than blobGrace, so an upload committing right now is never touched).
func (a *App) Tidy(ctx context.Context, tmpGrace, blobGrace time.Duration) error {
	if err := cleanTemp(ctx, a.Blobs, a.LocalBlobs, tmpGrace); err != nil {
		return fmt.Errorf("clean staged uploads: %w", err)
	}
	n, err := a.Evidence.SweepOrphans(principal.System(ctx, "tidy"), blobGrace)
	if err != nil {
		return err
	}
	if n > 0 {
		a.Log.Warn("removed orphan blobs left by an interrupted upload", "count", n)
	}
	return nil
}

// tidyLoop repeats Tidy hourly with generous graces until ctx ends.
func (a *App) tidyLoop(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.Tidy(ctx, 24*time.Hour, 10*time.Minute); err != nil {
				a.Log.Warn("periodic tidy failed", "err", err)
			}
		}
	}
}

// Build opens the application and its HTTP API.
func Build(ctx context.Context, cfg Config) (*App, error) {
	a, err := Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := a.startSearch(ctx); err != nil {
		_ = a.Close()
		return nil, err
	}
	a.startLinker()
	if err := a.buildAPI(ctx); err != nil {
		_ = a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) buildAPI(ctx context.Context) error {
	pending, err := bunstore.Pending(ctx, a.DB)
	if err != nil {
		return err
	}
	if pending > 0 {
		return fmt.Errorf("%d migrations are pending: run `tradewarden migrate` first", pending)
	}
	a.Authz, err = authz.New(a.Identity.AllGrants, a.Log)
	if err != nil {
		return err
	}
	a.Identity.OnGrantsChanged(func(ctx context.Context) {
		if err := a.Authz.Reload(ctx); err != nil {
			a.Log.Error("reload grants after change", "err", err)
		}
	})
	proxies, err := parsePrefixes(a.Cfg.TrustedProxies)
	if err != nil {
		return err
	}
	if t := a.Cfg.MetricsToken; t != "" && len(t) < 16 {
		return errors.New("the metrics token must be at least 16 characters (e.g. `openssl rand -hex 32`)")
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.Metrics = reg
	a.API, err = httpapi.New(httpapi.Deps{
		Log: a.Log, Identity: a.Identity, Audit: a.Audit, Integrity: a.Integrity, Checkpoint: a.Checkpoint, Authz: a.Authz, Metrics: reg,
		Products: a.Products, Operators: a.Operators, Cases: a.Cases, Evidence: a.Evidence, Notices: a.Notices, Authorities: a.Authorities,
		Listings: a.Listings, Reports: a.Reports, Ready: a.ready, Version: Version,
	}, httpapi.Config{JSONBodyLimit: a.Cfg.JSONLimit, UploadLimit: a.Cfg.UploadLimit, LoginPerMinute: a.Cfg.LoginPerMin,
		VerifyPerMinute: a.Cfg.VerifyPerMin,
		TrustedProxies:  append(proxies, inProcess), MetricsToken: a.Cfg.MetricsToken})
	if err != nil {
		return err
	}
	return a.buildConsole()
}

// inProcess is the peer address of requests the console makes to the API
// in-process (fiber's App.Test): no network peer can have it, so the API may
// believe the X-Forwarded-For the console sets to the browser's address.
var inProcess = netip.MustParsePrefix("0.0.0.0/32")

// buildConsole puts the web console in front of the API on one listener:
// the console's paths go to it, everything else to the API.
func (a *App) buildConsole() error {
	con, err := console.New(a.API.App(), console.Config{Now: a.Cfg.Now, Log: a.Log})
	if err != nil {
		return fmt.Errorf("build console: %w", err)
	}
	srv := a.API.App().Server()
	srv.Handler = con.Front(srv.Handler)
	a.Console = con
	return nil
}

// checkBaseURL refuses a public base URL a notice could not print as a
// working address ("" is the default).
func checkBaseURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("public base URL %q: want http(s)://host[:port][/path], e.g. https://tradewarden.example.gov.uk", s)
	}
	return nil
}

// parsePrefixes reads addresses ("10.0.0.5") and ranges ("10.0.0.0/8").
func parsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: want an IP address or CIDR range", s)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// ready checks that the database answers.
func (a *App) ready(ctx context.Context) (map[string]any, error) {
	checks := map[string]any{"database": string(a.DB.Engine)}
	if err := a.DB.PingContext(ctx); err != nil {
		checks["database_error"] = err.Error()
		return checks, fmt.Errorf("database unreachable: %w", err)
	}
	checks["blob_store"] = a.Blobs.Describe()
	if err := a.Blobs.Ping(ctx); err != nil {
		checks["blob_store_error"] = err.Error()
		return checks, fmt.Errorf("evidence store unreachable: %w", err)
	}
	if err := a.searchReady(ctx, checks); err != nil {
		return checks, err
	}
	return checks, nil
}

// Serve runs the HTTP server until ctx ends.
func (a *App) Serve(ctx context.Context) error {
	if a.Cfg.PolicyReload > 0 {
		go a.Authz.Watch(ctx, a.Cfg.PolicyReload)
	}
	// At start nothing of this process is in flight, so leftovers of a crash
	// go at once — unless other instances share the blob directory.
	// A bucket is always shared: other nodes may be mid-upload into it.
	tmpGrace, blobGrace := time.Duration(0), time.Duration(0)
	if a.Cfg.SharedBlobs || a.Cfg.Blob.Store == BlobStoreS3 {
		tmpGrace, blobGrace = 24*time.Hour, 10*time.Minute
	}
	if err := a.Tidy(ctx, tmpGrace, blobGrace); err != nil {
		return err
	}
	go a.tidyLoop(ctx)
	if _, err := a.ServeMetrics(ctx); err != nil {
		return err
	}
	a.Log.Info("serving", "addr", a.Cfg.Addr, "engine", a.DB.Engine, "data", abs(a.Cfg.DataDir), "evidence_store", a.Blobs.Describe(), "version", Version)
	return a.API.Listen(ctx, a.Cfg.Addr)
}

func abs(p string) string {
	if ap, err := filepath.Abs(p); err == nil {
		return ap
	}
	return p
}

// Close releases everything in reverse order of opening.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}
