package main

import (
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tradewarden/tradewarden/services/casework/bunstore"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "run migrations, then serve the HTTP API until SIGINT/SIGTERM",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", EnvVars: []string{"TW_ADDR"}, Usage: "listen address"},
			&cli.DurationFlag{Name: "token-ttl", Value: 12 * time.Hour, EnvVars: []string{"TW_TOKEN_TTL"}, Usage: "bearer token lifetime"},
			&cli.Int64Flag{Name: "upload-limit", Value: 512 << 20, EnvVars: []string{"TW_UPLOAD_LIMIT"}, Usage: "largest evidence upload in bytes"},
			&cli.IntFlag{Name: "login-rate", Value: 30, EnvVars: []string{"TW_LOGIN_RATE"}, Usage: "login attempts per client IP per minute"},
			&cli.BoolFlag{Name: "shared-blobs", EnvVars: []string{"TW_SHARED_BLOBS"},
				Usage: "several instances share the data dir's blobs: keep others' in-flight uploads at start-up"},
			&cli.DurationFlag{Name: "policy-reload", Value: 30 * time.Second, EnvVars: []string{"TW_POLICY_RELOAD"},
				Usage: "how often to re-read grants changed by other instances"},
			&cli.StringFlag{Name: "metrics-addr", Value: "127.0.0.1:9464", EnvVars: []string{"TW_METRICS_ADDR"},
				Usage: "listen address of the Prometheus /metrics listener (loopback by default), or off"},
			&cli.StringFlag{Name: "metrics-token", EnvVars: []string{"TW_METRICS_TOKEN"},
				Usage: "also serve /metrics on the API address to callers sending this bearer token (16+ characters)"},
			&cli.StringSliceFlag{Name: "trusted-proxies", EnvVars: []string{"TW_TRUSTED_PROXIES"},
				Usage: "reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For names the client"},
		},
		Action: func(c *cli.Context) error {
			cfg := config(c)
			cfg.Addr = c.String("addr")
			cfg.TokenTTL = c.Duration("token-ttl")
			cfg.UploadLimit = c.Int64("upload-limit")
			cfg.LoginPerMin = c.Int("login-rate")
			cfg.PolicyReload = c.Duration("policy-reload")
			cfg.SharedBlobs = c.Bool("shared-blobs")
			cfg.MetricsAddr = c.String("metrics-addr")
			cfg.MetricsToken = c.String("metrics-token")
			cfg.TrustedProxies = c.StringSlice("trusted-proxies")
			cfg.MigrateOnOpen = true
			app, err := wiring.Build(c.Context, cfg)
			if err != nil {
				return err
			}
			defer app.Close()
			return app.Serve(c.Context)
		},
	}
}

func migrateCommand() *cli.Command {
	return &cli.Command{
		Name:  "migrate",
		Usage: "apply pending database migrations and exit",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "unlock", Usage: "remove a migration lock left by a crashed process, then migrate"},
		},
		Action: func(c *cli.Context) error {
			cfg := config(c)
			app, err := wiring.Open(c.Context, cfg)
			if err != nil {
				return err
			}
			defer app.Close()
			if c.Bool("unlock") {
				if err := bunstore.Unlock(c.Context, app.DB); err != nil {
					return err
				}
			}
			if err := bunstore.Migrate(c.Context, app.DB, time.Minute, cfg.Log); err != nil {
				return err
			}
			_, err = c.App.Writer.Write([]byte("migrations applied (" + string(app.DB.Engine) + ")\n"))
			return err
		},
	}
}
