package httpapi

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tradewarden/tradewarden/services/casework/core/authorities"
)

type paymentDetailsDTO struct {
	Bank          string `json:"bank" validate:"max=100"`
	AccountName   string `json:"account_name" validate:"max=100"`
	SortCode      string `json:"sort_code" validate:"max=8"`
	AccountNumber string `json:"account_number" validate:"max=12"`
}

type profileReq struct {
	FullName string   `json:"full_name" validate:"required,max=200"`
	Address  []string `json:"address" validate:"required,min=1,max=8"`
	Phone    string   `json:"phone" validate:"max=40"`
	Email    string   `json:"email" validate:"max=254"`
	Website  string   `json:"website" validate:"max=200"`
	// LogoPNG is base64 in JSON; encoding/json decodes it.
	LogoPNG                    []byte             `json:"logo_png" description:"optional PNG logo, base64, at most 256 KiB and 2000 pixels a side"`
	OnBehalfOfSecretaryOfState bool               `json:"on_behalf_of_secretary_of_state" description:"national authorities only: prints 'on behalf of the Secretary of State' under the name"`
	Payment                    *paymentDetailsDTO `json:"payment" description:"where penalties are paid; printed on penalty notices with the notice reference as the payment reference"`
	DeemedServiceDays          map[string]int     `json:"deemed_service_days" validate:"max=5" description:"business days after sending by method (hand, post, recorded_delivery, email, registered_office) when a notice is treated as served; absent methods use the defaults"`
	EvidenceRetentionDays      int                `json:"evidence_retention_days" validate:"min=0,max=36500" description:"days each exhibit is kept under S3 Object Lock (compliance mode) where the store supports it; 0 or absent: the deployment default"`
}

type profileDTO struct {
	Authority                  string             `json:"authority"`
	Name                       string             `json:"name"`
	National                   bool               `json:"national"`
	FullName                   string             `json:"full_name"`
	Address                    []string           `json:"address"`
	Phone                      string             `json:"phone,omitempty"`
	Email                      string             `json:"email,omitempty"`
	Website                    string             `json:"website,omitempty"`
	LogoPNG                    []byte             `json:"logo_png,omitempty"`
	OnBehalfOfSecretaryOfState bool               `json:"on_behalf_of_secretary_of_state"`
	Payment                    *paymentDetailsDTO `json:"payment,omitempty"`
	DeemedServiceDays          map[string]int     `json:"deemed_service_days" description:"in force for every method, defaults included"`
	EvidenceRetentionDays      int                `json:"evidence_retention_days" description:"Object Lock retention of new exhibits in days; 0: the deployment default"`
	UpdatedAt                  *time.Time         `json:"updated_at,omitempty"`
	UpdatedBy                  string             `json:"updated_by,omitempty"`
	Version                    int                `json:"version"`
}

func toProfileDTO(p authorities.Profile) profileDTO {
	out := profileDTO{Authority: p.AuthorityCode, Name: p.Name, National: p.National, FullName: p.DisplayName(),
		Address: orEmpty(p.Address), Phone: p.Phone, Email: p.Email, Website: p.Website, LogoPNG: p.Logo,
		OnBehalfOfSecretaryOfState: p.OnBehalfOfSecretaryOfState, UpdatedBy: p.UpdatedBy, Version: p.Version,
		DeemedServiceDays: map[string]int{}, EvidenceRetentionDays: p.EvidenceRetentionDays}
	if !p.UpdatedAt.IsZero() {
		t := p.UpdatedAt
		out.UpdatedAt = &t
	}
	if pay := p.Payment; pay != nil {
		out.Payment = &paymentDetailsDTO{Bank: pay.Bank, AccountName: pay.AccountName, SortCode: pay.SortCode, AccountNumber: pay.AccountNumber}
	}
	for _, m := range authorities.ServiceMethods {
		out.DeemedServiceDays[m] = p.DeemedDays(m)
	}
	return out
}

func (r profileReq) toInput() authorities.Input {
	in := authorities.Input{FullName: r.FullName, Address: r.Address, Phone: r.Phone, Email: r.Email, Website: r.Website,
		Logo: r.LogoPNG, OnBehalfOfSecretaryOfState: r.OnBehalfOfSecretaryOfState, DeemedService: r.DeemedServiceDays,
		EvidenceRetentionDays: r.EvidenceRetentionDays}
	if p := r.Payment; p != nil {
		in.Payment = &authorities.Payment{Bank: p.Bank, AccountName: p.AccountName, SortCode: p.SortCode, AccountNumber: p.AccountNumber}
	}
	return in
}

func (s *Server) mountAuthorities() {
	path := Prefix + "/authorities/:code/profile"
	s.add(Route{Method: http.MethodGet, Path: path, Summary: "An authority's letterhead, payment details and deemed-service days",
		Description: "Your own authority's; a national authority's staff may read any.", Tag: "authorities",
		Access: Scoped, Perm: Perm{"authority", "read"}, Resp: profileDTO{}, Handler: s.getProfile})
	s.add(Route{Method: http.MethodPut, Path: path, Summary: "Replace an authority's profile (its admin, or a national admin)",
		Description: "Printed as the letterhead of every notice issued afterwards; notices already issued keep what they printed. " +
			"Audited as `authority.profile_update`.", Tag: "authorities",
		Access: Scoped, Perm: Perm{"authority", "update"}, Body: profileReq{}, Resp: profileDTO{}, Handler: s.putProfile})
}

func (s *Server) getProfile(c *fiber.Ctx) error {
	p, err := s.deps.Authorities.Get(c.UserContext(), c.Params("code"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(toProfileDTO(p))
}

func (s *Server) putProfile(c *fiber.Ctx) error {
	in, err := decodeJSON[profileReq](s, c)
	if err != nil {
		return err
	}
	p, err := s.deps.Authorities.Put(c.UserContext(), c.Params("code"), in.toInput())
	if err != nil {
		return err
	}
	return c.JSON(toProfileDTO(p))
}
