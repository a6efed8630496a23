package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

type signInView struct{ Email, Next string }

func (con *Console) signInPage(c *fiber.Ctx) error {
	return con.render(c, http.StatusOK, "sign-in", "Sign in", signInView{Next: safeNext(c.Query("next"))})
}

// signIn exchanges email and password for an API token kept in an HttpOnly
// cookie. The API's answers for unknown emails and wrong passwords are the
// same, and so are ours.
func (con *Console) signIn(c *fiber.Ctx) error {
	if !checkForm(c, c.Cookies(cookiePre)) {
		return con.forbidden(c)
	}
	in := signInView{Email: strings.TrimSpace(c.FormValue("email")), Next: safeNext(c.FormValue("next"))}
	var errs []formError
	if in.Email == "" {
		errs = append(errs, formError{"email", "Enter your email address"})
	}
	if c.FormValue("password") == "" {
		errs = append(errs, formError{"password", "Enter your password"})
	}
	if len(errs) > 0 {
		return con.render(c, http.StatusUnprocessableEntity, "sign-in", "Sign in", in, withErrors(errs))
	}
	var out struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	cl := client{api: con.api, clientIP: forwardedFor(c)}
	err := cl.call(ctx(c), http.MethodPost, "/auth/login", map[string]string{"email": in.Email,
		"password": c.FormValue("password")}, &out)
	if p, ok := asProblem(err); ok {
		msg := "Enter a correct email address and password"
		if p.Status == http.StatusTooManyRequests {
			msg = "Too many attempts to sign in. Wait a few minutes and try again"
		}
		return con.render(c, p.Status, "sign-in", "Sign in", in, withErrors([]formError{{"email", msg}}))
	}
	if err != nil {
		return err
	}
	con.setCookie(c, cookieSession, out.Token, time.Until(out.ExpiresAt))
	con.setCookie(c, cookiePre, "", 0)
	return c.Redirect(in.Next, http.StatusSeeOther)
}

func (con *Console) signOut(c *fiber.Ctx) error {
	_ = sess(c).api.call(ctx(c), http.MethodPost, "/auth/logout", nil, nil)
	con.setCookie(c, cookieSession, "", 0)
	con.setCookie(c, cookieAuthority, "", 0)
	return con.done(c, "/sign-in", "You have signed out")
}

type authorityChoice struct {
	Code  string
	Roles []string
}

func (con *Console) chooseAuthorityPage(c *fiber.Ctx) error {
	s := sess(c)
	var opts []authorityChoice
	for _, a := range s.Me.Authorities() {
		opts = append(opts, authorityChoice{Code: a, Roles: s.Me.roles(a)})
	}
	return con.render(c, http.StatusOK, "choose-authority", "Which authority are you acting for?", opts)
}

func (con *Console) chooseAuthority(c *fiber.Ctx) error {
	s := sess(c)
	choice := c.FormValue("authority")
	if !contains(s.Me.Authorities(), choice) {
		var opts []authorityChoice
		for _, a := range s.Me.Authorities() {
			opts = append(opts, authorityChoice{Code: a, Roles: s.Me.roles(a)})
		}
		return con.render(c, http.StatusUnprocessableEntity, "choose-authority", "Which authority are you acting for?", opts,
			withErrors([]formError{{"authority", "Select the authority you are acting for"}}))
	}
	con.setCookie(c, cookieAuthority, choice, 12*time.Hour)
	return c.Redirect("/", http.StatusSeeOther)
}

func (con *Console) passwordPage(c *fiber.Ctx) error {
	return con.render(c, http.StatusOK, "password", "Change your password", nil)
}

func (con *Console) changePassword(c *fiber.Ctx) error {
	body := map[string]string{"current_password": c.FormValue("current_password"), "new_password": c.FormValue("new_password")}
	err := sess(c).api.call(ctx(c), http.MethodPost, "/me/password", body, nil)
	if p, ok := asProblem(err); ok && p.Status < 500 {
		return con.render(c, http.StatusUnprocessableEntity, "password", "Change your password", nil,
			withErrors(fieldErrors(p, map[string]string{"current_password": "Enter your current password correctly",
				"new_password": "Choose a stronger new password"})))
	}
	if err != nil {
		return err
	}
	return con.done(c, "/", "Your password has been changed")
}

type invitation struct {
	ID        string `json:"id"`
	Authority struct {
		Code string `json:"code"`
		Name string `json:"name"`
	} `json:"authority"`
	Roles     []string  `json:"roles"`
	InvitedBy string    `json:"invited_by"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (con *Console) invitationsPage(c *fiber.Ctx) error {
	var out struct {
		Items []invitation `json:"items"`
	}
	if err := sess(c).api.call(ctx(c), http.MethodGet, "/me/invitations", nil, &out); err != nil {
		return err
	}
	return con.render(c, http.StatusOK, "invitations", "Invitations", out.Items)
}

func (con *Console) answerInvitation(c *fiber.Ctx) error {
	decision := c.Params("decision")
	if decision != "accept" && decision != "decline" {
		return fiber.ErrNotFound
	}
	body := map[string]string{"code": c.FormValue("code")}
	if err := sess(c).api.call(ctx(c), http.MethodPost, "/me/invitations/"+c.Params("id")+"/"+decision, body, nil); err != nil {
		return err
	}
	msg := "Invitation declined"
	if decision == "accept" {
		msg = "Invitation accepted: your new roles are ready"
	}
	return con.done(c, "/invitations", msg)
}

// fieldErrors maps the API's field errors onto the console's own words,
// keeping the API's message only where we have none.
func fieldErrors(p *problem, words map[string]string) []formError {
	var out []formError
	for _, e := range p.Errors {
		field := strings.ReplaceAll(e.Field, ".", "-")
		msg := words[e.Field]
		if msg == "" {
			msg = sentence(e.Message)
		}
		out = append(out, formError{Field: field, Message: msg})
	}
	if len(out) == 0 {
		msg := p.Detail
		if msg == "" {
			msg = p.Title
		}
		out = append(out, formError{Message: sentence(msg)})
	}
	return out
}

func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
