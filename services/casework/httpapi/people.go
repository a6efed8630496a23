package httpapi

import (
	"net/http"
	"sort"

	"github.com/gofiber/fiber/v2"
)

// personDTO is a colleague as case workers see them: who they are and what
// they do here, nothing an admin alone should see (email, account state).
type personDTO struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Roles []string `json:"roles" enum:"officer,supervisor,analyst,admin"`
}

type personList struct {
	Items []personDTO `json:"items"`
}

func (s *Server) mountPeople() {
	s.add(Route{Method: http.MethodGet, Path: Prefix + "/people", Summary: "The people holding roles in your authority (names and roles)",
		Description: "What a supervisor needs to assign a case and what every screen needs to show a name for an id: " +
			"no emails, no account state (those are for admins, at /admin/users). Disabled accounts are left out.",
		Tag: "people", Access: Scoped, Perm: Perm{"people", "read"}, Resp: personList{}, Handler: s.listPeople})
}

func (s *Server) listPeople(c *fiber.Ctx) error {
	users, err := s.deps.Identity.UsersInAuthority(c.UserContext(), caller(c).Authority.ID)
	if err != nil {
		return err
	}
	out := personList{Items: make([]personDTO, 0, len(users))}
	for _, u := range users {
		if u.User.Disabled {
			continue
		}
		p := personDTO{ID: u.User.ID, Name: u.User.Name, Roles: []string{}}
		for _, g := range u.Grants {
			p.Roles = append(p.Roles, string(g.Role))
		}
		out.Items = append(out.Items, p)
	}
	sort.Slice(out.Items, func(i, j int) bool { return out.Items[i].Name < out.Items[j].Name })
	return c.JSON(out)
}
