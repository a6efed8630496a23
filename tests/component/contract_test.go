package component_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/cases"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
	"github.com/tradewarden/tradewarden/services/casework/core/reports"
	"github.com/tradewarden/tradewarden/services/casework/wiring/wiringtest"
)

// expectField checks a problem names exactly the request's JSON field.
func expectField(t *testing.T, r *wiringtest.Response, status int, field string) {
	t.Helper()
	p := r.Expect(status).Problem()
	if !p.HasField(field) {
		t.Fatalf("problem does not name %s: %+v", field, p)
	}
}

// A badly formatted date anywhere in a JSON body is a field error naming
// it, like a bad multipart field, not "the JSON body could not be decoded"
// (400, as for a JSON value of the wrong type).
func TestBadDatesInJSONBodiesNameTheField(t *testing.T) {
	env := wiringtest.New(t)
	sup := env.As(supervisor, "KENT-TS")
	s := setupNoticeCase(t, env)
	base := "/api/v1/cases/" + s.caseID + "/notices"

	b := draftBody(s, "compliance")
	b["comply_by"] = "31/01/2027"
	expectField(t, sup.Post(base, b), 400, "comply_by")

	var n noticeView
	sup.Post(base, draftBody(s, "compliance")).Expect(201).JSON(&n)
	expectField(t, sup.Post("/api/v1/notices/"+n.ID+"/serve",
		map[string]any{"method": "hand", "served_at": "yesterday", "served_to": "Director"}), 400, "served_at")

	path := "/api/v1/products/" + s.productID
	expectField(t, sup.Header("If-Match", `"1"`).Patch(path,
		map[string]any{"support_period": map[string]any{"end_date": "2027-02-30", "where": "product page"}}), 400,
		"support_period.end_date")
	// Nothing changed.
	var p struct {
		Version int `json:"version"`
	}
	sup.Get(path).Expect(200).JSON(&p)
	if p.Version != 1 {
		t.Fatalf("a refused patch changed the product: version %d", p.Version)
	}
}

// Field errors use the request's JSON names, not the domain's.
func TestFieldErrorsUseTheRequestNames(t *testing.T) {
	env := wiringtest.New(t)
	sup := env.As(supervisor, "KENT-TS")
	s := setupNoticeCase(t, env)
	b := draftBody(s, "penalty")
	b["comply_by"] = time.Now().AddDate(0, 0, 30).Format(time.DateOnly)
	b["penalty"] = map[string]any{"qualifying_worldwide_revenue_pence": int64(400_000_000) * 100, "revenue_period": "FY2025",
		"amount_pence": int64(16_000_001) * 100, "daily_amount_pence": 0}
	expectField(t, sup.Post("/api/v1/cases/"+s.caseID+"/notices", b), 422, "penalty.amount_pence")
	b["penalty"].(map[string]any)["amount_pence"] = 0
	expectField(t, sup.Post("/api/v1/cases/"+s.caseID+"/notices", b), 422, "penalty.amount_pence")

	expectField(t, sup.Post("/api/v1/operators", map[string]any{"name": "Vdp Ltd", "vulnerability_disclosure_url": "not a url"}),
		422, "vulnerability_disclosure_url")
}

// PATCH /notices/{id} is an RFC 7396 merge patch: only the members sent
// change, null removes one, and bad members are refused as on create.
func TestNoticePatchIsAMergePatch(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	s := setupNoticeCase(t, env)
	var n noticeView
	off.Post("/api/v1/cases/"+s.caseID+"/notices", draftBody(s, "compliance")).Expect(201).JSON(&n)
	path := "/api/v1/notices/" + n.ID
	ifMatch := func(v int) *wiringtest.Client { return off.Header("If-Match", fmt.Sprintf(`"%d"`, v)) }

	var got map[string]any
	ifMatch(n.Version).Patch(path, map[string]any{"steps": []string{"Only this step."}}).Expect(200).JSON(&got)
	steps, _ := got["steps"].([]any)
	if len(steps) != 1 || steps[0] != "Only this step." || got["type"] != "compliance" || got["operator_id"] != s.operatorID ||
		got["comply_by"] == nil || len(got["requirement_ids"].([]any)) != 2 {
		t.Fatalf("merge patch of steps: %+v", got)
	}
	version := int(got["version"].(float64))
	// null removes a member (and the domain rules still apply: a compliance
	// notice needs its deadline).
	ifMatch(version).Patch(path, map[string]any{"product_ids": nil}).Expect(200).JSON(&got)
	if ids, _ := got["product_ids"].([]any); len(ids) != 0 || got["comply_by"] == nil {
		t.Fatalf("product_ids: null did not remove the products: %+v", got)
	}
	expectField(t, ifMatch(int(got["version"].(float64))).Patch(path, map[string]any{"comply_by": nil}), 422, "comply_by")
	version = int(got["version"].(float64))
	// Bad members are refused as on create and change nothing.
	expectField(t, ifMatch(version).Patch(path, map[string]any{"type": "summons"}), 422, "type")
	expectField(t, ifMatch(version).Patch(path, map[string]any{"comply_by": "31/01/2027"}), 400, "comply_by")
	expectField(t, ifMatch(version).Patch(path, map[string]any{"colour": "red"}), 400, "colour")
	ifMatch(version).Patch(path, []string{"steps"}).Expect(400)
	ifMatch(version-1).Patch(path, map[string]any{"steps": []string{"x"}}).Expect(412)
	off.Get(path).Expect(200).JSON(&got)
	if int(got["version"].(float64)) != version {
		t.Fatalf("refused patches changed the notice: %+v", got)
	}
}

// Case parties come back with the operator's name beside its id and role.
func TestCasePartiesNameTheOperator(t *testing.T) {
	env := wiringtest.New(t)
	off := env.As(officer, "KENT-TS")
	s := setupNoticeCase(t, env)
	var parties struct {
		Items []struct {
			OperatorID   string `json:"operator_id"`
			OperatorName string `json:"operator_name"`
			Role         string `json:"role"`
		}
	}
	off.Get("/api/v1/cases/" + s.caseID + "/parties").Expect(200).JSON(&parties)
	if len(parties.Items) != 1 || parties.Items[0].OperatorID != s.operatorID ||
		parties.Items[0].OperatorName != "Brightwave Devices Ltd" || parties.Items[0].Role != "manufacturer" {
		t.Fatalf("parties: %+v", parties.Items)
	}
	var op struct{ ID string }
	off.Post("/api/v1/operators", map[string]any{"name": "Quickship Imports Ltd"}).Expect(201).JSON(&op)
	var added map[string]any
	off.Post("/api/v1/cases/"+s.caseID+"/parties", map[string]string{"operator_id": op.ID, "role": "importer"}).
		Expect(201).JSON(&added)
	if added["operator_name"] != "Quickship Imports Ltd" || added["role"] != "importer" {
		t.Fatalf("added party: %+v", added)
	}
}

// The OpenAPI document describes the evidence upload's multipart body with
// its required fields, the enums from the domain's own lists (closure
// reasons, access levels, metrics), and the roles enum on the array's items.
func TestOpenAPIDescribesBodiesAndEnums(t *testing.T) {
	env := wiringtest.New(t)
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]*schemaView `json:"schemas"`
		} `json:"components"`
	}
	env.Anonymous().Get("/openapi.json").Expect(200).JSON(&doc)
	schema := func(ref string) *schemaView {
		t.Helper()
		s := doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")]
		if s == nil {
			t.Fatalf("no schema %s", ref)
		}
		return s
	}
	var upload struct {
		RequestBody struct {
			Content map[string]struct {
				Schema struct {
					Ref string `json:"$ref"`
				} `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
	}
	if err := json.Unmarshal(doc.Paths["/api/v1/cases/{id}/evidence"]["post"], &upload); err != nil {
		t.Fatal(err)
	}
	form := schema(upload.RequestBody.Content["multipart/form-data"].Schema.Ref)
	for _, f := range []string{"file", "description", "collected_at", "collected_by"} {
		if !slices.Contains(form.Required, f) {
			t.Errorf("upload form does not require %s: %v", f, form.Required)
		}
	}
	if form.Properties["file"] == nil || form.Properties["power_used"] == nil || len(form.Properties["power_used"].Enum) == 0 {
		t.Errorf("upload form fields: %+v", form.Properties)
	}
	roles := schema("HttpapiNewUserReq").Properties["roles"]
	if roles == nil || len(roles.Enum) != 0 || roles.Items == nil || !sameValues(roles.Items.Enum, principal.Roles) {
		t.Errorf("roles: the enum belongs on the items: %+v", roles)
	}
	enumIs := func(name string, got *schemaView, want any) {
		t.Helper()
		if got == nil || !sameValues(got.Enum, want) {
			t.Errorf("%s enum: %+v, want %v", name, got, want)
		}
	}
	enumIs("closure_reason", schema("HttpapiCaseDTO").Properties["closure_reason"], cases.ClosureReasons)
	enumIs("access_level", schema("HttpapiReferralReq").Properties["access_level"], cases.AccessLevels)
	enumIs("party role", schema("HttpapiPartyDTO").Properties["role"], cases.PartyRoles)
	enumIs("transition to", schema("HttpapiTransitionReq").Properties["to"], cases.Statuses)
	var ts struct {
		Parameters []struct {
			Name   string      `json:"name"`
			In     string      `json:"in"`
			Schema *schemaView `json:"schema"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(doc.Paths["/api/v1/reports/timeseries"]["get"], &ts); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range ts.Parameters {
		if p.Name == "metric" && p.In == "query" {
			found = true
			enumIs("metric", p.Schema, reports.Metrics)
		}
	}
	if !found {
		t.Error("the timeseries metric query parameter is not documented")
	}
}

// schemaView is the part of a JSON schema the OpenAPI test reads.
type schemaView struct {
	Enum       []any                  `json:"enum"`
	Required   []string               `json:"required"`
	Properties map[string]*schemaView `json:"properties"`
	Items      *schemaView            `json:"items"`
}

// sameValues reports whether got lists exactly the strings of want (a slice
// of a string type), in order.
func sameValues(got []any, want any) bool {
	w := fmt.Sprint(want)
	g := make([]string, len(got))
	for i, v := range got {
		g[i] = fmt.Sprint(v)
	}
	return "["+strings.Join(g, " ")+"]" == w
}
