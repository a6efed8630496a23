package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

func (con *Console) noticeRoutes(r fiber.Router) {
	r.Get("/", con.noticesPage)
	r.Get("/:id", con.noticePage)
	r.Post("/:id/:action", con.noticeAction)
	r.Get("/:id/pdf", con.noticePDF("pdf"))
	r.Get("/:id/preview.pdf", con.noticePDF("preview.pdf"))
}

var noticeStatuses = []string{"draft", "pending_approval", "approved", "issued", "served", "complied", "breached",
	"appealed", "withdrawn", "revoked"}

func (con *Console) noticesPage(c *fiber.Ctx) error {
	status := c.Query("status")
	if !contains(noticeStatuses, status) {
		status = ""
	}
	overdue := c.Query("overdue") == "true"
	q := query("status", status, "limit", "100")
	if overdue {
		q = query("status", status, "overdue", "true", "limit", "100")
	}
	var out listOf[notice]
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/notices"+q, nil, &out); err != nil {
		return err
	}
	v := map[string]any{"Items": out.Items, "Status": status, "Overdue": overdue, "Statuses": noticeStatuses}
	return con.render(c, http.StatusOK, "notices", "Notices", v, withNav("notices"))
}

func (con *Console) caseNoticesPage(c *fiber.Ctx) error {
	v, err := con.loadCase(c, "notices")
	if err != nil {
		return err
	}
	var out listOf[notice]
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/cases/"+v.Case.ID+"/notices", nil, &out); err != nil {
		return err
	}
	v.Data = out.Items
	return con.render(c, http.StatusOK, "case-notices", "Notices – "+v.Case.Title, v, withNav("cases"), con.caseCrumbs(v))
}

// noticeTypes are offered in the order an officer usually needs them: the
// notice of intent comes before the notice it warns of.
var noticeTypes = []string{"intent", "compliance", "stop", "recall", "penalty_intent", "penalty", "information"}

type draftForm struct {
	Type, OperatorID, Reasons, Steps string
	Requirements                     []string
	Day, Month, Year                 string
}

type draftView struct {
	Form     draftForm
	Types    []string
	Parties  []party
	Failed   []assessmentRow
	Exhibits []exhibit
	Evidence []string
}

func (con *Console) newNoticePage(c *fiber.Ctx) error {
	return con.showDraft(c, http.StatusOK, draftForm{Type: "intent"}, nil)
}

func (con *Console) showDraft(c *fiber.Ctx, status int, form draftForm, errs []formError) error {
	v, err := con.loadCase(c, "notices")
	if err != nil {
		return err
	}
	dv := draftView{Form: form, Types: noticeTypes}
	s := sess(c)
	var ps listOf[party]
	if err := s.api.call(ctx(c), http.MethodGet, "/cases/"+v.Case.ID+"/parties", nil, &ps); err != nil {
		return err
	}
	for _, p := range ps.Items {
		p.Name = p.OperatorLabel
		var op operator
		if p.Name == "" && s.api.call(ctx(c), http.MethodGet, "/operators/"+p.OperatorID, nil, &op) == nil {
			p.Name = op.Name
		}
		dv.Parties = append(dv.Parties, p)
	}
	var a assessment
	if err := s.api.call(ctx(c), http.MethodGet, "/cases/"+v.Case.ID+"/assessment", nil, &a); err != nil {
		return err
	}
	for _, r := range a.Items {
		if r.Verdict == "fail" {
			dv.Failed = append(dv.Failed, r)
		}
	}
	v.Data = dv
	return con.render(c, status, "notice-new", "Draft a notice – "+v.Case.Title, v, withNav("cases"), con.caseCrumbs(v),
		withErrors(errs))
}

func (con *Console) draftNotice(c *fiber.Ctx) error {
	form := draftForm{Type: c.FormValue("type"), OperatorID: c.FormValue("operator_id"), Reasons: c.FormValue("reasons"),
		Steps: c.FormValue("steps"), Requirements: formValues(c, "requirement_ids"),
		Day: c.FormValue("comply_by-day"), Month: c.FormValue("comply_by-month"), Year: c.FormValue("comply_by-year")}
	var errs []formError
	if !contains(noticeTypes, form.Type) {
		errs = append(errs, formError{"type", "Select the type of notice"})
	}
	if form.OperatorID == "" {
		errs = append(errs, formError{"operator_id", "Select who the notice is for"})
	}
	body := map[string]any{"type": form.Type, "operator_id": form.OperatorID, "reasons": form.Reasons,
		"requirement_ids": form.Requirements, "steps": splitLines(form.Steps)}
	if form.Day+form.Month+form.Year != "" {
		d, err := dateFrom(form.Day, form.Month, form.Year)
		if err != nil {
			errs = append(errs, formError{"comply_by", "Enter a real date to comply by, for example 27 3 2027"})
		} else {
			body["comply_by"] = d.Format("2006-01-02")
		}
	}
	if len(errs) > 0 {
		return con.showDraft(c, http.StatusUnprocessableEntity, form, errs)
	}
	var n notice
	err := sess(c).api.call(ctx(c), http.MethodPost, "/cases/"+pathID(c)+"/notices", body, &n)
	if p, ok := asProblem(err); ok && (p.Status == http.StatusUnprocessableEntity || p.Status == http.StatusConflict) {
		return con.showDraft(c, http.StatusUnprocessableEntity, form, fieldErrors(p, nil))
	}
	if err != nil {
		return err
	}
	return con.done(c, "/notices/"+n.ID, label(n.Type)+" drafted")
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

type noticeView struct {
	Notice   notice
	Case     caseRec
	People   map[string]string
	Operator string
	MeID     string
	Methods  []string
}

var serveMethods = []string{"hand", "post", "recorded_delivery", "email", "registered_office"}

func (con *Console) noticePage(c *fiber.Ctx) error {
	s := sess(c)
	var v noticeView
	if err := s.api.call(ctx(c), http.MethodGet, "/notices/"+pathID(c), nil, &v.Notice); err != nil {
		return err
	}
	if err := s.api.call(ctx(c), http.MethodGet, "/cases/"+v.Notice.CaseID, nil, &v.Case); err != nil {
		return err
	}
	var op operator
	if s.api.call(ctx(c), http.MethodGet, "/operators/"+v.Notice.OperatorID, nil, &op) == nil {
		v.Operator = op.Name
	}
	v.People, v.MeID, v.Methods = con.people(c), s.Me.ID, serveMethods
	title := label(v.Notice.Type)
	if v.Notice.Reference != "" {
		title += " " + v.Notice.Reference
	}
	return con.render(c, http.StatusOK, "notice", title, v, withNav("notices"),
		withCrumbs(crumb{"Cases", "/cases"}, crumb{v.Case.Reference, "/cases/" + v.Case.ID},
			crumb{"Notices", "/cases/" + v.Case.ID + "/notices"}))
}

// noticeAction sends one lifecycle step; the API holds the four-eyes and
// record rules, so a refusal comes back as its reason.
func (con *Console) noticeAction(c *fiber.Ctx) error {
	action := c.Params("action")
	body := map[string]any{}
	switch action {
	case "submit", "approve", "issue":
	case "reject":
		body["reason"] = c.FormValue("reason")
	case "withdraw", "revoke":
		body["reason"] = c.FormValue("reason")
	case "serve":
		body["method"] = c.FormValue("method")
		body["served_to"] = c.FormValue("served_to")
		served := con.now()
		if d, err := dateFrom(c.FormValue("served-day"), c.FormValue("served-month"), c.FormValue("served-year")); err == nil &&
			!sameDay(d, con.now().In(london)) {
			served = d
		}
		body["served_at"] = served.UTC().Format(time.RFC3339)
	case "outcome":
		body["outcome"] = c.FormValue("outcome")
		body["note"] = c.FormValue("note")
	default:
		return fiber.ErrNotFound
	}
	var n notice
	id := pathID(c)
	err := sess(c).api.call(ctx(c), http.MethodPost, "/notices/"+id+"/"+action, body, &n)
	if p, ok := asProblem(err); ok && p.Status != http.StatusNotFound && p.Status < 500 {
		msg := p.Detail
		if msg == "" {
			msg = p.Title
		}
		return con.done(c, "/notices/"+id, "Not done: "+sentence(msg))
	}
	if err != nil {
		return err
	}
	words := map[string]string{"submit": "Notice sent for approval", "approve": "Notice approved",
		"reject": "Notice returned to draft", "issue": "Notice issued as " + n.Reference, "serve": "Service recorded",
		"withdraw": "Notice withdrawn", "revoke": "Notice revoked", "outcome": "Outcome recorded: " + label(n.Status)}
	return con.done(c, "/notices/"+id, words[action])
}

// noticePDF streams the issued PDF or the watermarked draft preview.
func (con *Console) noticePDF(which string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return con.passDownload(c, "/notices/"+pathID(c)+"/"+which, "application/pdf")
	}
}
