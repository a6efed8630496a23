package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
)

type requirementDTO struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	Title       string   `json:"title"`
	Summary     string   `json:"summary,omitempty"`
	LegalRef    string   `json:"legal_ref,omitempty"`
	Clause      string   `json:"clause,omitempty"`
	ClauseTitle string   `json:"clause_title,omitempty"`
	Status      string   `json:"status,omitempty"`
	Conditions  []int    `json:"conditions,omitempty"`
	DeemedBy    []string `json:"deemed_compliance_by,omitempty"`
	MapsTo      []string `json:"maps_to,omitempty"`
}

type requirementsQuery struct {
	Kind string `query:"kind" validate:"omitempty,oneof=psti psti_soc en303645 cop"`
}

type requirementsResp struct {
	Items      []requirementDTO  `json:"items"`
	Conditions map[string]string `json:"conditions"`
}

func (s *Server) mountRequirements() {
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/requirements",
		Summary: "The requirement catalogue: PSTI Sch 1, the statement of compliance, every EN 303 645 V2.1.1 provision, the Code of Practice",
		Tag:     "requirements", Access: Scoped, Perm: Perm{"requirement", "read"}, Query: requirementsQuery{},
		Resp: requirementsResp{}, Handler: s.listRequirements})
}

func (s *Server) listRequirements(c *fiber.Ctx) error {
	q, err := parseQuery[requirementsQuery](c)
	if err != nil {
		return err
	}
	out := requirementsResp{Items: []requirementDTO{}, Conditions: map[string]string{}}
	for n, text := range requirements.Conditions() {
		out.Conditions[strconv.Itoa(n)] = text
	}
	for _, r := range requirements.All() {
		if q.Kind != "" && !strings.EqualFold(string(r.Kind), q.Kind) {
			continue
		}
		out.Items = append(out.Items, requirementDTO{ID: r.ID, Kind: string(r.Kind), Title: r.Title, Summary: r.Summary,
			LegalRef: r.LegalRef, Clause: r.Clause, ClauseTitle: r.ClauseTitle, Status: r.Status, Conditions: r.Conditions,
			DeemedBy: r.DeemedBy, MapsTo: r.MapsTo})
	}
	c.Set(fiber.HeaderCacheControl, "private, max-age=3600")
	return c.JSON(out)
}
