package console

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
)

type listingRec struct {
	ID                         string    `json:"id"`
	Retailer                   string    `json:"retailer"`
	MarketType                 string    `json:"market_type"`
	Seller                     string    `json:"seller"`
	URL                        string    `json:"url"`
	Title                      string    `json:"title"`
	Brand                      string    `json:"brand"`
	Model                      string    `json:"model"`
	GTIN                       string    `json:"gtin"`
	Price                      *price    `json:"price"`
	ObservedAt                 time.Time `json:"observed_at"`
	SupportPeriodText          string    `json:"support_period_text"`
	VulnerabilityDisclosureURL string    `json:"vulnerability_disclosure_url"`
	SellerCategory             string    `json:"seller_category"`
	Status                     string    `json:"status"`
	ProductID                  *string   `json:"product_id"`
	Link                       string    `json:"link"`
	MatchReason                string    `json:"match_reason"`
}

type productCandidate struct {
	ProductID string   `json:"product_id"`
	Brand     string   `json:"brand"`
	Model     string   `json:"model"`
	GTIN      string   `json:"gtin"`
	Score     float64  `json:"score"`
	Reasons   []string `json:"reasons"`
	Linked    bool     `json:"linked"`
}

type listingView struct {
	Listing    listingRec
	Candidates []productCandidate
	Product    *productRec
}

type productRec struct {
	ID    string `json:"id"`
	Brand string `json:"brand"`
	Model string `json:"model"`
	GTIN  string `json:"gtin"`
}

// listingPage shows one listing, the product it is linked to and the
// products it may be of, so an officer can link it (or say it is none).
func (con *Console) listingPage(c *fiber.Ctx) error {
	v, err := con.loadListing(c)
	if err != nil {
		return err
	}
	return con.renderListing(c, http.StatusOK, v, nil)
}

func (con *Console) loadListing(c *fiber.Ctx) (listingView, error) {
	var v listingView
	api := sess(c).api
	if err := api.call(ctx(c), http.MethodGet, "/listings/"+pathID(c), nil, &v.Listing); err != nil {
		return v, err
	}
	var cands struct {
		Items []productCandidate `json:"items"`
	}
	if err := api.call(ctx(c), http.MethodGet, "/listings/"+pathID(c)+"/candidates", nil, &cands); err != nil {
		return v, err
	}
	v.Candidates = cands.Items
	if id := v.Listing.ProductID; id != nil {
		var p productRec
		if err := api.call(ctx(c), http.MethodGet, "/products/"+*id, nil, &p); err != nil {
			return v, err
		}
		v.Product = &p
	}
	return v, nil
}

func (con *Console) renderListing(c *fiber.Ctx, status int, v listingView, errs []formError) error {
	return con.render(c, status, "listing", v.Listing.Title, v, withNav("search"), withErrors(errs),
		withCrumbs(crumb{"Search", "/search"}))
}

// linkListing records the officer's decision: this product, or none.
func (con *Console) linkListing(c *fiber.Ctx) error {
	choice := c.FormValue("product_id")
	if choice == "" {
		v, err := con.loadListing(c)
		if err != nil {
			return err
		}
		return con.renderListing(c, http.StatusUnprocessableEntity, v,
			[]formError{{"product_id", "Select the product this listing is of, or that it is of none of them"}})
	}
	// A null product_id is the officer's decision that it is of none.
	body := map[string]any{"product_id": choice}
	if choice == "none" {
		body = map[string]any{"product_id": nil}
	}
	err := sess(c).api.call(ctx(c), http.MethodPatch, "/listings/"+pathID(c), body, nil)
	if p, ok := asProblem(err); ok && p.Status == http.StatusUnprocessableEntity {
		v, lerr := con.loadListing(c)
		if lerr != nil {
			return lerr
		}
		return con.renderListing(c, p.Status, v, fieldErrors(p, nil))
	}
	if err != nil {
		return err
	}
	msg := "Listing linked to the product"
	if choice == "none" {
		msg = "Recorded that the listing is of none of these products"
	}
	return con.done(c, "/search/listings/"+pathID(c), msg)
}
