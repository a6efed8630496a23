package noticepdf_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/legalbasis"
	"github.com/tradewarden/tradewarden/services/casework/core/notices"
	"github.com/tradewarden/tradewarden/services/casework/core/operators"
	"github.com/tradewarden/tradewarden/services/casework/core/products"
	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
)

// The fixtures describe one realistic case: a smart camera imported by a UK
// company, tested by OPSS, with two failed requirements.
const (
	authorityName = "Office for Product Safety and Standards"
	authorityCode = "OPSS"
	caseRef       = "OPSS-2026-000123"
	authorName    = "Łukasz Zieliński"
	approverName  = "Siobhán O'Connor"
	issuerName    = "Amélie Laurent"
)

var (
	// issuedAt is 10:15 in London (GMT in November).
	issuedAt = time.Date(2026, 11, 26, 10, 15, 0, 0, time.UTC)
	// comply is 28 days after issue, stored as a UTC calendar date.
	comply = time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
)

var (
	exDefaultLogin = notices.ExhibitRef{ID: "ex-002", Ref: caseRef + "/EX-002",
		SHA256:      "3fa9c1d2e4b5a6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f",
		Description: "Video and screenshots: default login “admin”/“admin” accepted on test unit 1 after factory reset"}
	exScan = notices.ExhibitRef{ID: "ex-003", Ref: caseRef + "/EX-003",
		SHA256:      "9b1e44c07d2a5f30c6e8a1b2d3f405162738495a6b7c8d9e0f1a2b3c4d5e6f70",
		Description: "nmap 7.95 scan of test unit 2: telnet 23/tcp and RTSP 554/tcp open"}
	exPurchase = notices.ExhibitRef{ID: "ex-001", Ref: caseRef + "/EX-001",
		SHA256:      "c0ffee00d15ea5e5b16b00b5feedface0123456789abcdef0123456789abcdef",
		Description: "Test purchase receipt: three units bought from brightwave.co.uk, £49.99 each"}
)

// code stands in for notices.VerificationCode, which the notice service
// computes: the renderer only prints it, and fixed codes keep the golden
// file independent of how the service derives them.
func code(reference string) string {
	sum := sha256.Sum256([]byte(reference))
	return hex.EncodeToString(sum[:8])
}

func recipient() operators.Operator {
	return operators.Operator{
		ID:            "op-1",
		Name:          "Brightwave Devices Ltd",
		TradingNames:  []string{"Brightwave", "SmartHome Direct"},
		CompanyNumber: "12345678",
		Address:       "Unit 4, Riverside Park, 18 Mill Lane, Ashford, Kent TN24 8QD",
		Country:       "GB",
		Website:       "https://brightwave.co.uk",
	}
}

func camera() products.Product {
	return products.Product{
		ID:               "pr-1",
		Brand:            "Brightwave",
		Model:            "SmartCam Pro 2 (SC-P2-UK)",
		Variants:         []string{"SC-P2-UK-W white", "SC-P2-UK-B black"},
		GTIN:             "05060123456784",
		Category:         "Indoor security camera",
		FirmwareVersions: []string{"2.4.1", "2.4.3"},
		Connectable:      true,
	}
}

func doorbell() products.Product {
	return products.Product{
		ID: "pr-2", Brand: "Brightwave", Model: "RingSafe Video Doorbell (RS-VD1)",
		Variants: []string{"RS-VD1-UK"}, GTIN: "05060123456791", Category: "Video doorbell",
		FirmwareVersions: []string{"1.9.0"}, Connectable: true,
	}
}

// row builds a schedule row from the real requirements catalogue, with the
// duty an importer breaches (as the notice service resolves it).
func row(reqID, rationale string, ex []notices.ExhibitRef, findings ...notices.FindingDetail) notices.ScheduleRow {
	r, ok := requirements.Lookup(reqID)
	if !ok {
		panic("unknown requirement " + reqID)
	}
	out := notices.ScheduleRow{RequirementID: r.ID, RequirementTitle: r.Title, LegalRef: r.LegalRef,
		Rationale: rationale, Exhibits: ex, Findings: findings, Paragraph: legalbasis.Schedule1Paragraph(r.ID)}
	if d, ok := legalbasis.DutyFor(legalbasis.Importer, r.ID); ok {
		out.Duties = []legalbasis.Duty{d}
	}
	return out
}

// telnetFinding is the scan finding the password breach relies on.
var telnetFinding = notices.FindingDetail{ID: "f-1", EvidenceID: "ex-003", Title: "Telnet service accepts default credentials admin/admin",
	Severity: "High", Host: "192.168.50.10", Port: 23, Protocol: "tcp", Service: "telnet"}

func passwordRows() []notices.ScheduleRow {
	r := row("PSTI-1", "All three test units accepted the same factory default password (“admin”) on the web "+
		"interface and over telnet after a factory reset. The password is neither unique per product nor defined "+
		"by the user, contrary to Schedule 1, paragraph 1.",
		[]notices.ExhibitRef{exDefaultLogin, exScan}, telnetFinding)
	r.Technical = []notices.TechnicalRef{{ID: "5.1-1", Title: "Unique or user-defined passwords", Deemed: true,
		Rationale: "The units do not use unique per-device or user-defined passwords in any state other than the factory default."}}
	return []notices.ScheduleRow{r}
}

// manyFindings is the password breach relying on 37 findings: the schedule
// names three and Annex A lists them all.
func manyFindings() notices.Document {
	d := complianceDoc()
	r := &d.Schedule[0]
	for i := range 36 {
		r.Findings = append(r.Findings, notices.FindingDetail{ID: fmt.Sprintf("tls-%02d", i), EvidenceID: "ex-003",
			Title: fmt.Sprintf("TLS 1.0 offered with weak cipher %02d", i), Severity: "Low", Host: "192.168.50.10", Port: 443})
	}
	return d
}

// base is an issued notice of type t with the common particulars.
func base(t notices.Type) notices.Document {
	info := notices.Info[t]
	seq := map[notices.Type]int{notices.Compliance: 42, notices.Stop: 7, notices.Recall: 3, notices.Penalty: 2,
		notices.Information: 19, notices.Intent: 31, notices.PenaltyIntent: 4}[t]
	at := issuedAt
	n := notices.Notice{
		ID: "nt-" + string(t), CaseID: "case-1", AuthorityID: "auth-opss", AuthorityCode: authorityCode, Type: t,
		Status: notices.Issued, OperatorID: "op-1", ProductIDs: []string{"pr-1"},
		RequirementIDs: []string{"PSTI-1", "5.1-1"}, EvidenceIDs: []string{"ex-001", "ex-002", "ex-003"},
		Reasons: "On 3 November 2026 an officer of the authority made a test purchase of three SmartCam Pro 2 cameras " +
			"from brightwave.co.uk. Each unit was reset to its factory settings and examined in the authority’s laboratory.\n\n" +
			"Brightwave Devices Ltd imports the product from Shenzhen Lumina Smart Technology Co., Ltd and makes it " +
			"available to consumers in the United Kingdom.",
		Deadline:   &comply,
		AuthorID:   "u-author",
		ApproverID: "u-approver",
		Reference:  fmt.Sprintf("%s-%s-2026-%04d", authorityCode, info.Code, seq),
		IssuerID:   "u-issuer",
		IssuedAt:   &at,
	}
	n.Verification = code(n.Reference)
	return notices.Document{
		Notice: n, Info: info, Date: issuedAt, CaseReference: caseRef,
		AuthorityName: authorityName, AuthorityCode: authorityCode,
		Recipient: recipient(), RecipientRole: "importer",
		Products:   []products.Product{camera()},
		Schedule:   passwordRows(),
		Exhibits:   []notices.ExhibitRef{exPurchase, exDefaultLogin, exScan},
		AuthorName: authorName, IssuerName: issuerName, ApproverName: approverName,
		Authority: opssProfile(), OfficerEmail: officerEmail,
	}
}

func complianceDoc() notices.Document {
	d := base(notices.Compliance)
	d.Notice.Steps = []string{
		"Stop supplying SmartCam Pro 2 units that use a universal default password, including units held in stock or by distributors on your behalf.",
		"Release firmware that requires each user to set a password on first use, or assigns a unique password to each unit, and make it available to every existing unit.",
		"Write to each distributor you supplied, including Kühn Elektronik GmbH and Maison Connectée SARL, telling them of this notice and of the steps you are taking.",
		"Send the authority evidence that these steps have been taken, including the firmware release notes and copies of your letters to distributors.",
	}
	return d
}

func stopDoc() notices.Document {
	d := base(notices.Stop)
	d.Notice.Deadline = nil
	d.Notice.Steps = []string{
		"Stop making the SmartCam Pro 2 available on the market in the United Kingdom, including through brightwave.co.uk and online marketplaces.",
		"Warn customers who bought the product since 29 April 2024 to change the default password, by email and on your website.",
	}
	return d
}

func recallDoc() notices.Document {
	d := base(notices.Recall)
	d.RecipientRole = "importer, distributor"
	d.Products = []products.Product{camera(), doorbell()}
	d.Notice.ProductIDs = []string{"pr-1", "pr-2"}
	d.Notice.Steps = []string{
		"Recall every unit of the products supplied to consumers in the United Kingdom, asking customers to return them to Brightwave Returns, Unit 4, Riverside Park, Ashford TN24 8QD.",
		"Offer each customer who returns a unit a full refund of the price paid, including postage.",
		"Report to the authority every two weeks the number of units sold, returned and destroyed.",
	}
	return d
}

func penaltyDoc() notices.Document {
	d := base(notices.Penalty)
	d.Recipient = operators.Operator{ID: "op-2", Name: "Shenzhen Lumina Smart Technology Co., Ltd",
		TradingNames: []string{"Lumina Smart"}, CompanyNumber: "91440300MA5FXXXX1K",
		Address: "Floor 12, Building B, Hi-Tech Park, Nanshan District, Shenzhen 518057", Country: "CN"}
	d.RecipientRole = "manufacturer"
	pay := time.Date(2027, 1, 8, 0, 0, 0, 0, time.UTC)
	d.Notice.Deadline = &pay
	d.Notice.Penalty = &notices.PenaltyTerms{
		QualifyingRevenuePence: 400_000_000 * 100,
		RevenuePeriod:          "financial year ended 31 March 2026",
		AmountPence:            2_500_000 * 100,
		DailyPence:             5_000 * 100,
	}
	d.PenaltyCap = d.Notice.Penalty.Cap()
	return d
}

func penaltyIntentDoc() notices.Document {
	d := penaltyDoc()
	d.Notice.Type, d.Info = notices.PenaltyIntent, notices.Info[notices.PenaltyIntent]
	d.Notice.Reference = authorityCode + "-PI-2026-0004"
	d.Notice.Verification = code(d.Notice.Reference)
	reps := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
	d.Notice.Deadline = &reps
	d.Notice.Penalty.DailyPence = 0
	return d
}

func informationDoc() notices.Document {
	d := base(notices.Information)
	d.Schedule = nil
	d.Notice.RequirementIDs = nil
	d.Exhibits = []notices.ExhibitRef{exPurchase}
	d.Notice.EvidenceIDs = []string{"ex-001"}
	d.Notice.Steps = []string{
		"The statement of compliance supplied with the SmartCam Pro 2, and the name and address of the person who signed it.",
		"The number of units of the product supplied in the United Kingdom since 29 April 2024, by month and by customer channel.",
		"The defined support period for the product and every place where it has been published.",
	}
	return d
}

func intentDoc() notices.Document {
	d := complianceDoc()
	d.Notice.Type, d.Info = notices.Intent, notices.Info[notices.Intent]
	d.Notice.Reference = authorityCode + "-NI-2026-0031"
	d.Notice.Verification = code(d.Notice.Reference)
	reps := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	d.Notice.Deadline = &reps
	return d
}

// draftDoc is a preview of the compliance notice before approval.
func draftDoc() notices.Document {
	d := complianceDoc()
	d.Draft = true
	d.Notice.Status = notices.Draft
	d.Notice.Reference, d.Notice.Verification, d.Notice.IssuedAt, d.Notice.IssuerID = "", "", nil, ""
	d.IssuerName, d.ApproverName, d.Notice.ApproverID = "", "", ""
	d.Date = time.Date(2026, 11, 25, 16, 40, 0, 0, time.UTC)
	return d
}

// longSchedule is a compliance notice citing n failed requirements, for
// page-break behaviour.
func longSchedule(n int) notices.Document {
	d := complianceDoc()
	all := requirements.All()
	d.Schedule = nil
	d.Notice.RequirementIDs = nil
	for i := range n {
		r := all[i%len(all)]
		ex := exDefaultLogin
		if i%2 == 1 {
			ex = exScan
		}
		// "Row NN" and "RNN-end." mark where each row starts and ends.
		d.Schedule = append(d.Schedule, row(r.ID, fmt.Sprintf("Row %02d: the officer examined test unit %d and "+
			"found that the requirement was not met; the observations are recorded in the exhibits cited. R%02d-end.",
			i+1, i%3+1, i+1),
			[]notices.ExhibitRef{ex}))
		d.Notice.RequirementIDs = append(d.Notice.RequirementIDs, r.ID)
	}
	return d
}
