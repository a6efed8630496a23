package component_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tradewarden/tradewarden/pkg/blobstore"
	"github.com/tradewarden/tradewarden/pkg/testkit"
	"github.com/tradewarden/tradewarden/services/casework/wiring"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

func withS3(srv testkit.S3Server) wiringtest.Option {
	return func(cfg *wiring.Config) {
		cfg.Blob = wiring.BlobConfig{Store: wiring.BlobStoreS3, Endpoint: srv.Endpoint, Bucket: srv.Bucket,
			Region: srv.Region, RetentionDays: 1, Timeout: 2 * time.Second, Credentials: srv.Credentials()}
	}
}

// Evidence uploaded through HTTP lands in the bucket under its hash with
// compliance retention, downloads byte for byte and verifies from the store.
func TestEvidenceOnS3UploadDownloadVerify(t *testing.T) {
	srv := testkit.S3(t, true)
	env := wiringtest.New(t, withS3(srv))
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	content := fixture(t, "nmap/testdata/camera.xml")
	ev := upload(t, off, cv.ID, "camera.xml", "application/xml", content, 201)
	sum := sha256.Sum256(content)
	if ev.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("exhibit hash %s", ev.SHA256)
	}
	info, err := env.App.Blobs.Stat(context.Background(), ev.SHA256)
	if err != nil || info.Size != int64(len(content)) {
		t.Fatalf("object in the bucket: %+v %v", info, err)
	}
	if got := env.App.LocalBlobs; got != nil {
		n := 0
		_ = got.Walk(context.Background(), func(blobstore.Info) error { n++; return nil })
		if n != 0 {
			t.Fatalf("%d blobs on local disk; the S3 store must keep none", n)
		}
	}
	r := off.Get("/api/v1/evidence/" + ev.ID + "/content").Expect(200)
	if !bytes.Equal(r.Body, content) {
		t.Fatal("downloaded bytes differ from the upload")
	}
	if m := off.Post("/api/v1/evidence/"+ev.ID+"/verify", nil).Expect(200).Map(); m["ok"] != true {
		t.Fatalf("verify: %v", m)
	}
	ready := env.Anonymous().Get("/readyz").Expect(200).Map()
	if checks, _ := ready["checks"].(map[string]any); checks == nil || !bytes.Contains([]byte(checks["blob_store"].(string)), []byte("COMPLIANCE")) {
		t.Fatalf("readyz: %v", ready)
	}
}

// With the S3 server gone, an upload fails with 503 problem+json, no
// exhibit is recorded, and readiness says why.
func TestEvidenceOnS3Unavailable(t *testing.T) {
	bin, err := testkit.FindVersityGW()
	if err != nil {
		testkit.S3(t, false) // skips or fails as the harness decides
		return
	}
	srv, stop, err := testkit.StartVersityGW(context.Background(), bin, t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	env := wiringtest.New(t, withS3(srv))
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	stop()
	p := off.Upload("/api/v1/cases/"+cv.ID+"/evidence", uploadFields(), "camera.xml", "application/xml",
		fixture(t, "nmap/testdata/camera.xml")).Expect(503).Problem()
	if p.Status != 503 {
		t.Fatalf("problem %+v", p)
	}
	var list struct{ Items []exhibitView }
	off.Get("/api/v1/cases/" + cv.ID + "/evidence").Expect(200).JSON(&list)
	if len(list.Items) != 0 {
		t.Fatalf("exhibits after a failed upload: %+v", list.Items)
	}
	ready := env.Anonymous().Get("/readyz").Expect(503).Map()
	if checks, _ := ready["checks"].(map[string]any); checks == nil || checks["blob_store_error"] == nil {
		t.Fatalf("readyz: %v", ready)
	}
	n := 0
	_ = env.App.LocalBlobs.Walk(context.Background(), func(blobstore.Info) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d blobs half-stored on local disk", n)
	}
}

// stallProxy forwards TCP to target until stalled, then accepts
// connections and never answers: a store that is up but too slow.
type stallProxy struct {
	ln      net.Listener
	target  string
	stalled atomic.Bool
}

func newStallProxy(t *testing.T, target string) *stallProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{ln: ln, target: target}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *stallProxy) serve(c net.Conn) {
	defer c.Close()
	if p.stalled.Load() {
		_, _ = io.Copy(io.Discard, c) // read the request, answer nothing
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() {
		// Stop answering on open connections too, once stalled.
		buf := make([]byte, 32<<10)
		for {
			n, err := up.Read(buf)
			if n > 0 && !p.stalled.Load() {
				if _, werr := c.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		done <- struct{}{}
	}()
	<-done
}

// A store that accepts connections but answers too slowly: the upload
// fails with 503 within the request timeout, and nothing is recorded.
func TestEvidenceOnS3Slow(t *testing.T) {
	srv := testkit.S3(t, false)
	proxy := newStallProxy(t, strings.TrimPrefix(srv.Endpoint, "http://"))
	slow := srv
	slow.Endpoint = "http://" + proxy.ln.Addr().String()
	env := wiringtest.New(t, withS3(slow))
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	proxy.stalled.Store(true)
	start := time.Now()
	off.Upload("/api/v1/cases/"+cv.ID+"/evidence", uploadFields(), "camera.xml", "application/xml",
		fixture(t, "nmap/testdata/camera.xml")).Expect(503).Problem()
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("a slow store held the upload for %v", d)
	}
	proxy.stalled.Store(false)
	var list struct{ Items []exhibitView }
	off.Get("/api/v1/cases/" + cv.ID + "/evidence").Expect(200).JSON(&list)
	if len(list.Items) != 0 {
		t.Fatalf("exhibits after a failed upload: %+v", list.Items)
	}
	out, err := srv.Client().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket)})
	if err != nil || len(out.Contents) != 0 {
		t.Fatalf("bucket after a failed upload: %d objects, %v", len(out.Contents), err)
	}
}

// The authority's evidence-retention setting decides each exhibit's Object
// Lock retention; a bad value is a 422 naming the field and changes nothing.
func TestEvidenceOnS3AuthorityRetention(t *testing.T) {
	srv := testkit.S3(t, true)
	env := wiringtest.New(t, withS3(srv)) // deployment default: 1 day
	kentAdmin := env.As(admin, "KENT-TS")
	path := "/api/v1/authorities/KENT-TS/profile"
	bad := kentProfile(t)
	bad["evidence_retention_days"] = -1
	if p := kentAdmin.Put(path, bad).Expect(422).Problem(); len(p.Errors) == 0 || p.Errors[0].Field != "evidence_retention_days" {
		t.Fatalf("problem %+v", p)
	}
	good := kentProfile(t)
	good["evidence_retention_days"] = 30
	var prof struct {
		EvidenceRetentionDays int `json:"evidence_retention_days"`
	}
	kentAdmin.Put(path, good).Expect(200).JSON(&prof)
	if prof.EvidenceRetentionDays != 30 {
		t.Fatalf("profile retention %d", prof.EvidenceRetentionDays)
	}
	off := env.As(officer, "KENT-TS")
	cv := newCase(t, off)
	ev := upload(t, off, cv.ID, "camera.xml", "application/xml", fixture(t, "nmap/testdata/camera.xml"), 201)
	head, err := srv.Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(srv.Bucket),
		Key: aws.String("sha256/" + ev.SHA256)})
	if err != nil {
		t.Fatal(err)
	}
	until := aws.ToTime(head.ObjectLockRetainUntilDate)
	if head.ObjectLockMode != "COMPLIANCE" || until.Before(time.Now().Add(29*24*time.Hour)) || until.After(time.Now().Add(31*24*time.Hour)) {
		t.Fatalf("lock %q until %v, want COMPLIANCE for 30 days", head.ObjectLockMode, until)
	}
}
