package wiring

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/httpapi"
)

// MetricsOff is the MetricsAddr value that disables the metrics listener.
const MetricsOff = "off"

// ServeMetrics exposes GET /metrics on its own listener at MetricsAddr
// (nothing else is served there) until ctx ends, and returns the bound
// address; nil when the listener is off. Keeping it off the API address
// means a public API does not publish its internals by default.
func (a *App) ServeMetrics(ctx context.Context) (net.Addr, error) {
	addr := strings.TrimSpace(a.Cfg.MetricsAddr)
	if addr == "" || strings.EqualFold(addr, MetricsOff) {
		return nil, nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener on %s (set TW_METRICS_ADDR to another address, or to off): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", httpapi.MetricsHandler(a.Metrics))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("metrics listener stopped", "addr", l.Addr().String(), "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	a.Log.Info("serving metrics", "addr", l.Addr().String())
	return l.Addr(), nil
}
