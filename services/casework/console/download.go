package console

import (
	"fmt"
	"io"
	"net/http"

	"github.com/gofiber/fiber/v2"
)

// passDownload sends one API request and hands its file answer to the
// browser as an attachment: the API's Content-Disposition is kept, and the
// content type is forced when one is given (exhibits are never rendered).
func (con *Console) passDownload(c *fiber.Ctx, method, path string, body io.Reader, contentType string,
	header http.Header, forceType ...string) error {
	res, err := sess(c).api.raw(ctx(c), method, path, body, contentType, header)
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
	if len(forceType) > 0 {
		ctype = forceType[0]
	}
	c.Set("Content-Type", ctype)
	cd := res.Header.Get("Content-Disposition")
	if cd == "" {
		cd = "attachment"
	}
	c.Set("Content-Disposition", cd)
	return c.Send(b)
}
