package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/pkg/safetext"
	"github.com/tradewarden/tradewarden/services/casework/core/evidence"
	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
)

type exhibitDTO struct {
	ID            string     `json:"id"`
	CaseID        string     `json:"case_id"`
	ExhibitRef    string     `json:"exhibit_ref"`
	SHA256        string     `json:"sha256"`
	Size          int64      `json:"size"`
	MediaType     string     `json:"media_type"`
	DeclaredType  string     `json:"declared_type,omitempty"`
	Format        string     `json:"format"`
	Filename      string     `json:"filename"`
	Description   string     `json:"description"`
	Kind          string     `json:"kind,omitempty"`
	PowerUsed     string     `json:"power_used,omitempty"`
	CollectedAt   time.Time  `json:"collected_at"`
	CollectedBy   string     `json:"collected_by"`
	Supersedes    string     `json:"supersedes,omitempty"`
	SupersededBy  string     `json:"superseded_by,omitempty"`
	UploadedBy    string     `json:"uploaded_by"`
	UploadedAt    time.Time  `json:"uploaded_at"`
	ParseWarning  string     `json:"parse_warning,omitempty"`
	FindingsCount int        `json:"findings_count"`
	Generated     bool       `json:"generated"`
	VerifiedAt    *time.Time `json:"last_verified_at,omitempty"`
	VerifyOK      *bool      `json:"last_verify_ok,omitempty"`
}

type uploadResp struct {
	exhibitDTO
	Import importDTO `json:"import"`
}

type importDTO struct {
	Parsed    int `json:"parsed"`
	New       int `json:"new"`
	Unchanged int `json:"unchanged"`
	Reopened  int `json:"reopened"`
	Resolved  int `json:"resolved"`
	// The VEX counts are set by an OpenVEX upload (see evidence.ImportSummary).
	VEXApplied   int `json:"vex_applied,omitempty"`
	VEXRecorded  int `json:"vex_recorded,omitempty"`
	VEXUnmatched int `json:"vex_unmatched,omitempty"`
}

// uploadForm documents the multipart fields of an evidence upload.
type uploadForm struct {
	File        multipart.File `formData:"file" required:"true" description:"the file (exactly one part, with its filename)"`
	Description string         `formData:"description" required:"true" description:"what the item is"`
	CollectedAt string         `formData:"collected_at" required:"true" format:"date-time"`
	CollectedBy string         `formData:"collected_by" required:"true"`
	Kind        string         `formData:"kind"`
	PowerUsed   string         `formData:"power_used" enum:"test_purchase,information_notice,seizure,voluntary,public_source"`
	Supersedes  string         `formData:"supersedes" description:"id of the exhibit this one corrects"`
	AsPlain     bool           `formData:"as_plain" description:"true keeps the file as a plain exhibit without parsing it or making findings, even when it looks like a scanner report (e.g. a truncated report that is still evidence)"`
}

type custodyDTO struct {
	Seq      int       `json:"seq"`
	Action   string    `json:"action"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	ActorID  string    `json:"actor_id,omitempty"`
	SHA256   string    `json:"sha256,omitempty"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	Location string    `json:"location,omitempty"`
	Note     string    `json:"note,omitempty"`
}

type custodyList struct {
	ExhibitRef string       `json:"exhibit_ref"`
	SHA256     string       `json:"sha256"`
	Items      []custodyDTO `json:"items"`
}

type custodyReq struct {
	Action   string     `json:"action" validate:"omitempty,oneof=transferred viewed disposed"`
	At       *time.Time `json:"at"`
	From     string     `json:"from" validate:"max=200"`
	To       string     `json:"to" validate:"max=200"`
	Location string     `json:"location" validate:"max=500"`
	Note     string     `json:"note" validate:"max=5000"`
}

type verifyExhibitResp struct {
	ExhibitRef string `json:"exhibit_ref"`
	OK         bool   `json:"ok"`
	Expected   string `json:"expected_sha256"`
	Actual     string `json:"actual_sha256,omitempty"`
	Missing    bool   `json:"missing"`
}

type findingDTO struct {
	ID        string   `json:"id"`
	CaseID    string   `json:"case_id"`
	Title     string   `json:"title"`
	Severity  string   `json:"severity"`
	Status    string   `json:"status"`
	Host      string   `json:"host,omitempty"`
	Hostname  string   `json:"hostname,omitempty"`
	Port      int      `json:"port,omitempty"`
	Protocol  string   `json:"protocol,omitempty"`
	Service   string   `json:"service,omitempty"`
	Product   string   `json:"product,omitempty"`
	Version   string   `json:"version,omitempty"`
	Component string   `json:"component,omitempty"`
	Tool      string   `json:"tool"`
	ToolID    string   `json:"tool_id"`
	Format    string   `json:"format"`
	Kind      string   `json:"kind"`
	CVEs      []string `json:"cves"`
	CVSS      float64  `json:"cvss,omitempty"`
	Output    string   `json:"output,omitempty"`
	// Credentials are the logins the scanner proved (the evidence behind a PSTI-1 citation).
	Credentials    []credentialDTO `json:"credentials" description:"logins the scanner proved work: the fact a universal-default-password citation rests on"`
	RequirementIDs []string        `json:"requirement_ids"`
	RuleIDs        []string        `json:"rule_ids"`
	// The rules' own citations, why each rule applied, and the officers'
	// decisions that turn them into requirement_ids.
	RuleRequirementIDs []string       `json:"rule_requirement_ids" description:"what the mapping rules cited; requirement_ids is this with the officers' decisions applied"`
	NoRequirement      string         `json:"no_requirement,omitempty" description:"a rule's reason why the finding evidences no requirement"`
	Mapping            []ruleMatchDTO `json:"mapping" description:"each rule that mapped the finding, with why"`
	Decisions          []decisionDTO  `json:"decisions" description:"officers' attach and detach decisions; re-imports keep them"`
	Remapped           bool           `json:"remapped" description:"an officer has decided on at least one requirement"`
	EvidenceID         string         `json:"evidence_id"`
	FirstEvidenceID    string         `json:"first_evidence_id"`
	ResolvedBy         string         `json:"resolved_by_evidence_id,omitempty"`
	VEX                *vexDTO        `json:"vex,omitempty"`
	Key                string         `json:"key"`
	Note               string         `json:"note,omitempty"`
	CreatedAt          time.Time      `json:"created_at"`
	UpdatedAt          time.Time      `json:"updated_at"`
}

type credentialDTO struct {
	Service  string `json:"service,omitempty"`
	Username string `json:"username"`
	Password string `json:"password"`
	Blank    bool   `json:"blank" description:"the login needed no password"`
	Where    string `json:"where,omitempty" description:"the path, realm or product the login was for"`
}

type ruleMatchDTO struct {
	RuleID         string   `json:"rule_id"`
	Why            string   `json:"why,omitempty"`
	RequirementIDs []string `json:"requirement_ids"`
	NoRequirement  string   `json:"no_requirement,omitempty"`
	Retired        bool     `json:"retired,omitempty" description:"the rule is no longer in the rule table"`
}

type decisionDTO struct {
	RequirementID string    `json:"requirement_id"`
	Action        string    `json:"action" enum:"attach,detach"`
	Reason        string    `json:"reason"`
	DecidedBy     string    `json:"decided_by"`
	DecidedAt     time.Time `json:"decided_at"`
}

type attachReq struct {
	Requirement string `json:"requirement" validate:"required,max=32" description:"requirement id from GET /api/v1/requirements, e.g. PSTI-1"`
	Reason      string `json:"reason" validate:"required,max=5000"`
}

type detachReq struct {
	Reason string `json:"reason" validate:"required,max=5000"`
}

// vexDTO is the supplier's VEX statement applied to a finding.
type vexDTO struct {
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
	Statement     string `json:"statement,omitempty"`
	EvidenceID    string `json:"evidence_id"`
}

type findingsQuery struct {
	Unmapped      bool   `query:"unmapped" description:"only findings that cite no requirement"`
	RequirementID string `query:"requirement_id" validate:"max=32"`
	Severity      string `query:"severity" validate:"omitempty,oneof=info low medium high critical"`
	Status        string `query:"status" validate:"omitempty,oneof=open confirmed disputed false_positive resolved not_affected"`
	EvidenceID    string `query:"evidence_id" validate:"max=64"`
	Limit         int    `query:"limit" validate:"gte=0"`
	Cursor        string `query:"cursor" validate:"max=64"`
}

type findingPatchReq struct {
	Status         *string   `json:"status" validate:"omitempty,oneof=open confirmed disputed false_positive resolved"`
	RequirementIDs *[]string `json:"requirement_ids" validate:"omitempty,max=50" description:"the whole list to cite, recorded as attach/detach decisions"`
	Reason         *string   `json:"reason" validate:"omitempty,max=5000" description:"why requirement_ids changed (the note when absent)"`
	Note           *string   `json:"note" validate:"omitempty,max=5000"`
}

// toExhibitDTO shows an exhibit. Uploads with control or bidi characters in
// their filename are refused (evidence.CheckFilename); a name stored before
// that rule is shown with them replaced, here and in Content-Disposition.
func toExhibitDTO(e evidence.Exhibit) exhibitDTO {
	return exhibitDTO{ID: e.ID, CaseID: e.CaseID, ExhibitRef: e.Ref, SHA256: e.SHA256, Size: e.Size, MediaType: e.MediaType,
		DeclaredType: e.DeclaredType, Format: e.Format, Filename: safetext.SanitizeName(e.Filename), Description: e.Description, Kind: e.Kind,
		PowerUsed: e.PowerUsed, CollectedAt: e.CollectedAt, CollectedBy: e.CollectedBy, Supersedes: e.SupersedesID,
		SupersededBy: e.SupersededBy, UploadedBy: e.UploadedBy, UploadedAt: e.UploadedAt, ParseWarning: e.ParseWarning,
		FindingsCount: e.FindingsCount, Generated: e.Generated, VerifiedAt: e.LastVerifiedAt, VerifyOK: e.LastVerifyOK}
}

func toFindingDTO(f evidence.Finding) findingDTO {
	out := findingDTO{ID: f.ID, CaseID: f.CaseID, Title: f.Title, Severity: f.Severity, Status: string(f.Status), Host: f.Host,
		Hostname: f.Hostname, Port: f.Port, Protocol: f.Protocol, Service: f.Service, Product: f.Product, Version: f.Version,
		Component: f.Component, Tool: f.Tool, ToolID: f.ToolID, Format: f.Format, Kind: f.Kind, CVEs: orEmpty(f.CVEs), CVSS: f.CVSS,
		Output: f.Output, RequirementIDs: orEmpty(f.Requirements), RuleIDs: orEmpty(f.RuleIDs), Remapped: f.Remapped,
		RuleRequirementIDs: orEmpty(f.RuleRequirements), NoRequirement: f.NoRequirement, Mapping: []ruleMatchDTO{},
		Decisions: []decisionDTO{}, Credentials: []credentialDTO{},
		EvidenceID: f.EvidenceID, FirstEvidenceID: f.FirstEvidenceID, ResolvedBy: f.ResolvedBy, Key: f.Key, Note: f.Note,
		CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt, VEX: toVEXDTO(f.VEX)}
	for _, m := range f.Mapping {
		out.Mapping = append(out.Mapping, ruleMatchDTO{RuleID: m.RuleID, Why: m.Why, RequirementIDs: orEmpty(m.Requirements),
			NoRequirement: m.NoRequirement, Retired: m.Retired})
	}
	for _, c := range f.Credentials {
		out.Credentials = append(out.Credentials, credentialDTO{Service: c.Service, Username: c.Username, Password: c.Password,
			Blank: c.Blank, Where: c.Where})
	}
	for _, d := range f.Decisions {
		out.Decisions = append(out.Decisions, decisionDTO{RequirementID: d.RequirementID, Action: string(d.Action), Reason: d.Reason,
			DecidedBy: d.By, DecidedAt: d.At})
	}
	return out
}

func toVEXDTO(v evidence.VEX) *vexDTO {
	if v.Status == "" {
		return nil
	}
	return &vexDTO{Status: v.Status, Justification: v.Justification, Statement: v.Statement, EvidenceID: v.EvidenceID}
}

func (s *Server) mountEvidence() {
	ev, read := Prefix+"/evidence/:id", Perm{"evidence", "read"}
	s.add(Route{Method: http.MethodPost, Path: Prefix + "/cases/:id/evidence",
		Summary: "Upload an exhibit (multipart, streamed); scanner reports are parsed into findings", Tag: "evidence",
		Access: Scoped, Perm: Perm{"evidence", "create"}, BodyType: "multipart/form-data", Body: uploadForm{},
		Resp: uploadResp{}, Status: http.StatusCreated, Handler: s.uploadEvidence})
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/cases/:id/evidence", Summary: "The case's exhibits in order",
		Tag: "evidence", Access: Scoped, Perm: read, Resp: page[exhibitDTO]{}, Handler: s.listEvidence})
	s.add(Route{Method: http.MethodGet, Path: ev, Summary: "An exhibit's metadata", Tag: "evidence", Access: Scoped,
		Perm: read, Resp: exhibitDTO{}, Handler: s.getEvidence})
	s.add(Route{Method: http.MethodGet, Path: ev + "/content", Summary: "The exact stored bytes (recorded in the chain of custody)",
		Tag: "evidence", Access: Scoped, Perm: read, RespType: "application/octet-stream", Handler: s.downloadEvidence})
	s.add(Route{Method: http.MethodGet, Path: ev + "/custody", Summary: "The exhibit's chain of custody",
		Tag: "evidence", Access: Scoped, Perm: read, Resp: custodyList{}, Handler: s.listCustody})
	s.add(Route{Method: http.MethodPost, Path: ev + "/custody", Summary: "Record a physical transfer, viewing or disposal",
		Tag: "evidence", Access: Scoped, Perm: Perm{"evidence", "custody"}, Body: custodyReq{}, Resp: custodyDTO{},
		Status: http.StatusCreated, Handler: s.addCustody})
	s.add(Route{Method: http.MethodPost, Path: ev + "/verify", Summary: "Re-hash the stored bytes and record the result",
		Tag: "evidence", Access: Scoped, Perm: Perm{"evidence", "verify"}, Resp: verifyExhibitResp{}, Handler: s.verifyEvidence})
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/cases/:id/findings", Summary: "Findings parsed from the case's scanner reports",
		Tag: "evidence", Access: Scoped, Perm: Perm{"finding", "read"}, Query: findingsQuery{}, Resp: page[findingDTO]{},
		Handler: s.listFindings})
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/findings/:id", Summary: "One finding", Tag: "evidence",
		Access: Scoped, Perm: Perm{"finding", "read"}, Resp: findingDTO{}, Handler: s.getFinding})
	s.add(Route{Method: http.MethodPatch, Path: Prefix + "/findings/:id", Summary: "Confirm, dispute, dismiss or re-map a finding",
		Tag: "evidence", Access: Scoped, Perm: Perm{"finding", "update"}, Body: findingPatchReq{}, Resp: findingDTO{},
		Handler: s.patchFinding})
	reqs := Prefix + "/cases/:id/findings/:finding_id/requirements"
	s.add(Route{Method: http.MethodPost, Path: reqs, Summary: "Attach a requirement to a finding (an officer's decision, with a reason)",
		Description: "The finding cites the requirement whatever the mapping rules say, across re-imports of the report; audited on the case " +
			"and shown in the assessment matrix as an officer's decision.",
		Tag: "evidence", Access: Scoped, Perm: Perm{"finding", "update"}, Body: attachReq{}, Resp: findingDTO{}, Handler: s.attachRequirement})
	s.add(Route{Method: http.MethodDelete, Path: reqs + "/:requirement_id", Summary: "Detach a requirement from a finding (an officer's decision, with a reason)",
		Description: "The finding no longer cites the requirement, whatever the mapping rules say, across re-imports of the report; audited " +
			"on the case and shown in the assessment matrix as an officer's decision.",
		Tag: "evidence", Access: Scoped, Perm: Perm{"finding", "update"}, Body: detachReq{}, Resp: findingDTO{}, Handler: s.detachRequirement})
}

// maxFieldBytes bounds each non-file multipart field.
const maxFieldBytes = 64 << 10

// uploadEvidence streams the multipart body: the file part goes straight
// into the blob store's staging area while being hashed; nothing is held
// whole in memory.
func (s *Server) uploadEvidence(c *fiber.Ctx) error {
	ctx, caseID := c.UserContext(), c.Params("id")
	if err := s.deps.Evidence.CanUpload(ctx, caseID); err != nil {
		return err
	}
	mt, params, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "send the evidence as multipart/form-data with a file part")
	}
	body := c.Context().RequestBodyStream()
	if body == nil {
		body = bytes.NewReader(c.Body())
	}
	if n := c.Request().Header.ContentLength(); n > 0 && int64(n) > s.deps.Evidence.MaxSize()+1<<20 {
		return apperr.New(apperr.TooLarge, "the upload is larger than the %d-byte limit", s.deps.Evidence.MaxSize())
	}
	up, staged, err := s.readUpload(c, multipart.NewReader(body, params["boundary"]))
	if err != nil {
		if staged != nil {
			_ = staged.Discard()
		}
		return err
	}
	ex, sum, err := s.deps.Evidence.Add(ctx, caseID, up, staged)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderLocation, Prefix+"/evidence/"+ex.ID)
	return c.Status(http.StatusCreated).JSON(uploadResp{exhibitDTO: toExhibitDTO(ex), Import: importDTO(sum)})
}

func (s *Server) readUpload(c *fiber.Ctx, mr *multipart.Reader) (evidence.Upload, evidence.Staged, error) {
	var (
		up     evidence.Upload
		staged evidence.Staged
		fe     apperr.Fields
	)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return up, staged, apperr.Wrap(err, apperr.Malformed, "the multipart body is malformed or truncated")
		}
		name := part.FormName()
		if name == "file" {
			if staged != nil {
				return up, staged, apperr.InvalidField("file", "send exactly one file per upload")
			}
			up.Filename, up.DeclaredType = rawFilename(part), part.Header.Get(fiber.HeaderContentType)
			if err := evidence.CheckFilename(up.Filename); err != nil {
				return up, nil, err
			}
			staged, err = s.deps.Evidence.Stage(c.UserContext(), part)
			if err != nil {
				return up, nil, err
			}
			continue
		}
		raw, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		if err != nil {
			return up, staged, apperr.Wrap(err, apperr.Malformed, "could not read field %s", name)
		}
		if len(raw) > maxFieldBytes {
			fe.Add(name, "is longer than %d bytes", maxFieldBytes)
			continue
		}
		v := string(raw)
		if formText(&fe, name, v) {
			continue
		}
		switch name {
		case "description":
			up.Description = v
		case "collected_by":
			up.CollectedBy = v
		case "kind":
			up.Kind = v
		case "power_used":
			up.PowerUsed = v
		case "supersedes":
			up.SupersedesID = v
		case "as_plain":
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				fe.Add("as_plain", "must be true or false")
			}
			up.AsPlain = b
		case "collected_at":
			t, err := time.Parse(time.RFC3339, strings.TrimSpace(v))
			if err != nil {
				fe.Add("collected_at", "must be an RFC 3339 time such as 2026-11-20T14:30:00Z")
			}
			up.CollectedAt = t
		default:
			fe.Add(name, "is not a known field")
		}
	}
	if staged == nil {
		fe.Add("file", "is required: a multipart part named \"file\" with a filename")
	}
	return up, staged, fe.Err()
}

// rawFilename returns the filename exactly as sent: Part.FileName strips
// directories, which would hide a path trick instead of refusing it.
func rawFilename(p *multipart.Part) string {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return p.FileName()
	}
	return params["filename"]
}

func (s *Server) listEvidence(c *fiber.Ctx) error {
	exs, err := s.deps.Evidence.List(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(listOf(exs, 0, toExhibitDTO, nil))
}

func (s *Server) getEvidence(c *fiber.Ctx) error {
	ex, err := s.deps.Evidence.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toExhibitDTO(ex))
}

func (s *Server) downloadEvidence(c *fiber.Ctx) error {
	ex, rc, size, err := s.deps.Evidence.Download(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	raw, err := hex.DecodeString(ex.SHA256)
	if err != nil {
		rc.Close()
		return fmt.Errorf("stored hash of %s is not hex: %w", ex.Ref, err)
	}
	b64 := base64.StdEncoding.EncodeToString(raw)
	c.Set(fiber.HeaderContentType, ex.MediaType)
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": safetext.SanitizeName(ex.Filename)}))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set("Repr-Digest", "sha-256=:"+b64+":")
	c.Set("Digest", "SHA-256="+b64)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("X-Exhibit-Ref", ex.Ref)
	return c.SendStream(rc, int(size))
}

func toCustodyDTO(e evidence.CustodyEntry) custodyDTO {
	return custodyDTO{Seq: e.Seq, Action: string(e.Action), At: e.At, Actor: e.Actor, ActorID: e.ActorID, SHA256: e.SHA256,
		From: e.From, To: e.To, Location: e.Location, Note: e.Note}
}

func (s *Server) listCustody(c *fiber.Ctx) error {
	ex, entries, err := s.deps.Evidence.Custody(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	out := custodyList{ExhibitRef: ex.Ref, SHA256: ex.SHA256, Items: make([]custodyDTO, 0, len(entries))}
	for _, e := range entries {
		out.Items = append(out.Items, toCustodyDTO(e))
	}
	return c.JSON(out)
}

func (s *Server) addCustody(c *fiber.Ctx) error {
	in, err := decodeJSON[custodyReq](s, c)
	if err != nil {
		return err
	}
	t := evidence.Transfer{Action: evidence.CustodyAction(in.Action), From: in.From, To: in.To, Location: in.Location, Note: in.Note}
	if in.At != nil {
		t.At = *in.At
	}
	e, err := s.deps.Evidence.RecordCustody(c.UserContext(), c.Params("id"), t)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(toCustodyDTO(e))
}

func (s *Server) verifyEvidence(c *fiber.Ctx) error {
	res, err := s.deps.Evidence.Verify(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(verifyExhibitResp{ExhibitRef: res.Exhibit.Ref, OK: res.OK, Expected: res.Expected, Actual: res.Actual, Missing: res.Missing})
}

func (s *Server) listFindings(c *fiber.Ctx) error {
	q, err := parseQuery[findingsQuery](c)
	if err != nil {
		return err
	}
	after, err := cursorID(q.Cursor)
	if err != nil {
		return err
	}
	limit := clampLimit(q.Limit)
	fs, err := s.deps.Evidence.Findings(c.UserContext(), evidence.FindingFilter{CaseID: c.Params("id"), Unmapped: q.Unmapped, RequirementID: q.RequirementID,
		Severity: q.Severity, Status: evidence.FindingStatus(q.Status), EvidenceID: q.EvidenceID, After: after, Limit: limit})
	if err != nil {
		return err
	}
	return c.JSON(listOf(fs, limit, toFindingDTO, func(f evidence.Finding) string { return f.ID }))
}

func (s *Server) getFinding(c *fiber.Ctx) error {
	f, err := s.deps.Evidence.GetFinding(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toFindingDTO(f))
}

func (s *Server) patchFinding(c *fiber.Ctx) error {
	in, err := decodeJSON[findingPatchReq](s, c)
	if err != nil {
		return err
	}
	p := evidence.FindingPatch{Requirements: in.RequirementIDs, Reason: in.Reason, Note: in.Note}
	if in.Status != nil {
		st := evidence.FindingStatus(*in.Status)
		p.Status = &st
	}
	f, err := s.deps.Evidence.UpdateFinding(c.UserContext(), c.Params("id"), p)
	if err != nil {
		return err
	}
	return c.JSON(toFindingDTO(f))
}

func (s *Server) attachRequirement(c *fiber.Ctx) error {
	in, err := decodeJSON[attachReq](s, c)
	if err != nil {
		return err
	}
	return s.decideRequirement(c, evidence.Decision{RequirementID: in.Requirement, Action: evidence.Attach, Reason: in.Reason})
}

func (s *Server) detachRequirement(c *fiber.Ctx) error {
	in, err := decodeJSON[detachReq](s, c)
	if err != nil {
		return err
	}
	rid := c.Params("requirement_id")
	if _, ok := requirements.Lookup(rid); !ok {
		return apperr.InvalidField("requirement_id", "no requirement %q in the catalogue (see GET /api/v1/requirements)", rid)
	}
	return s.decideRequirement(c, evidence.Decision{RequirementID: rid, Action: evidence.Detach, Reason: in.Reason})
}

func (s *Server) decideRequirement(c *fiber.Ctx, d evidence.Decision) error {
	f, err := s.deps.Evidence.DecideRequirement(c.UserContext(), c.Params("id"), c.Params("finding_id"), d)
	if err != nil {
		return err
	}
	return c.JSON(toFindingDTO(f))
}
