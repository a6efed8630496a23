package component_test

import (
	"context"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/notices"
	"github.com/tradewarden/tradewarden/services/casework/noticepdf"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// probeRenderer renders with noticepdf after checking that a write
// transaction can start and commit meanwhile: if rendering ran inside the
// issuing (or serving) transaction, on SQLite's single-writer queue the
// probe could not get in, and on PostgreSQL it would wait on the notice.
type probeRenderer struct {
	inner   *noticepdf.Renderer
	env     func() *wiringtest.Env
	renders atomic.Int32
	blocked atomic.Int32
}

func (r *probeRenderer) probe() {
	env := r.env()
	if env == nil {
		return
	}
	r.renders.Add(1)
	ctx, cancel := context.WithTimeout(env.Ctx(), 2*time.Second)
	defer cancel()
	err := env.App.Store.InTx(ctx, func(ctx context.Context) error {
		// Touch the row the issuing transaction would lock.
		_, err := env.App.Notices.List(ctx, notices.ListFilter{Limit: 1})
		return err
	})
	if err != nil {
		r.blocked.Add(1)
	}
}

func (r *probeRenderer) Render(w io.Writer, d notices.Document) error {
	if !d.Draft {
		r.probe()
	}
	return r.inner.Render(w, d)
}

func (r *probeRenderer) RenderCertificate(w io.Writer, c notices.Certificate) error {
	r.probe()
	return r.inner.RenderCertificate(w, c)
}

func TestRenderingHoldsNoWriteTransaction(t *testing.T) {
	var envp atomic.Pointer[wiringtest.Env]
	pr := &probeRenderer{inner: noticepdf.New(), env: envp.Load}
	env := wiringtest.New(t, func(c *wiring.Config) { c.NoticeRenderer = pr })
	envp.Store(env)
	s := setupNoticeCase(t, env)
	n := issueNotice(t, env, s.caseID, draftBody(s, "compliance"))
	env.As(officer, "KENT-TS").Post("/api/v1/notices/"+n.ID+"/serve", map[string]any{"method": "hand",
		"served_at": env.Clock.Now().UTC().Add(time.Second), "served_to": "Director"}).Expect(200)
	// The notice of intent and the notice, each issued and served: four renders.
	if pr.renders.Load() != 4 || pr.blocked.Load() != 0 {
		t.Fatalf("%d renders, %d of them inside a write transaction", pr.renders.Load(), pr.blocked.Load())
	}
}
