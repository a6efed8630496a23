// Package s3store keeps content-addressed evidence blobs in an S3-compatible
// bucket (AWS S3, versitygw, MinIO…), so several app nodes share one store.
//
// Keys are "sha256/<64 hex digits>". Uploads go through the SDK's multipart
// uploader, which aborts the upload on error, so a content key only ever
// names complete bytes. Where the bucket has Object Lock enabled every
// stored object gets a COMPLIANCE retention, making exhibits WORM.
package s3store

// The SDK marks feature/s3/manager deprecated in favour of
// feature/s3/transfermanager, which is still v0 (its API may change in any
// release). The manager's multipart uploader is stable and still maintained;
// move when transfermanager reaches v1.
//lint:file-ignore SA1019 feature/s3/manager is kept until transfermanager is v1 (see above)

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/tradewarden/tradewarden/pkg/blobstore"
)

const (
	blobPrefix = "sha256/"
	tempPrefix = "tmp/"
	partSize   = 16 << 20
)

// Config says where the bucket is. Credentials come from the standard AWS
// environment variables, shared config files or profile.
type Config struct {
	Endpoint string // empty: AWS; otherwise path-style addressing is used
	Bucket   string
	Region   string
	// Retention is how long Object Lock keeps each blob (compliance mode)
	// when the bucket supports it; zero disables retention.
	Retention time.Duration
	// Timeout bounds each S3 request's wait for a response header; a slow
	// store then fails the request as unavailable instead of hanging.
	Timeout time.Duration
	// Scratch is a local disk store whose temporary area holds staged
	// uploads until they are committed.
	Scratch *blobstore.Store
	// Credentials overrides the default chain (tests).
	Credentials aws.CredentialsProvider
}

// Store is a blobstore.Backend on S3.
type Store struct {
	cfg      Config
	client   *s3.Client
	uploader *manager.Uploader
	locked   bool // the bucket has Object Lock enabled
}

var _ blobstore.Backend = (*Store)(nil)

// Open connects to the bucket, checks it exists and detects Object Lock.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3 blob store: TW_S3_BUCKET is empty")
	}
	if cfg.Scratch == nil {
		return nil, errors.New("s3 blob store: no scratch directory for staged uploads")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(cfg.Region),
		// A buildable client keeps AWS_CA_BUNDLE and friends working.
		config.WithHTTPClient(awshttp.NewBuildableClient().
			WithDialerOptions(func(d *net.Dialer) { d.Timeout = 5 * time.Second }).
			WithTransportOptions(func(tr *http.Transport) {
				tr.ResponseHeaderTimeout = cfg.Timeout
				tr.MaxIdleConnsPerHost = 32
			})),
		config.WithRetryMaxAttempts(2),
	}
	if cfg.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(cfg.Credentials))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3 blob store: load AWS config: %w", err)
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
			o.UsePathStyle = true
		}
	})
	s := &Store{cfg: cfg, client: client}
	s.uploader = manager.NewUploader(client, func(u *manager.Uploader) {
		u.PartSize = partSize
		u.Concurrency = 4
	})
	if err := s.Ping(ctx); err != nil {
		return nil, err
	}
	lc, err := client.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(cfg.Bucket)})
	if err == nil && lc.ObjectLockConfiguration != nil && lc.ObjectLockConfiguration.ObjectLockEnabled == types.ObjectLockEnabledEnabled {
		s.locked = cfg.Retention > 0
	}
	return s, nil
}

// Client returns the SDK client (benchmarks compare against raw PutObject).
func (s *Store) Client() *s3.Client { return s.client }

// ObjectLock reports whether blobs are stored under compliance retention.
func (s *Store) ObjectLock() bool { return s.locked }

// Describe names the bucket and whether Object Lock is in force.
func (s *Store) Describe() string {
	where := s.cfg.Endpoint
	if where == "" {
		where = "AWS " + s.cfg.Region
	}
	lock := "object lock: not enabled on the bucket (blobs are not WORM)"
	if s.locked {
		lock = fmt.Sprintf("object lock: COMPLIANCE, %d days", int(s.cfg.Retention.Hours()/24))
	}
	return fmt.Sprintf("s3 bucket %s at %s (%s)", s.cfg.Bucket, where, lock)
}

// Ping checks the bucket answers.
func (s *Store) Ping(ctx context.Context) error {
	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.cfg.Bucket)}); err != nil {
		return s.wrap("head bucket", err)
	}
	return nil
}

// wrap marks transport failures and server errors as ErrUnavailable so the
// API answers 503, and keeps client errors (such as AccessDenied) as they are.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("s3 %s: %w", op, err)
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() > 0 && re.HTTPStatusCode() < 500 {
		return fmt.Errorf("s3 %s: %w", op, err)
	}
	return fmt.Errorf("s3 %s: %w: %w", op, blobstore.ErrUnavailable, err)
}

func key(sha string) string { return blobPrefix + sha }

func notFound(err error) bool {
	var nf *types.NotFound
	var nk *types.NoSuchKey
	if errors.As(err, &nf) || errors.As(err, &nk) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "NoSuchKey")
}

// Stat describes the blob with hash sha.
func (s *Store) Stat(ctx context.Context, sha string) (blobstore.Info, error) {
	if !blobstore.ValidHash(sha) {
		return blobstore.Info{}, fmt.Errorf("%w: %q", blobstore.ErrInvalidHash, sha)
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(key(sha))})
	if err != nil {
		if notFound(err) {
			return blobstore.Info{}, fmt.Errorf("blob %s: %w", sha, blobstore.ErrNotFound)
		}
		return blobstore.Info{}, s.wrap("head "+sha, err)
	}
	return blobstore.Info{SHA256: sha, Size: aws.ToInt64(out.ContentLength), StoredAt: aws.ToTime(out.LastModified)}, nil
}

// lockInput is the Object Lock of a new object: the retention in ctx (the
// owning authority's), else the configured one.
func (s *Store) lockInput(ctx context.Context) (types.ObjectLockMode, *time.Time) {
	if !s.locked {
		return "", nil
	}
	d := s.cfg.Retention
	if r, ok := blobstore.RetentionFrom(ctx); ok {
		d = r
	}
	until := time.Now().Add(d).UTC()
	return types.ObjectLockModeCompliance, &until
}

// upload writes body to the content key of sha unless it is already there.
// HEAD before avoids re-sending known content; HEAD after confirms that the
// stored object is complete.
func (s *Store) upload(ctx context.Context, sha string, size int64, body io.Reader) (blobstore.Blob, error) {
	if info, err := s.Stat(ctx, sha); err == nil {
		if info.Size != size {
			return blobstore.Blob{}, fmt.Errorf("commit blob %s: stored copy has %d bytes, want %d: %w", sha, info.Size, size, blobstore.ErrCorrupt)
		}
		return blobstore.Blob{SHA256: sha, Size: size, Existed: true}, nil
	} else if !errors.Is(err, blobstore.ErrNotFound) {
		return blobstore.Blob{}, err
	}
	mode, until := s.lockInput(ctx)
	sum, _ := hex.DecodeString(sha)
	in := &s3.PutObjectInput{
		Bucket:                    aws.String(s.cfg.Bucket),
		Key:                       aws.String(key(sha)),
		Body:                      body,
		ContentType:               aws.String("application/octet-stream"),
		ObjectLockMode:            mode,
		ObjectLockRetainUntilDate: until,
		Metadata:                  map[string]string{"sha256": sha},
	}
	if size <= partSize {
		// A single PUT: the server checks the whole-object SHA-256 itself.
		in.ChecksumSHA256 = aws.String(b64(sum))
	}
	if _, err := s.uploader.Upload(ctx, in); err != nil {
		return blobstore.Blob{}, s.wrap("upload "+sha, err)
	}
	info, err := s.Stat(ctx, sha)
	if err != nil {
		return blobstore.Blob{}, err
	}
	if info.Size != size {
		return blobstore.Blob{}, fmt.Errorf("upload blob %s: stored %d bytes, want %d: %w", sha, info.Size, size, blobstore.ErrCorrupt)
	}
	return blobstore.Blob{SHA256: sha, Size: size}, nil
}

// Stage hashes r into the local scratch area; Commit uploads it.
func (s *Store) Stage(ctx context.Context, r io.Reader, maxSize int64) (blobstore.Pending, error) {
	st, err := s.cfg.Scratch.Stage(ctx, r, maxSize)
	if err != nil {
		return nil, err
	}
	return &pending{s: s, st: st}, nil
}

type pending struct {
	s  *Store
	st *blobstore.Staged
}

func (p *pending) SHA256() string                   { return p.st.SHA256() }
func (p *pending) Size() int64                      { return p.st.Size() }
func (p *pending) Open() (io.ReadSeekCloser, error) { return p.st.Open() }
func (p *pending) Discard() error                   { return p.st.Discard() }

// Commit uploads the staged bytes to their content key and removes the
// local copy, whatever the outcome.
func (p *pending) Commit(ctx context.Context) (blobstore.Blob, error) {
	f, err := p.st.Open()
	if err != nil {
		return blobstore.Blob{}, err
	}
	b, err := p.s.upload(ctx, p.st.SHA256(), p.st.Size(), f)
	_ = f.Close()
	if derr := p.st.Discard(); derr != nil && err == nil {
		err = derr
	}
	return b, err
}

// Put streams r to a temporary key while hashing it, then copies it
// server-side to its content key (the content key is unknown until the last
// byte is hashed) and deletes the temporary object.
func (s *Store) Put(ctx context.Context, r io.Reader, maxSize int64) (blobstore.Blob, error) {
	if maxSize <= 0 {
		return blobstore.Blob{}, fmt.Errorf("put blob: maxSize must be positive, got %d", maxSize)
	}
	tmp := tempPrefix + randomName()
	h := sha256.New()
	lr := &limitReader{r: io.TeeReader(r, h), left: maxSize}
	out, err := s.uploader.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(tmp), Body: lr})
	if err != nil {
		if lr.over {
			return blobstore.Blob{}, &blobstore.TooLargeError{Limit: maxSize}
		}
		return blobstore.Blob{}, s.wrap("upload", err)
	}
	defer s.deleteVersion(context.WithoutCancel(ctx), tmp, out.VersionID)
	if lr.over {
		return blobstore.Blob{}, &blobstore.TooLargeError{Limit: maxSize}
	}
	sha := hex.EncodeToString(h.Sum(nil))
	size := maxSize - lr.left
	if info, err := s.Stat(ctx, sha); err == nil {
		return blobstore.Blob{SHA256: sha, Size: info.Size, Existed: true}, nil
	} else if !errors.Is(err, blobstore.ErrNotFound) {
		return blobstore.Blob{}, err
	}
	mode, until := s.lockInput(ctx)
	src := s.cfg.Bucket + "/" + tmp
	if out.VersionID != nil {
		src += "?versionId=" + *out.VersionID
	}
	if _, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: aws.String(s.cfg.Bucket), Key: aws.String(key(sha)), CopySource: aws.String(src),
		ObjectLockMode: mode, ObjectLockRetainUntilDate: until,
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"sha256": sha},
	}); err != nil {
		return blobstore.Blob{}, s.wrap("copy "+sha, err)
	}
	return blobstore.Blob{SHA256: sha, Size: size}, nil
}

func (s *Store) deleteVersion(ctx context.Context, k string, version *string) {
	_, _ = s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(k), VersionId: version})
}

// limitReader stops after left bytes and notes whether more followed.
type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.over = true
			return 0, errors.New("content exceeds the size limit")
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func randomName() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Open returns a seekable reader that fetches byte ranges on demand, so
// HTTP range requests and re-reads do not download the whole object.
func (s *Store) Open(ctx context.Context, sha string) (io.ReadSeekCloser, int64, error) {
	info, err := s.Stat(ctx, sha)
	if err != nil {
		return nil, 0, err
	}
	return &rangeReader{ctx: ctx, s: s, key: key(sha), size: info.Size}, info.Size, nil
}

type rangeReader struct {
	ctx  context.Context
	s    *Store
	key  string
	size int64
	off  int64
	body io.ReadCloser
}

func (r *rangeReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	if r.body == nil {
		out, err := r.s.client.GetObject(r.ctx, &s3.GetObjectInput{
			Bucket: aws.String(r.s.cfg.Bucket), Key: aws.String(r.key),
			Range: aws.String(fmt.Sprintf("bytes=%d-", r.off)),
		})
		if err != nil {
			return 0, r.s.wrap("get "+r.key, err)
		}
		r.body = out.Body
	}
	n, err := r.body.Read(p)
	r.off += int64(n)
	if err == io.EOF && r.off < r.size {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (r *rangeReader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.off + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return 0, errors.New("seek: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("seek: negative position")
	}
	if abs != r.off && r.body != nil {
		_ = r.body.Close()
		r.body = nil
	}
	r.off = abs
	return abs, nil
}

func (r *rangeReader) Close() error {
	if r.body != nil {
		return r.body.Close()
	}
	return nil
}

// Verify downloads and re-hashes the stored bytes.
func (s *Store) Verify(ctx context.Context, sha string) (bool, string, error) {
	rc, _, err := s.Open(ctx, sha)
	if err != nil {
		return false, "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return false, "", fmt.Errorf("verify blob %s: %w", sha, err)
	}
	actual := hex.EncodeToString(h.Sum(nil))
	return actual == sha, actual, nil
}

// Remove deletes the blob. On a versioned bucket this leaves a delete
// marker; under Object Lock the retained version itself stays until its
// retention ends, as WORM requires.
func (s *Store) Remove(ctx context.Context, sha string) error {
	if _, err := s.Stat(ctx, sha); err != nil {
		return err
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(key(sha))})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "AccessDenied" {
			return fmt.Errorf("remove blob %s: %w: %w", sha, blobstore.ErrLocked, err)
		}
		return s.wrap("delete "+sha, err)
	}
	return nil
}

// Walk lists every blob in key (hash) order.
func (s *Store) Walk(ctx context.Context, fn func(blobstore.Info) error) error {
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.cfg.Bucket), Prefix: aws.String(blobPrefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return s.wrap("list", err)
		}
		for _, o := range page.Contents {
			sha := strings.TrimPrefix(aws.ToString(o.Key), blobPrefix)
			if !blobstore.ValidHash(sha) {
				continue
			}
			if err := fn(blobstore.Info{SHA256: sha, Size: aws.ToInt64(o.Size), StoredAt: aws.ToTime(o.LastModified)}); err != nil {
				if errors.Is(err, errSkipAll) {
					return nil
				}
				return err
			}
		}
	}
	return nil
}

var errSkipAll = fsSkipAll()

// CleanTemp removes leftovers of interrupted Put calls older than olderThan
// and of the local scratch area.
func (s *Store) CleanTemp(ctx context.Context, olderThan time.Duration) (int, error) {
	n, err := s.cfg.Scratch.CleanTemp(olderThan)
	if err != nil {
		return n, err
	}
	cutoff := time.Now().Add(-olderThan)
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.cfg.Bucket), Prefix: aws.String(tempPrefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return n, s.wrap("list temp", err)
		}
		for _, o := range page.Contents {
			if aws.ToTime(o.LastModified).Before(cutoff) {
				s.deleteVersion(ctx, aws.ToString(o.Key), nil)
				n++
			}
		}
	}
	return n, nil
}

func b64(b []byte) string { return base64Std.EncodeToString(b) }
