package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// API is the in-process HTTP API the console is a client of: casbin
// permissions, record rules, If-Match and the audit log stay in one place.
// *fiber.App satisfies it.
type API interface {
	Test(req *http.Request, msTimeout ...int) (*http.Response, error)
}

// apiPrefix is the API's base path.
const apiPrefix = "/api/v1"

// problem is an RFC 9457 answer from the API.
type problem struct {
	Status int          `json:"status"`
	Title  string       `json:"title"`
	Detail string       `json:"detail"`
	Errors []fieldError `json:"errors"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (p *problem) Error() string {
	if p.Detail != "" {
		return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail)
	}
	return fmt.Sprintf("%d %s", p.Status, p.Title)
}

// asProblem reports the API's refusal behind err, if that is what it is.
func asProblem(err error) (*problem, bool) {
	var p *problem
	ok := errors.As(err, &p)
	return p, ok
}

// client calls the API as one signed-in person acting for one authority,
// from the browser's address (so throttling and audit see the real client).
type client struct {
	api       API
	token     string
	authority string
	clientIP  string
}

// raw sends one request and returns the API's response (the caller closes it).
func (cl client) raw(ctx context.Context, method, path string, body io.Reader, contentType string,
	header http.Header) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, apiPrefix+path, body)
	if err != nil {
		return nil, fmt.Errorf("build API request %s %s: %w", method, path, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if cl.token != "" {
		req.Header.Set("Authorization", "Bearer "+cl.token)
	}
	if cl.authority != "" {
		req.Header.Set("X-Authority", cl.authority)
	}
	if cl.clientIP != "" {
		req.Header.Set("X-Forwarded-For", cl.clientIP)
	}
	res, err := cl.api.Test(req, -1)
	if err != nil {
		return nil, fmt.Errorf("API %s %s: %w", method, path, err)
	}
	return res, nil
}

// call sends a JSON request (in may be nil) and decodes a JSON answer into
// out (may be nil). A 4xx/5xx answer comes back as a *problem.
func (cl client) call(ctx context.Context, method, path string, in, out any) error {
	_, err := cl.callHeader(ctx, method, path, nil, in, out)
	return err
}

// callHeader is call with request headers, returning the response headers.
func (cl client) callHeader(ctx context.Context, method, path string, header http.Header, in, out any) (http.Header, error) {
	var body io.Reader
	ctype := ""
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	res, err := cl.raw(ctx, method, path, body, ctype, header)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if err := checkStatus(res); err != nil {
		return res.Header, err
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		return res.Header, nil
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return res.Header, fmt.Errorf("decode %s %s: %w", method, path, err)
	}
	return res.Header, nil
}

// checkStatus turns an error answer into a *problem.
func checkStatus(res *http.Response) error {
	if res.StatusCode < 400 {
		return nil
	}
	p := &problem{Status: res.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if json.Unmarshal(b, p) != nil || p.Title == "" {
		p.Title = http.StatusText(res.StatusCode)
	}
	p.Status = res.StatusCode
	return p
}

// query builds "?k=v&…" from pairs, leaving out empty values.
func query(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if strings.TrimSpace(kv[i+1]) != "" {
			v.Add(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func decodeJSON(r io.Reader, out any) error {
	if err := json.NewDecoder(r).Decode(out); err != nil {
		return fmt.Errorf("decode API answer: %w", err)
	}
	return nil
}
