package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

type custodyEntry struct {
	Seq      int       `json:"seq"`
	Action   string    `json:"action"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Location string    `json:"location"`
	Note     string    `json:"note"`
}

type exhibitView struct {
	Exhibit exhibit
	Case    caseRec
	Custody []custodyEntry
	Check   *struct {
		OK       bool   `json:"ok"`
		Expected string `json:"expected_sha256"`
		Actual   string `json:"actual_sha256"`
		Missing  bool   `json:"missing"`
	}
}

func (con *Console) exhibitRoutes(r fiber.Router) {
	r.Get("/:id", con.exhibitPage)
	r.Get("/:id/content", con.exhibitContent)
	r.Post("/:id/verify", con.verifyExhibit)
	r.Post("/:id/custody", con.recordCustody)
}

func (con *Console) loadExhibit(c *fiber.Ctx) (exhibitView, error) {
	s := sess(c)
	var v exhibitView
	if err := s.api.call(ctx(c), http.MethodGet, "/evidence/"+pathID(c), nil, &v.Exhibit); err != nil {
		return v, err
	}
	if err := s.api.call(ctx(c), http.MethodGet, "/cases/"+v.Exhibit.CaseID, nil, &v.Case); err != nil {
		return v, err
	}
	var cl struct {
		Items []custodyEntry `json:"items"`
	}
	if err := s.api.call(ctx(c), http.MethodGet, "/evidence/"+pathID(c)+"/custody", nil, &cl); err != nil {
		return v, err
	}
	v.Custody = cl.Items
	return v, nil
}

func (con *Console) exhibitPage(c *fiber.Ctx) error {
	v, err := con.loadExhibit(c)
	if err != nil {
		return err
	}
	return con.renderExhibit(c, http.StatusOK, v, nil)
}

func (con *Console) renderExhibit(c *fiber.Ctx, status int, v exhibitView, errs []formError) error {
	return con.render(c, status, "exhibit", "Exhibit "+v.Exhibit.ExhibitRef, v, withNav("cases"), withErrors(errs),
		withCrumbs(crumb{"Cases", "/cases"}, crumb{v.Case.Reference, "/cases/" + v.Case.ID},
			crumb{"Evidence", "/cases/" + v.Case.ID + "/evidence"}))
}

// exhibitContent streams the exhibit's bytes; the API records the download
// in the custody log. Served as a download, never rendered here: an exhibit
// is untrusted content.
func (con *Console) exhibitContent(c *fiber.Ctx) error {
	return con.passDownload(c, "/evidence/"+pathID(c)+"/content", "application/octet-stream")
}

func (con *Console) verifyExhibit(c *fiber.Ctx) error {
	v, err := con.loadExhibit(c)
	if err != nil {
		return err
	}
	if err := sess(c).api.call(ctx(c), http.MethodPost, "/evidence/"+pathID(c)+"/verify", nil, &v.Check); err != nil {
		return err
	}
	return con.renderExhibit(c, http.StatusOK, v, nil)
}

var custodyActions = []string{"transferred", "viewed", "disposed"}

func (con *Console) recordCustody(c *fiber.Ctx) error {
	action := c.FormValue("action")
	body := map[string]any{"action": action, "from": strings.TrimSpace(c.FormValue("from")),
		"to": strings.TrimSpace(c.FormValue("to")), "location": strings.TrimSpace(c.FormValue("location")),
		"note": strings.TrimSpace(c.FormValue("note"))}
	var errs []formError
	if !contains(custodyActions, action) {
		errs = append(errs, formError{"action", "Select what happened to the exhibit"})
	}
	if len(errs) == 0 {
		err := sess(c).api.call(ctx(c), http.MethodPost, "/evidence/"+pathID(c)+"/custody", body, nil)
		p, ok := asProblem(err)
		switch {
		case ok && (p.Status == http.StatusUnprocessableEntity || p.Status == http.StatusConflict):
			errs = fieldErrors(p, nil)
		case err != nil:
			return err
		default:
			return con.done(c, "/evidence/"+pathID(c), "Custody recorded: "+label(action))
		}
	}
	v, err := con.loadExhibit(c)
	if err != nil {
		return err
	}
	return con.renderExhibit(c, http.StatusUnprocessableEntity, v, errs)
}
