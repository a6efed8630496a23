package elastic

import (
	"encoding/json"
	"time"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Field names of the index, shared by the mapping, documents and queries.
const (
	fListingID   = "listing_id"
	fProductID   = "product_id"
	fTitle       = "title"
	fText        = "text"
	fBrand       = "brand"
	fBrandFacet  = "brand.keyword"
	fBrandKey    = "brand_key"
	fModel       = "model"
	fModelKeys   = "model_keys"
	fGTIN        = "gtin"
	fCategory    = "category"
	fCategoryKW  = "category.keyword"
	fRetailer    = "retailer"
	fRetailerKW  = "retailer.keyword"
	fMarketType  = "market_type"
	fCondition   = "condition"
	fStatus      = "status"
	fObservedAt  = "observed_at"
	fHasSupport  = "has_support_period"
	fAuthorities = "open_case_authorities"
	// fCategoryTerms holds the words of the listing's category (search.DocFeatures).
	fCategoryTerms = "category_terms"
	// fAccessory marks a listing of a thing for a product (search.DocFeatures).
	fAccessory = "accessory"
)

// esDoc is a listing as stored in Elasticsearch. Normalisation (model keys,
// GTIN key, brand key) is done here in Go with the same functions the Bleve
// engine uses; the index's model_number normalizer only guards the fields
// against anything indexed by other means.
type esDoc struct {
	ListingID           string    `json:"listing_id"`
	ProductID           string    `json:"product_id,omitempty"`
	Title               string    `json:"title"`
	Text                string    `json:"text"`
	Description         string    `json:"description,omitempty"`
	Brand               string    `json:"brand,omitempty"`
	BrandKey            string    `json:"brand_key,omitempty"`
	Models              []string  `json:"model,omitempty"`
	ModelKeys           []string  `json:"model_keys,omitempty"`
	GTIN                string    `json:"gtin,omitempty"`
	Category            string    `json:"category,omitempty"`
	CategoryTerms       string    `json:"category_terms,omitempty"`
	Accessory           bool      `json:"accessory,omitempty"`
	Retailer            string    `json:"retailer"`
	MarketType          string    `json:"market_type"`
	Seller              string    `json:"seller,omitempty"`
	URL                 string    `json:"url,omitempty"`
	PricePence          int64     `json:"price_pence"`
	Currency            string    `json:"currency,omitempty"`
	Condition           string    `json:"condition,omitempty"`
	ObservedAt          time.Time `json:"observed_at"`
	HasSupportPeriod    bool      `json:"has_support_period"`
	SupportText         string    `json:"support_text,omitempty"`
	Status              string    `json:"status"`
	OpenCaseAuthorities []string  `json:"open_case_authorities,omitempty"`
}

func toESDoc(d search.Doc) esDoc {
	f := search.Features(d)
	out := esDoc{
		ListingID: d.ListingID, ProductID: d.ProductID, Title: d.Title,
		Text: f.Text, Description: d.Description,
		Brand: search.DisplayBrand(d.Brand), BrandKey: search.NormalizeBrand(d.Brand),
		Models: f.Models, ModelKeys: f.ModelKeys, CategoryTerms: f.Category, Accessory: f.Accessory,
		Category: d.Category, Retailer: d.Retailer, MarketType: d.MarketType, Seller: d.Seller, URL: d.URL,
		PricePence: d.PricePence, Currency: d.Currency, Condition: d.Condition, ObservedAt: d.ObservedAt.UTC(),
		HasSupportPeriod: d.HasSupportPeriod(), SupportText: d.SupportText, Status: d.Status,
		OpenCaseAuthorities: d.OpenCaseAuthorities,
	}
	if g, ok := search.GTINKey(d.GTIN); ok {
		out.GTIN = g
	}
	return out
}

// sourceFields are the _source fields a result needs.
var sourceFields = []string{fListingID, fProductID, fTitle, fRetailer, fMarketType, "seller", "url", "price_pence", "currency", fObservedAt}

type obj = map[string]any

// indexBody is the create-index request: settings with the model-number
// normalizer, and a strict mapping. aliases is added when the index is
// created behind the alias straight away.
func indexBody(shards, replicas int, loading bool, aliases obj) ([]byte, error) {
	keyword := obj{"type": "keyword"}
	modelKW := obj{"type": "keyword", "normalizer": "model_number"}
	textKW := obj{"type": "text", "analyzer": "english", "fields": obj{"keyword": obj{"type": "keyword", "ignore_above": 256}}}
	settings := obj{
		"number_of_shards":   shards,
		"number_of_replicas": replicas,
		"analysis": obj{
			"char_filter": obj{
				// Drops everything but letters and digits: "HS-100" → "HS100".
				"model_alnum": obj{"type": "pattern_replace", "pattern": `[^\p{L}\p{Nd}]+`, "replacement": ""},
			},
			"normalizer": obj{
				"model_number": obj{"type": "custom", "char_filter": []string{"model_alnum"}, "filter": []string{"lowercase"}},
			},
		},
	}
	if loading {
		// A rebuild loads with refreshes off and turns them back on before the switch.
		settings["refresh_interval"] = "-1"
	}
	body := obj{
		"settings": settings,
		"mappings": obj{
			"dynamic": "strict",
			"properties": obj{
				fListingID:     keyword,
				fProductID:     keyword,
				fTitle:         obj{"type": "text", "analyzer": "english"},
				fText:          obj{"type": "text", "analyzer": "english"},
				fCategoryTerms: obj{"type": "text", "analyzer": "english"},
				fAccessory:     obj{"type": "boolean"},
				"description":  obj{"type": "text", "index": false},
				fBrand:         textKW,
				fBrandKey:      keyword,
				fModel:         modelKW,
				fModelKeys:     modelKW,
				fGTIN:          keyword,
				fCategory:      textKW,
				fRetailer:      textKW,
				fMarketType:    keyword,
				"seller":       keyword,
				"url":          obj{"type": "keyword", "index": false},
				"price_pence":  obj{"type": "long"},
				"currency":     obj{"type": "keyword", "index": false},
				fCondition:     keyword,
				fObservedAt:    obj{"type": "date_nanos"},
				fHasSupport:    obj{"type": "boolean"},
				"support_text": obj{"type": "text", "analyzer": "english"},
				fStatus:        keyword,
				fAuthorities:   keyword,
			},
		},
	}
	if aliases != nil {
		body["aliases"] = aliases
	}
	return json.Marshal(body)
}
