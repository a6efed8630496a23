package httpapi

import (
	"bytes"
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
)

// mergePatchBody reads the body as an RFC 7396 merge patch: a JSON object.
func (s *Server) mergePatchBody(c *fiber.Ctx) (map[string]any, error) {
	body, err := s.jsonBody(c)
	if err != nil {
		return nil, err
	}
	var patch any
	if err := json.Unmarshal(body, &patch); err != nil {
		return nil, jsonError(err)
	}
	obj, ok := patch.(map[string]any)
	if !ok {
		return nil, apperr.New(apperr.Malformed, "a merge patch (RFC 7396) must be a JSON object")
	}
	return obj, nil
}

// applyMergePatch returns current (the resource as its create request would
// send it) with patch applied, decoded and validated as strictly as a
// create: only the members sent change, null removes one, and a bad or
// unknown member gets the field error a create would.
func applyMergePatch[T any](current T, patch map[string]any) (T, error) {
	base, err := json.Marshal(current)
	if err != nil {
		return current, apperr.Wrap(err, apperr.Internal, "encode the current resource")
	}
	var target any
	if err := json.Unmarshal(base, &target); err != nil {
		return current, apperr.Wrap(err, apperr.Internal, "decode the current resource")
	}
	var merged bytes.Buffer
	if err := json.NewEncoder(&merged).Encode(mergePatch(target, patch)); err != nil {
		return current, apperr.Wrap(err, apperr.Internal, "encode the patched resource")
	}
	return decodeJSONBytes[T](merged.Bytes())
}

// mergePatch applies an RFC 7396 merge patch to target (both decoded JSON).
// target's maps are modified in place.
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}
