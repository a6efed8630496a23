package browser_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

var uuidIn = regexp.MustCompile(`/(?:cases|notices)/([0-9a-f-]{36})`)

// TestOfficerToIssuedNotice is the journey in a real browser, once
// with JavaScript and once without: the officer opens a case, uploads the
// camera's nmap scan, sees the default-password finding, records the failed
// requirement and drafts a notice of intent; the supervisor approves, issues
// and downloads it; the analyst reads the report chart. axe-core checks every
// page; each is saved under var/screenshots/.
func TestOfficerToIssuedNotice(t *testing.T) {
	for _, js := range []bool{true, false} {
		name := "javascript"
		if !js {
			name = "no-javascript"
		}
		t.Run(name, func(t *testing.T) { journey(t, js) })
	}
}

func journey(t *testing.T, js bool) {
	env := wiringtest.New(t)
	base := server(t, env)
	suffix := ""
	if !js {
		suffix = "-nojs"
	}
	off := newTab(t, base, js)
	signIn(off, wiringtest.Email(principal.Officer, "KENT-TS"))
	off.check("01-my-work" + suffix)

	off.open("/cases/new")
	off.check("02-case-new" + suffix)
	off.run(chromedp.SendKeys(chromedp.CSS("#title"), "Acme SmartCam 2: universal default password"),
		chromedp.Click(chromedp.CSS("#origin-1")), chromedp.SetValue(chromedp.CSS("#risk_level"), "high"),
		chromedp.SendKeys(chromedp.CSS("#summary"), "A consumer reports the camera logs in with admin/12345."))
	off.submit(`form[action="/cases/new"] button[type=submit]`)
	off.see("[data-test=flash]", "opened")
	loc := value(off, chromedp.Location())
	m := uuidIn.FindStringSubmatch(loc)
	must(t, m != nil, "no case id in %s", loc)
	caseID := m[1]
	off.run(chromedp.Click(chromedp.CSS("details.govuk-details summary")),
		chromedp.SendKeys(chromedp.CSS("#operator_name"), "Acme Devices Ltd"),
		chromedp.SetValue(chromedp.CSS("#role"), "manufacturer"))
	off.submit(`form[action$="/parties"] button[type=submit]`)
	off.see("[data-test=parties]", "Acme Devices Ltd", "Manufacturer")
	off.check("03-case-summary" + suffix)

	off.open("/cases/" + caseID + "/evidence")
	off.run(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{fixture(t)}),
		chromedp.SendKeys(chromedp.CSS("#description"), "nmap scan of the camera on the test network"))
	off.submit(`[data-test=upload]`)
	off.see("[data-test=upload-panel]", "EX-001 added", "findings found")
	off.check("04-evidence-uploaded" + suffix)

	off.open("/cases/" + caseID + "/findings")
	off.see("[data-test=findings]", "192.168.50.12", "PSTI-1", "admin")
	off.check("05-findings" + suffix)

	off.open("/cases/" + caseID + "/assessment")
	off.run(chromedp.SetValue(chromedp.CSS("#verdict-PSTI-1"), "fail"),
		chromedp.SendKeys(chromedp.CSS("#rationale-PSTI-1"), "The camera accepts the factory login admin/12345 (EX-001)."))
	off.submit(`form[action$="/assessment/PSTI-1"] button[type=submit]`)
	off.see("[data-test=flash]", "PSTI-1: verdict recorded")
	off.check("06-assessment" + suffix)

	off.open("/cases/" + caseID + "/notices/new")
	off.run(chromedp.Click(chromedp.CSS("#type")), chromedp.Click(chromedp.CSS("#operator_id")),
		chromedp.Click(chromedp.CSS("#req-0")),
		chromedp.SendKeys(chromedp.CSS("#steps"), "Remove the universal default password"),
		chromedp.SendKeys(chromedp.CSS("#reasons"), "Exhibit EX-001 shows the camera accepts admin/12345."),
		chromedp.SendKeys(chromedp.CSS("#comply_by-day"), "1"), chromedp.SendKeys(chromedp.CSS("#comply_by-month"), "6"),
		chromedp.SendKeys(chromedp.CSS("#comply_by-year"), "2027"))
	off.check("07-notice-draft-form" + suffix)
	off.submit(`form[action$="/notices/new"] button[type=submit]`)
	off.see("[data-test=flash]", "drafted")
	loc = value(off, chromedp.Location())
	m = uuidIn.FindStringSubmatch(loc)
	must(t, m != nil && strings.Contains(loc, "/notices/"), "no notice id in %s", loc)
	noticeID := m[1]
	off.submit(`form[action$="/submit"] button`)
	off.see("[data-test=notice-status]", "Waiting for approval")
	off.check("08-notice-submitted" + suffix)
	signOut(off)

	sup := newTab(t, base, js)
	signIn(sup, wiringtest.Email(principal.Supervisor, "KENT-TS"))
	sup.see("[data-test=approvals-count]", "(1)")
	sup.check("09-supervisor-work" + suffix)
	sup.open("/notices/" + noticeID)
	sup.submit(`[data-test=approve]`)
	sup.see("[data-test=notice-status]", "Approved")
	sup.submit(`[data-test=issue]`)
	sup.see("[data-test=flash]", "Notice issued as KENT-TS-")
	sup.check("10-notice-issued" + suffix)
	attr := value(sup, chromedp.AttributeValue(chromedp.CSS(`[data-test=notice-pdf]`), "href"))
	href := attr.Value
	must(t, attr.Exists && strings.HasSuffix(href, "/pdf"), "no PDF link: %q", href)
	pdfHead := downloadStart(t, sup, base+href)
	must(t, strings.HasPrefix(pdfHead, "%PDF-"), "the notice download is not a PDF: %q", pdfHead)

	an := newTab(t, base, js)
	signIn(an, wiringtest.Email(principal.Analyst, "KENT-TS"))
	an.open("/reports")
	an.see("[data-test=opened]", "1")
	svg := value(an, chromedp.Evaluate[int](`document.querySelectorAll('[data-test=chart] svg rect').length`))
	must(t, svg > 0, "the report chart has no bars")
	an.check("11-reports" + suffix)
}
