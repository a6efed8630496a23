package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

var allRoles = []string{"officer", "supervisor", "analyst", "admin"}

func (con *Console) adminRoutes(r fiber.Router) {
	r.Get("/users", con.usersPage)
	r.Post("/users", con.inviteUser)
	r.Get("/users/:id", con.userPage)
	r.Post("/users/:id/grants", con.grantRole)
	r.Post("/users/:id/grants/:role/remove", con.revokeRole)
	r.Get("/profile", con.need("admin"), con.profilePage)
	r.Post("/profile", con.need("admin"), con.saveProfile)
	r.Get("/audit", con.auditPage)
	r.Post("/audit/verify", con.verifyAudit)
}

type pendingInvitation struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Roles     []string  `json:"roles"`
	Status    string    `json:"status"`
	ExpiresAt time.Time `json:"expires_at"`
}

type usersView struct {
	Users       []adminUser
	Invitations []pendingInvitation
	Form        inviteForm
	Roles       []string
}

type inviteForm struct {
	Name, Email string
	Roles       []string
}

func (con *Console) usersPage(c *fiber.Ctx) error {
	return con.showUsers(c, http.StatusOK, inviteForm{}, nil)
}

func (con *Console) showUsers(c *fiber.Ctx, status int, form inviteForm, errs []formError) error {
	var out listOf[adminUser]
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/admin/users", nil, &out); err != nil {
		return err
	}
	var inv listOf[pendingInvitation]
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/admin/invitations", nil, &inv); err != nil {
		return err
	}
	v := usersView{Users: out.Items, Form: form, Roles: allRoles}
	for _, i := range inv.Items {
		if i.Status == "pending" {
			v.Invitations = append(v.Invitations, i)
		}
	}
	return con.render(c, status, "admin-users", "Users", v, withNav("admin"), withErrors(errs))
}

// inviteUser adds a person by invitation: the code is what they accept it
// with (and their first password if they had no account).
func (con *Console) inviteUser(c *fiber.Ctx) error {
	form := inviteForm{Name: strings.TrimSpace(c.FormValue("name")), Email: strings.TrimSpace(c.FormValue("email")),
		Roles: formValues(c, "roles")}
	var errs []formError
	if form.Name == "" {
		errs = append(errs, formError{"name", "Enter the person's name"})
	}
	if form.Email == "" {
		errs = append(errs, formError{"email", "Enter the person's email address"})
	}
	if len(form.Roles) == 0 {
		errs = append(errs, formError{"roles", "Select at least one role"})
	}
	if c.FormValue("code") == "" {
		errs = append(errs, formError{"code", "Enter an invitation code to give the person"})
	}
	if len(errs) == 0 {
		body := map[string]any{"name": form.Name, "email": form.Email, "roles": form.Roles, "password": c.FormValue("code")}
		err := sess(c).api.call(ctx(c), http.MethodPost, "/admin/users", body, nil)
		p, ok := asProblem(err)
		switch {
		case ok && p.Status == http.StatusUnprocessableEntity:
			errs = fieldErrors(p, map[string]string{"password": "Choose a stronger invitation code (at least 12 characters, not a common password)"})
			for i := range errs {
				if errs[i].Field == "password" {
					errs[i].Field = "code"
				}
			}
		case ok && p.Status == http.StatusConflict:
			errs = []formError{{"email", "This person already holds roles here: add roles on their page"}}
		case err != nil:
			return err
		default:
			return con.done(c, "/admin/users", "Invitation sent to "+form.Email+": give them the code")
		}
	}
	return con.showUsers(c, http.StatusUnprocessableEntity, form, errs)
}

func (con *Console) userPage(c *fiber.Ctx) error {
	var u adminUser
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/admin/users/"+pathID(c), nil, &u); err != nil {
		return err
	}
	var missing []string
	for _, r := range allRoles {
		if !contains(u.Roles, r) {
			missing = append(missing, r)
		}
	}
	v := map[string]any{"User": u, "Missing": missing, "Self": u.ID == sess(c).Me.ID}
	return con.render(c, http.StatusOK, "admin-user", u.Name, v, withNav("admin"), withCrumbs(crumb{"Users", "/admin/users"}))
}

func (con *Console) grantRole(c *fiber.Ctx) error {
	role := c.FormValue("role")
	err := sess(c).api.call(ctx(c), http.MethodPost, "/admin/users/"+pathID(c)+"/grants", map[string]string{"role": role}, nil)
	if p, ok := asProblem(err); ok && p.Status != http.StatusNotFound && p.Status < 500 {
		return con.done(c, "/admin/users/"+pathID(c), "Not done: "+sentence(firstNonEmpty(p.Detail, p.Title)))
	}
	if err != nil {
		return err
	}
	return con.done(c, "/admin/users/"+pathID(c), label(role)+" role granted")
}

func (con *Console) revokeRole(c *fiber.Ctx) error {
	role := c.Params("role")
	if !contains(allRoles, role) {
		return fiber.ErrNotFound
	}
	err := sess(c).api.call(ctx(c), http.MethodDelete, "/admin/users/"+pathID(c)+"/grants/"+role, nil, nil)
	if p, ok := asProblem(err); ok && p.Status != http.StatusNotFound && p.Status < 500 {
		return con.done(c, "/admin/users/"+pathID(c), "Not done: "+sentence(firstNonEmpty(p.Detail, p.Title)))
	}
	if err != nil {
		return err
	}
	return con.done(c, "/admin/users/"+pathID(c), label(role)+" role removed")
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

type auditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	Hash       string    `json:"hash"`
}

type auditView struct {
	Entries []auditEntry
	Next    string
	Result  *struct {
		OK         bool   `json:"ok"`
		Entries    int64  `json:"entries"`
		FirstBadID *int64 `json:"first_bad_id"`
		Reason     string `json:"reason"`
		Problems   []struct {
			Check  string `json:"check"`
			Reason string `json:"reason"`
		} `json:"problems"`
	}
}

func (con *Console) loadAudit(c *fiber.Ctx) (auditView, error) {
	var v auditView
	var out listOf[auditEntry]
	err := sess(c).api.call(ctx(c), http.MethodGet, "/audit"+query("limit", "50", "cursor", c.Query("cursor")), nil, &out)
	v.Entries, v.Next = out.Items, out.NextCursor
	return v, err
}

func (con *Console) auditPage(c *fiber.Ctx) error {
	v, err := con.loadAudit(c)
	if err != nil {
		return err
	}
	return con.render(c, http.StatusOK, "admin-audit", "Audit log", v, withNav("admin"))
}

func (con *Console) verifyAudit(c *fiber.Ctx) error {
	v, err := con.loadAudit(c)
	if err != nil {
		return err
	}
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/audit/verify", nil, &v.Result); err != nil {
		return err
	}
	return con.render(c, http.StatusOK, "admin-audit", "Audit log", v, withNav("admin"))
}
