package console

import (
	"fmt"
	"io"
	"net/http"

	"github.com/gofiber/fiber/v2"
)

// passDownload GETs a file from the API and hands it to the browser as an
// attachment: the API's Content-Disposition is kept, and the content type
// is forced to forceType unless it is "" (exhibits are never rendered).
func (con *Console) passDownload(c *fiber.Ctx, path, forceType string) error {
	res, err := sess(c).api.raw(ctx(c), http.MethodGet, path, nil, "", nil)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if err := checkStatus(res); err != nil {
		return err
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	ctype := res.Header.Get("Content-Type")
	if forceType != "" {
		ctype = forceType
	}
	c.Set("Content-Type", ctype)
	cd := res.Header.Get("Content-Disposition")
	if cd == "" {
		cd = "attachment"
	}
	c.Set("Content-Disposition", cd)
	return c.Send(b)
}
