package console

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

func (con *Console) evidenceRoutes(r fiber.Router) {
	r.Get("/:id/evidence", con.evidencePage)
	r.Post("/:id/evidence", con.uploadEvidence)
	r.Get("/:id/findings", con.findingsPage)
}

type evidenceView struct {
	Exhibits []exhibit
	Form     uploadFields
	Powers   []string
	Uploaded *uploaded
}

type uploadFields struct {
	Description, CollectedBy, PowerUsed, Day, Month, Year, AsPlain string
}

type uploaded struct {
	exhibit
	Import struct {
		Parsed int `json:"parsed"`
		New    int `json:"new"`
	} `json:"import"`
}

var powers = []string{"test_purchase", "information_notice", "seizure", "voluntary", "public_source"}

func (con *Console) evidencePage(c *fiber.Ctx) error {
	return con.showEvidence(c, http.StatusOK, uploadFields{}, nil, nil)
}

func (con *Console) showEvidence(c *fiber.Ctx, status int, form uploadFields, up *uploaded, errs []formError) error {
	v, err := con.loadCase(c, "evidence")
	if err != nil {
		return err
	}
	var out listOf[exhibit]
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/cases/"+v.Case.ID+"/evidence?limit=200", nil, &out); err != nil {
		return err
	}
	if form.Day == "" && len(errs) == 0 {
		now := con.now().In(london)
		form.Day, form.Month, form.Year = strconv.Itoa(now.Day()), strconv.Itoa(int(now.Month())), strconv.Itoa(now.Year())
		form.CollectedBy = sess(c).Me.Name
	}
	v.Data = evidenceView{Exhibits: out.Items, Form: form, Powers: powers, Uploaded: up}
	return con.render(c, status, "case-evidence", "Evidence – "+v.Case.Title, v, withNav("cases"), con.caseCrumbs(v),
		withErrors(errs))
}

// uploadEvidence re-sends the browser's upload to the API as one multipart
// request, streaming the file part.
func (con *Console) uploadEvidence(c *fiber.Ctx) error {
	form := uploadFields{Description: strings.TrimSpace(c.FormValue("description")),
		CollectedBy: strings.TrimSpace(c.FormValue("collected_by")), PowerUsed: c.FormValue("power_used"),
		Day: c.FormValue("collected-day"), Month: c.FormValue("collected-month"), Year: c.FormValue("collected-year"),
		AsPlain: c.FormValue("as_plain")}
	fh, ferr := c.FormFile("file")
	var errs []formError
	if ferr != nil || fh.Size == 0 {
		errs = append(errs, formError{"file", "Select the file to upload"})
	}
	if form.Description == "" {
		errs = append(errs, formError{"description", "Enter a description of the exhibit"})
	}
	collected, derr := dateFrom(form.Day, form.Month, form.Year)
	if derr != nil {
		errs = append(errs, formError{"collected", "Enter the date the exhibit was collected, for example 27 3 2026"})
	} else if now := con.now().In(london); sameDay(collected, now) {
		collected = now // collected today: not a time later than now
	} else if collected.After(now) {
		errs = append(errs, formError{"collected", "The date the exhibit was collected must be today or in the past"})
	}
	if form.CollectedBy == "" {
		errs = append(errs, formError{"collected_by", "Enter who collected the exhibit"})
	}
	if form.PowerUsed != "" && !contains(powers, form.PowerUsed) {
		errs = append(errs, formError{"power_used", "Select how the exhibit was obtained"})
	}
	if len(errs) > 0 {
		return con.showEvidence(c, http.StatusUnprocessableEntity, form, nil, errs)
	}
	up, err := con.sendUpload(c, fh, form, collected)
	if p, ok := asProblem(err); ok && p.Status < 500 && p.Status != http.StatusNotFound && p.Status != http.StatusForbidden {
		return con.showEvidence(c, p.Status, form, nil, fieldErrors(p, map[string]string{}))
	}
	if err != nil {
		return err
	}
	return con.showEvidence(c, http.StatusCreated, uploadFields{}, up, nil)
}

func (con *Console) sendUpload(c *fiber.Ctx, fh *multipart.FileHeader, form uploadFields, collected time.Time) (*uploaded, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("open uploaded file: %w", err)
	}
	defer f.Close()
	// The in-process API call needs the body's length up front, so the
	// request is assembled in memory (uploads through the console are bounded
	// by the API's upload limit; bulk evidence goes through the API or CLI).
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields := [][2]string{{"description", form.Description}, {"collected_by", form.CollectedBy},
		{"collected_at", collected.UTC().Format(time.RFC3339)}, {"power_used", form.PowerUsed}}
	if form.AsPlain == "yes" {
		fields = append(fields, [2]string{"as_plain", "true"})
	}
	for _, kv := range fields {
		if kv[1] == "" {
			continue
		}
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			return nil, fmt.Errorf("build upload: %w", err)
		}
	}
	part, err := mw.CreateFormFile("file", fh.Filename)
	if err == nil {
		_, err = io.Copy(part, f)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("build upload: %w", err)
	}
	res, err := sess(c).api.raw(ctx(c), http.MethodPost, "/cases/"+pathID(c)+"/evidence", bytes.NewReader(body.Bytes()), mw.FormDataContentType(), nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if err := checkStatus(res); err != nil {
		return nil, err
	}
	var up uploaded
	if err := decodeJSON(res.Body, &up); err != nil {
		return nil, err
	}
	return &up, nil
}

// dateFrom reads a GOV.UK date input (day, month, year).
func dateFrom(d, m, y string) (time.Time, error) {
	day, err1 := strconv.Atoi(strings.TrimSpace(d))
	month, err2 := strconv.Atoi(strings.TrimSpace(m))
	year, err3 := strconv.Atoi(strings.TrimSpace(y))
	if err1 != nil || err2 != nil || err3 != nil || year < 1990 || year > 9999 {
		return time.Time{}, fmt.Errorf("not a date")
	}
	t := time.Date(year, time.Month(month), day, 12, 0, 0, 0, london)
	if t.Day() != day || int(t.Month()) != month {
		return time.Time{}, fmt.Errorf("not a date")
	}
	return t, nil
}

type findingsView struct {
	Items                []finding
	Severity, Status     string
	Requirement, Next    string
	Severities, Statuses []string
}

var severities = []string{"critical", "high", "medium", "low", "info"}
var findingStatuses = []string{"open", "confirmed", "disputed", "false_positive", "resolved", "not_affected"}

func (con *Console) findingsPage(c *fiber.Ctx) error {
	v, err := con.loadCase(c, "findings")
	if err != nil {
		return err
	}
	fv := findingsView{Severity: c.Query("severity"), Status: c.Query("status"), Requirement: c.Query("requirement"),
		Severities: severities, Statuses: findingStatuses}
	if !contains(severities, fv.Severity) {
		fv.Severity = ""
	}
	if !contains(findingStatuses, fv.Status) {
		fv.Status = ""
	}
	if len(fv.Requirement) > 32 {
		fv.Requirement = ""
	}
	var out listOf[finding]
	err = sess(c).api.call(ctx(c), http.MethodGet, "/cases/"+v.Case.ID+"/findings"+query("severity", fv.Severity,
		"status", fv.Status, "requirement_id", fv.Requirement, "cursor", c.Query("cursor"), "limit", "200"), nil, &out)
	if err != nil {
		return err
	}
	fv.Items, fv.Next = out.Items, out.NextCursor
	v.Data = fv
	return con.render(c, http.StatusOK, "case-findings", "Findings – "+v.Case.Title, v, withNav("cases"), con.caseCrumbs(v))
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
