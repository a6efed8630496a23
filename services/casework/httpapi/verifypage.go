package httpapi

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/safetext"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
)

// VerifyPagePath is the public HTML page the printed notices point to.
const VerifyPagePath = "/verify"

//go:embed pages/verify.html
var pageFS embed.FS

// verifyStyle is the page's only styling, inline so the page needs no other
// request; the CSP admits exactly this text by its hash.
const verifyStyle = `body{margin:0;font-family:Arial,sans-serif;font-size:19px;line-height:1.32;color:#0b0c0c}` +
	`header{background:#0b0c0c;color:#fff;padding:10px 15px}header .service{margin:0;font-weight:700}` +
	`main{max-width:640px;margin:0 auto;padding:20px 15px}h1{font-size:32px}h2{font-size:24px}` +
	`label{display:block;font-weight:700}.hint{color:#505a5f;margin:0 0 5px}.field{margin-bottom:20px}` +
	`input[type=text]{font-size:19px;padding:5px;width:100%;max-width:24em;border:2px solid #0b0c0c;box-sizing:border-box}` +
	`button{font-size:19px;padding:8px 10px;background:#00703c;color:#fff;border:0;box-shadow:0 2px 0 #002d18;cursor:pointer}` +
	`form{margin:30px 0;padding-top:10px;border-top:1px solid #b1b4b6}.has-error{border-left:5px solid #d4351c;padding-left:15px}` +
	`.error{color:#d4351c;font-weight:700;margin:0 0 5px}.error-summary{border:5px solid #d4351c;padding:15px}` +
	`.result{padding:15px;margin:20px 0}.genuine{border:5px solid #00703c}.not-genuine{border:5px solid #d4351c}` +
	`dt{font-weight:700}dd{margin:0 0 10px}`

var (
	verifyTemplate = template.Must(template.ParseFS(pageFS, "pages/verify.html"))
	verifyCSP      = func() string {
		sum := sha256.Sum256([]byte(verifyStyle))
		return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
			"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	}()
)

// verifyPageForm documents the upload form of the page.
type verifyPageForm struct {
	Reference string         `formData:"reference" description:"the notice reference"`
	File      multipart.File `formData:"file" description:"the notice's PDF file, at most 20 MiB"`
}

// pageError is one field's error as the page shows it.
type pageError struct{ Field, Message string }

// verifyResult is what the page shows of a check: exactly the fields the
// JSON verification endpoint reveals.
type verifyResult struct {
	Genuine   bool
	ByFile    bool
	Reference string
	Title     string
	Authority string
	IssuedOn  string
	Recipient string
	Status    string
}

// verifyPage is the template's data.
type verifyPage struct {
	Action          string
	Reference, Code string
	Errors          []pageError
	Result          *verifyResult
	Style           template.CSS
}

// FieldError returns the message for field, or "".
func (p verifyPage) FieldError(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

func (s *Server) mountVerifyPage(limit fiber.Handler) {
	s.add(Route{Method: http.MethodGet, Path: VerifyPagePath, Summary: "Public HTML page: check a notice by reference and code",
		Description: "No login and no JavaScript. With `reference` and `code` in the query (as the QR code on every notice " +
			"has) it shows the result at once. Shows only what GET /api/v1/notices/verify reveals; shares its rate limit.",
		Tag: "notices", Query: verifyNoticeQuery{}, RespType: "text/html", Before: []fiber.Handler{limit}, Handler: s.verifyPageGet})
	s.add(Route{Method: http.MethodPost, Path: VerifyPagePath, Summary: "Public HTML page: check an uploaded notice PDF",
		Description: "A multipart form with `reference` and `file` (the PDF, at most 20 MiB).", Tag: "notices",
		BodyType: "multipart/form-data", Body: verifyPageForm{}, RespType: "text/html", Before: []fiber.Handler{limit}, Handler: s.verifyPagePost})
}

func toResult(v notices.Verification, byFile bool) *verifyResult {
	if !v.Genuine {
		return &verifyResult{ByFile: byFile}
	}
	r := &verifyResult{Genuine: true, ByFile: byFile, Reference: v.Reference, Title: notices.Info[v.Type].Title,
		Authority: v.AuthorityName, Recipient: v.Recipient, Status: statusLabel(v.Status)}
	if v.IssuedAt != nil {
		r.IssuedOn = v.IssuedAt.UTC().Format("2 January 2006")
	}
	return r
}

// statusLabel prints a notice state as words: "pending_approval" → "Pending approval".
func statusLabel(s notices.Status) string {
	w := strings.ReplaceAll(string(s), "_", " ")
	if w == "" {
		return ""
	}
	return strings.ToUpper(w[:1]) + w[1:]
}

// wantsHTML reports whether the client reads HTML (a browser); other
// clients get errors as problem+json like every API route.
func wantsHTML(c *fiber.Ctx) bool {
	return strings.Contains(strings.ToLower(c.Get(fiber.HeaderAccept)), "text/html")
}

// problem is the page's errors as the API reports bad input: the form's
// second reference field is the same "reference" the client sent.
func (p verifyPage) problem(status int) error {
	if status == http.StatusUnsupportedMediaType {
		return fiber.NewError(status, "send the PDF as multipart/form-data with the parts reference and file")
	}
	if status == http.StatusRequestEntityTooLarge {
		return apperr.New(apperr.TooLarge, "a notice PDF is at most %d bytes", maxVerifyBytes)
	}
	var fe apperr.Fields
	for _, e := range p.Errors {
		fe.Add(strings.TrimPrefix(e.Field, "file_"), "%s", e.Message)
	}
	return fe.Err()
}

func (s *Server) renderVerify(c *fiber.Ctx, status int, p verifyPage) error {
	if status >= 400 && !wantsHTML(c) {
		return p.problem(status)
	}
	p.Action, p.Style = VerifyPagePath, template.CSS(verifyStyle)
	var buf bytes.Buffer
	if err := verifyTemplate.Execute(&buf, p); err != nil {
		return apperr.Wrap(err, apperr.Internal, "render the verification page")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("Content-Security-Policy", verifyCSP)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	return c.Status(status).Send(buf.Bytes())
}

// checkRef validates a reference as typed into the page.
func checkRef(p *verifyPage, field, ref string) string {
	ref = strings.TrimSpace(ref)
	switch {
	case ref == "":
		p.Errors = append(p.Errors, pageError{field, "Enter the notice reference"})
	case len(ref) > 64 || !textOK(ref):
		p.Errors = append(p.Errors, pageError{field, "Enter the notice reference as printed on the notice"})
	}
	return ref
}

// textOK refuses control characters and invalid UTF-8 in a short field.
func textOK(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func (s *Server) verifyPageGet(c *fiber.Ctx) error {
	ref, code := c.Query("reference"), c.Query("code")
	p := verifyPage{Reference: ref, Code: code}
	if !c.Context().QueryArgs().Has("reference") && !c.Context().QueryArgs().Has("code") {
		return s.renderVerify(c, http.StatusOK, p)
	}
	ref = checkRef(&p, "reference", ref)
	code = strings.TrimSpace(code)
	switch {
	case code == "":
		p.Errors = append(p.Errors, pageError{"code", "Enter the verification code"})
	case len(code) > 64 || !textOK(code):
		p.Errors = append(p.Errors, pageError{"code", "Enter the verification code as printed on the notice"})
	}
	if len(p.Errors) > 0 {
		return s.renderVerify(c, http.StatusUnprocessableEntity, p)
	}
	v, err := s.deps.Notices.VerifyCode(c.UserContext(), ref, code)
	if err != nil {
		return err
	}
	p.Result = toResult(v, false)
	return s.renderVerify(c, http.StatusOK, p)
}

func (s *Server) verifyPagePost(c *fiber.Ctx) error {
	var p verifyPage
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		p.Errors = append(p.Errors, pageError{"file", "Choose the notice’s PDF file and send the form"})
		return s.renderVerify(c, http.StatusUnsupportedMediaType, p)
	}
	if n := c.Request().Header.ContentLength(); n > maxVerifyBytes+1<<20 {
		p.Errors = append(p.Errors, pageError{"file", "The file must be smaller than 20 MB"})
		return s.renderVerify(c, http.StatusRequestEntityTooLarge, p)
	}
	var body io.Reader = bytes.NewReader(c.Body())
	if stream := c.Context().RequestBodyStream(); stream != nil {
		body = stream
	}
	ref, content, status := readVerifyForm(&p, multipart.NewReader(io.LimitReader(body, maxVerifyBytes+2<<20), params["boundary"]))
	p.Reference = ref
	ref = checkRef(&p, "file_reference", ref)
	if content == nil && p.FieldError("file") == "" {
		p.Errors = append(p.Errors, pageError{"file", "Choose the notice’s PDF file"})
	}
	if len(p.Errors) > 0 {
		if status == 0 {
			status = http.StatusUnprocessableEntity
		}
		return s.renderVerify(c, status, p)
	}
	v, err := s.deps.Notices.VerifyBytes(c.UserContext(), ref, content)
	if err != nil {
		return err
	}
	p.Result = toResult(v, true)
	return s.renderVerify(c, http.StatusOK, p)
}

// readVerifyForm reads the reference and file parts of the upload form,
// bounded in size; it returns an HTTP status for an error that is not a
// field's ordinary mistake (0 otherwise).
func readVerifyForm(p *verifyPage, mr *multipart.Reader) (ref string, content []byte, status int) {
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return ref, content, status
		}
		if err != nil {
			p.Errors = append(p.Errors, pageError{"file", "The upload was incomplete: try again"})
			return ref, nil, http.StatusBadRequest
		}
		switch part.FormName() {
		case "reference":
			b, _ := io.ReadAll(io.LimitReader(part, 65))
			ref = string(b)
		case "file":
			if !safetext.Storable(rawFilename(part)) {
				// The name is not used, but text no record could hold is refused everywhere.
				p.Errors = append(p.Errors, pageError{"file", "The file name is not valid text: rename the file"})
				return ref, nil, 0
			}
			b, err := io.ReadAll(io.LimitReader(part, maxVerifyBytes+1))
			switch {
			case err != nil:
				p.Errors = append(p.Errors, pageError{"file", "The upload was incomplete: try again"})
				return ref, nil, http.StatusBadRequest
			case len(b) > maxVerifyBytes:
				p.Errors = append(p.Errors, pageError{"file", "The file must be smaller than 20 MB"})
				return ref, nil, http.StatusRequestEntityTooLarge
			case len(b) == 0:
				// An empty file input: the missing-file message follows.
			default:
				content = b
			}
		default:
			_, _ = io.Copy(io.Discard, io.LimitReader(part, 1<<20))
		}
	}
}
