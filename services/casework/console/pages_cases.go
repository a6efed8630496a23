package console

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
)

func (con *Console) caseRoutes(r fiber.Router) {
	r.Get("/", con.casesPage)
	r.Get("/new", con.newCasePage)
	r.Post("/new", con.createCase)
	r.Get("/:id", con.casePage)
	r.Post("/:id/status", con.moveCase)
	r.Post("/:id/assign", con.assignCase)
	r.Post("/:id/parties", con.addParty)
	r.Get("/:id/assessment", con.assessmentPage)
	r.Post("/:id/assessment/:req", con.recordVerdict)
	r.Get("/:id/timeline", con.timelinePage)
	r.Post("/:id/referrals", con.referCase)
	r.Post("/:id/referrals/:decision", con.decideReferral)
	r.Get("/:id/notices", con.caseNoticesPage)
	r.Get("/:id/notices/new", con.newNoticePage)
	r.Post("/:id/notices/new", con.draftNotice)
	con.evidenceRoutes(r)
}

type myWorkView struct {
	Assigned   []caseRec
	Unassigned []caseRec
	Approvals  []notice
	Overdue    []notice
	Returned   []notice
}

// myWork is the start page: what is waiting for this person.
func (con *Console) myWork(c *fiber.Ctx) error {
	s := sess(c)
	var v myWorkView
	if s.has("officer", "supervisor") {
		var mine listOf[caseRec]
		if err := s.api.call(ctx(c), http.MethodGet, "/cases"+query("assignee", "me", "limit", "50"), nil, &mine); err != nil {
			return err
		}
		v.Assigned = openCases(mine.Items)
		var overdue listOf[notice]
		if err := s.api.call(ctx(c), http.MethodGet, "/notices?overdue=true&limit=50", nil, &overdue); err != nil {
			return err
		}
		v.Overdue = overdue.Items
		var drafts listOf[notice]
		if err := s.api.call(ctx(c), http.MethodGet, "/notices?status=draft&limit=100", nil, &drafts); err != nil {
			return err
		}
		for _, n := range drafts.Items {
			if n.AuthorID == s.Me.ID && n.RejectReason != "" {
				v.Returned = append(v.Returned, n)
			}
		}
	}
	if s.has("supervisor") {
		var pending listOf[notice]
		if err := s.api.call(ctx(c), http.MethodGet, "/notices?status=pending_approval&limit=100", nil, &pending); err != nil {
			return err
		}
		for _, n := range pending.Items {
			if n.AuthorID != s.Me.ID {
				v.Approvals = append(v.Approvals, n)
			}
		}
		var all listOf[caseRec]
		if err := s.api.call(ctx(c), http.MethodGet, "/cases?limit=200", nil, &all); err != nil {
			return err
		}
		for _, cs := range openCases(all.Items) {
			if cs.AssigneeID == "" && cs.Access == "owner" {
				v.Unassigned = append(v.Unassigned, cs)
			}
		}
	}
	return con.render(c, http.StatusOK, "my-work", "My work", v, withNav("work"))
}

func openCases(in []caseRec) []caseRec {
	var out []caseRec
	for _, cs := range in {
		if cs.Status != "closed" {
			out = append(out, cs)
		}
	}
	return out
}

type casesView struct {
	Items           []caseRec
	Status, Q, Next string
	Statuses        []string
	People          map[string]string
}

var caseStatuses = []string{"intake", "triage", "investigating", "decision", "enforcement", "monitoring", "closed", "reopened"}

func (con *Console) casesPage(c *fiber.Ctx) error {
	s := sess(c)
	v := casesView{Status: c.Query("status"), Q: strings.TrimSpace(c.Query("q")), Statuses: caseStatuses}
	if !contains(caseStatuses, v.Status) {
		v.Status = ""
	}
	var out listOf[caseRec]
	err := s.api.call(ctx(c), http.MethodGet, "/cases"+query("status", v.Status, "q", v.Q, "cursor", c.Query("cursor"),
		"limit", "25"), nil, &out)
	if err != nil {
		return err
	}
	v.Items, v.Next = out.Items, out.NextCursor
	v.People = con.people(c)
	return con.render(c, http.StatusOK, "cases", "Cases", v, withNav("cases"))
}

// people maps user ids to names in the acting authority (empty on error:
// a page still renders without names).
func (con *Console) people(c *fiber.Ctx) map[string]string {
	var out listOf[person]
	m := map[string]string{}
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/people", nil, &out); err == nil {
		for _, p := range out.Items {
			m[p.ID] = p.Name
		}
	}
	return m
}

type newCaseView struct {
	Title, Summary, Origin, Risk string
	Origins                      []string
	// Product is the product the case is opened about (from search).
	Product *productRec
}

var origins = []string{"proactive_surveillance", "complaint", "referral", "self_notification", "border_check", "online_monitoring"}

func (con *Console) newCasePage(c *fiber.Ctx) error {
	v := newCaseView{Origins: origins}
	p, err := con.caseProduct(c, c.Query("product"))
	if err != nil {
		return err
	}
	if p != nil {
		v.Product, v.Origin, v.Title = p, "online_monitoring", p.Brand+" "+p.Model+": "
	}
	return con.render(c, http.StatusOK, "case-new", "Open a case", v, withNav("cases"),
		withCrumbs(crumb{"Cases", "/cases"}))
}

// caseProduct loads the product a new case is about; none when id is empty.
func (con *Console) caseProduct(c *fiber.Ctx, id string) (*productRec, error) {
	if id == "" {
		return nil, nil
	}
	if len(id) > 64 || strings.ContainsAny(id, "/?#%") {
		return nil, fiber.ErrNotFound
	}
	var p productRec
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/products/"+id, nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

func (con *Console) createCase(c *fiber.Ctx) error {
	in := newCaseView{Title: strings.TrimSpace(c.FormValue("title")), Summary: c.FormValue("summary"),
		Origin: c.FormValue("origin"), Risk: c.FormValue("risk_level"), Origins: origins}
	p, err := con.caseProduct(c, c.FormValue("product_id"))
	if err != nil {
		return err
	}
	in.Product = p
	var errs []formError
	if in.Title == "" {
		errs = append(errs, formError{"title", "Enter a case title"})
	}
	if !contains(origins, in.Origin) {
		errs = append(errs, formError{"origin", "Select how the case came to you"})
	}
	if len(errs) == 0 {
		body := map[string]any{"title": in.Title, "summary": in.Summary, "origin": in.Origin}
		if in.Risk != "" {
			body["risk_level"] = in.Risk
		}
		if p != nil {
			body["product_ids"] = []string{p.ID}
		}
		var cs caseRec
		err := sess(c).api.call(ctx(c), http.MethodPost, "/cases", body, &cs)
		if p, ok := asProblem(err); ok && p.Status == http.StatusUnprocessableEntity {
			errs = fieldErrors(p, map[string]string{"title": "Enter a case title of 300 characters or fewer"})
		} else if err != nil {
			return err
		} else {
			return con.done(c, "/cases/"+cs.ID, "Case "+cs.Reference+" opened")
		}
	}
	return con.render(c, http.StatusUnprocessableEntity, "case-new", "Open a case", in, withNav("cases"),
		withCrumbs(crumb{"Cases", "/cases"}), withErrors(errs))
}

type caseView struct {
	Case     caseRec
	Section  string
	Parties  []party
	People   map[string]string
	Officers []person
	Roles    []string
	Data     any
}

var partyRoles = []string{"manufacturer", "own_brander", "importer", "distributor", "authorised_representative",
	"online_marketplace", "retailer"}

// loadCase fetches the case and the names its pages show.
func (con *Console) loadCase(c *fiber.Ctx, section string) (caseView, error) {
	s := sess(c)
	v := caseView{Section: section, Roles: partyRoles}
	if err := s.api.call(ctx(c), http.MethodGet, "/cases/"+pathID(c), nil, &v.Case); err != nil {
		return v, err
	}
	var out listOf[person]
	v.People = map[string]string{}
	if err := s.api.call(ctx(c), http.MethodGet, "/people", nil, &out); err == nil {
		for _, p := range out.Items {
			v.People[p.ID] = p.Name
			if contains(p.Roles, "officer") || contains(p.Roles, "supervisor") {
				v.Officers = append(v.Officers, p)
			}
		}
	}
	return v, nil
}

// pathID is the :id parameter, refused when it could not be an id.
func pathID(c *fiber.Ctx) string {
	id := c.Params("id")
	if len(id) > 64 || strings.ContainsAny(id, "/?#%") {
		return "-"
	}
	return id
}

func (con *Console) caseCrumbs(v caseView) func(*view) {
	return withCrumbs(crumb{"Cases", "/cases"}, crumb{v.Case.Reference, "/cases/" + v.Case.ID})
}

func (con *Console) casePage(c *fiber.Ctx) error {
	v, err := con.loadCase(c, "summary")
	if err != nil {
		return err
	}
	var ps listOf[party]
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/cases/"+v.Case.ID+"/parties", nil, &ps); err != nil {
		return err
	}
	for _, p := range ps.Items {
		p.Name = p.OperatorLabel
		if p.Name == "" {
			var op operator
			if err := sess(c).api.call(ctx(c), http.MethodGet, "/operators/"+p.OperatorID, nil, &op); err == nil {
				p.Name = op.Name
			}
		}
		v.Parties = append(v.Parties, p)
	}
	return con.render(c, http.StatusOK, "case", v.Case.Title, v, withNav("cases"), withCrumbs(crumb{"Cases", "/cases"}))
}

func (con *Console) moveCase(c *fiber.Ctx) error {
	to := c.FormValue("to")
	body := map[string]string{"to": to, "reason": c.FormValue("reason"), "note": c.FormValue("note")}
	var out struct {
		caseRec
		ClosureRequested bool `json:"closure_requested"`
	}
	err := sess(c).api.call(ctx(c), http.MethodPost, "/cases/"+pathID(c)+"/transitions", body, &out)
	if p, ok := asProblem(err); ok && (p.Status == http.StatusConflict || p.Status == http.StatusUnprocessableEntity) {
		return con.caseFormError(c, "summary", fieldErrors(p, map[string]string{"reason": "Select a reason for closing"}))
	}
	if err != nil {
		return err
	}
	msg := "Case moved to " + label(out.Status)
	if out.ClosureRequested {
		msg = "Closure requested: a supervisor will decide"
	}
	return con.done(c, "/cases/"+pathID(c), msg)
}

// caseFormError re-renders the case summary with a form's errors.
func (con *Console) caseFormError(c *fiber.Ctx, section string, errs []formError) error {
	v, err := con.loadCase(c, section)
	if err != nil {
		return err
	}
	return con.render(c, http.StatusUnprocessableEntity, "case", v.Case.Title, v, withNav("cases"),
		withCrumbs(crumb{"Cases", "/cases"}), withErrors(errs))
}

func (con *Console) assignCase(c *fiber.Ctx) error {
	err := sess(c).api.call(ctx(c), http.MethodPost, "/cases/"+pathID(c)+"/assignment",
		map[string]string{"officer_id": c.FormValue("officer_id")}, nil)
	if p, ok := asProblem(err); ok && p.Status == http.StatusUnprocessableEntity {
		return con.caseFormError(c, "summary", []formError{{"officer_id", "Select the officer to assign"}})
	}
	if err != nil {
		return err
	}
	return con.done(c, "/cases/"+pathID(c), "Case assigned")
}

// addParty records a business (new to the register) in a role on the case.
func (con *Console) addParty(c *fiber.Ctx) error {
	s := sess(c)
	name, role := strings.TrimSpace(c.FormValue("operator_name")), c.FormValue("role")
	var errs []formError
	if name == "" {
		errs = append(errs, formError{"operator_name", "Enter the business's name"})
	}
	if !contains(partyRoles, role) {
		errs = append(errs, formError{"role", "Select the business's role"})
	}
	if len(errs) > 0 {
		return con.caseFormError(c, "summary", errs)
	}
	var op operator
	body := map[string]any{"name": name, "sole_trader": c.FormValue("sole_trader") == "yes"}
	if err := s.api.call(ctx(c), http.MethodPost, "/operators", body, &op); err != nil {
		if p, ok := asProblem(err); ok && p.Status == http.StatusUnprocessableEntity {
			return con.caseFormError(c, "summary", fieldErrors(p, nil))
		}
		return err
	}
	err := s.api.call(ctx(c), http.MethodPost, "/cases/"+pathID(c)+"/parties",
		map[string]string{"operator_id": op.ID, "role": role}, nil)
	if err != nil {
		return err
	}
	return con.done(c, "/cases/"+pathID(c), label(role)+" added: "+name)
}

func (con *Console) assessmentPage(c *fiber.Ctx) error {
	v, err := con.loadCase(c, "assessment")
	if err != nil {
		return err
	}
	var a assessment
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/cases/"+v.Case.ID+"/assessment", nil, &a); err != nil {
		return err
	}
	filter := c.Query("show")
	var rows []assessmentRow
	for _, r := range a.Items {
		if filter == "assessed" && r.Verdict == "not_assessed" && r.FindingsCount == 0 {
			continue
		}
		rows = append(rows, r)
	}
	a.Items = rows
	v.Data = map[string]any{"Assessment": a, "Show": filter}
	return con.render(c, http.StatusOK, "case-assessment", "Assessment – "+v.Case.Title, v, withNav("cases"), con.caseCrumbs(v))
}

func (con *Console) recordVerdict(c *fiber.Ctx) error {
	req := c.Params("req")
	body := map[string]any{"verdict": c.FormValue("verdict"), "rationale": c.FormValue("rationale")}
	if ids := formValues(c, "finding_ids"); len(ids) > 0 {
		body["finding_ids"] = ids
	}
	err := sess(c).api.call(ctx(c), http.MethodPut, "/cases/"+pathID(c)+"/assessment/"+req, body, nil)
	if p, ok := asProblem(err); ok && p.Status == http.StatusUnprocessableEntity {
		return con.done(c, "/cases/"+pathID(c)+"/assessment", "Not recorded: "+fieldErrors(p, nil)[0].Message)
	}
	if err != nil {
		return err
	}
	return con.done(c, "/cases/"+pathID(c)+"/assessment", req+": verdict recorded")
}

// formValues are every value of a repeated form field.
func formValues(c *fiber.Ctx, name string) []string {
	var out []string
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if string(k) == name && len(v) > 0 {
			out = append(out, string(v))
		}
	})
	return out
}

func (con *Console) timelinePage(c *fiber.Ctx) error {
	v, err := con.loadCase(c, "timeline")
	if err != nil {
		return err
	}
	var out listOf[timelineEntry]
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/cases/"+v.Case.ID+"/timeline?limit=200", nil, &out); err != nil {
		return err
	}
	items := make([]timelineEntry, 0, len(out.Items))
	for i := len(out.Items) - 1; i >= 0; i-- { // newest first
		items = append(items, out.Items[i])
	}
	v.Data = items
	return con.render(c, http.StatusOK, "case-timeline", "Timeline – "+v.Case.Title, v, withNav("cases"), con.caseCrumbs(v))
}

// referCase refers the case to another authority (the owner's supervisor).
func (con *Console) referCase(c *fiber.Ctx) error {
	body := map[string]string{"to_authority": strings.TrimSpace(c.FormValue("to_authority")),
		"reason": strings.TrimSpace(c.FormValue("reason")), "access_level": c.FormValue("access_level")}
	err := sess(c).api.call(ctx(c), http.MethodPost, "/cases/"+pathID(c)+"/referrals", body, nil)
	if p, ok := asProblem(err); ok && (p.Status == http.StatusUnprocessableEntity || p.Status == http.StatusConflict) {
		return con.caseFormError(c, "summary", fieldErrors(p, map[string]string{
			"to_authority": "Enter the code of the authority to refer the case to",
			"reason":       "Enter why you are referring the case"}))
	}
	if err != nil {
		return err
	}
	return con.done(c, "/cases/"+pathID(c), "Case referred to "+body["to_authority"])
}

// decideReferral accepts or declines a referral made to the acting authority.
func (con *Console) decideReferral(c *fiber.Ctx) error {
	decision := c.Params("decision")
	if decision != "accept" && decision != "decline" {
		return fiber.ErrNotFound
	}
	body := map[string]string{"reason": strings.TrimSpace(c.FormValue("reason"))}
	err := sess(c).api.call(ctx(c), http.MethodPost, "/cases/"+pathID(c)+"/referrals/"+decision, body, nil)
	if p, ok := asProblem(err); ok && (p.Status == http.StatusUnprocessableEntity || p.Status == http.StatusConflict) {
		return con.caseFormError(c, "summary", fieldErrors(p, map[string]string{"reason": "Enter why you are declining"}))
	}
	if err != nil {
		return err
	}
	if decision == "decline" {
		return con.done(c, "/cases", "Referral declined")
	}
	return con.done(c, "/cases/"+pathID(c), "Referral accepted: the case is now shared with you")
}
