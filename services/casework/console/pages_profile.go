package console

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// serviceMethods are the ways a notice can be served, in the order shown.
var serviceMethods = []string{"hand", "post", "recorded_delivery", "email", "registered_office"}

// maxLogo is the largest logo the form reads; the API checks the PNG itself.
const maxLogo = 256 << 10

type payment struct {
	Bank          string `json:"bank"`
	AccountName   string `json:"account_name"`
	SortCode      string `json:"sort_code"`
	AccountNumber string `json:"account_number"`
}

type authorityProfile struct {
	Authority                  string         `json:"authority,omitempty"`
	Name                       string         `json:"name,omitempty"`
	National                   bool           `json:"national,omitempty"`
	FullName                   string         `json:"full_name"`
	Address                    []string       `json:"address"`
	Phone                      string         `json:"phone"`
	Email                      string         `json:"email"`
	Website                    string         `json:"website"`
	LogoPNG                    []byte         `json:"logo_png,omitempty"`
	OnBehalfOfSecretaryOfState bool           `json:"on_behalf_of_secretary_of_state"`
	Payment                    *payment       `json:"payment,omitempty"`
	DeemedServiceDays          map[string]int `json:"deemed_service_days"`
}

type profileView struct {
	Profile authorityProfile
	Methods []string
	Saved   bool
}

// AddressText is the address as the form's textarea shows it, a line each.
func (v profileView) AddressText() string { return strings.Join(v.Profile.Address, "\n") }

// Days is the deemed-service days for one method.
func (v profileView) Days(method string) int { return v.Profile.DeemedServiceDays[method] }

func (con *Console) profilePath(c *fiber.Ctx) string {
	return "/authorities/" + sess(c).Authority + "/profile"
}

func (con *Console) profilePage(c *fiber.Ctx) error {
	v := profileView{Methods: serviceMethods, Saved: c.Query("saved") == "1"}
	if err := sess(c).api.call(ctx(c), http.MethodGet, con.profilePath(c), nil, &v.Profile); err != nil {
		return err
	}
	return con.renderProfile(c, http.StatusOK, v, nil)
}

func (con *Console) renderProfile(c *fiber.Ctx, status int, v profileView, errs []formError) error {
	return con.render(c, status, "admin-profile", "Authority profile", v, withNav("admin"), withErrors(errs),
		withCrumbs(crumb{"Admin", "/admin/users"}))
}

// saveProfile replaces the profile from the form. The logo is kept unless a
// new one is uploaded or its removal is asked for, so saving the contact
// details does not drop it.
func (con *Console) saveProfile(c *fiber.Ctx) error {
	var current authorityProfile
	if err := sess(c).api.call(ctx(c), http.MethodGet, con.profilePath(c), nil, &current); err != nil {
		return err
	}
	in, errs := profileFromForm(c, current)
	v := profileView{Profile: in, Methods: serviceMethods}
	v.Profile.National = current.National
	if len(errs) > 0 {
		return con.renderProfile(c, http.StatusUnprocessableEntity, v, errs)
	}
	err := sess(c).api.call(ctx(c), http.MethodPut, con.profilePath(c), in, nil)
	if p, ok := asProblem(err); ok && p.Status == http.StatusUnprocessableEntity {
		return con.renderProfile(c, p.Status, v, fieldErrors(p, map[string]string{
			"full_name": "Enter the authority's full name as it should head a notice",
			"address":   "Enter the postal address, a line each (at most 8 lines)"}))
	}
	if err != nil {
		return err
	}
	return con.done(c, "/admin/profile?saved=1", "Profile saved: notices issued from now on print it")
}

func profileFromForm(c *fiber.Ctx, current authorityProfile) (authorityProfile, []formError) {
	in := authorityProfile{FullName: strings.TrimSpace(c.FormValue("full_name")),
		Phone: strings.TrimSpace(c.FormValue("phone")), Email: strings.TrimSpace(c.FormValue("email")),
		Website: strings.TrimSpace(c.FormValue("website")), LogoPNG: current.LogoPNG,
		OnBehalfOfSecretaryOfState: current.National && c.FormValue("on_behalf") == "yes",
		DeemedServiceDays:          map[string]int{}}
	for _, line := range strings.Split(c.FormValue("address"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Address = append(in.Address, line)
		}
	}
	pay := payment{Bank: strings.TrimSpace(c.FormValue("bank")), AccountName: strings.TrimSpace(c.FormValue("account_name")),
		SortCode: strings.TrimSpace(c.FormValue("sort_code")), AccountNumber: strings.TrimSpace(c.FormValue("account_number"))}
	if pay != (payment{}) {
		in.Payment = &pay
	}
	var errs []formError
	for _, m := range serviceMethods {
		raw := strings.TrimSpace(c.FormValue("days_" + m))
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 30 {
			errs = append(errs, formError{"days_" + m, "Enter the days for " + strings.ToLower(label(m)) +
				" as a whole number from 0 to 30"})
			continue
		}
		in.DeemedServiceDays[m] = n
	}
	if c.FormValue("remove_logo") == "yes" {
		in.LogoPNG = nil
	}
	logo, err := readLogo(c)
	switch {
	case err != nil:
		errs = append(errs, formError{"logo", err.Error()})
	case logo != nil:
		in.LogoPNG = logo
	}
	return in, errs
}

// readLogo returns the uploaded logo's bytes, nil when none was chosen.
func readLogo(c *fiber.Ctx) ([]byte, error) {
	fh, err := c.FormFile("logo")
	if err != nil || fh.Size == 0 {
		return nil, nil
	}
	if fh.Size > maxLogo {
		return nil, fmt.Errorf("the logo must be a PNG of at most 256 KB")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("the logo could not be read: choose the file again")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxLogo+1))
	if err != nil {
		return nil, fmt.Errorf("the logo could not be read: choose the file again")
	}
	return b, nil
}
