package blevesearch

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/tradewarden/tradewarden/services/casework/core/search"
)

// Field names of the index.
const (
	fieldText      = "text"       // title + brand, English analysis
	fieldModel     = "model"      // normalised model number
	fieldModelKeys = "model_keys" // model-number forms found in model and title
	fieldGTIN      = "gtin"       // 14-digit GTIN key
	fieldCategory  = "cat"        // the words of the listing's category (core/categories.Terms), English analysis
	fieldAttrs     = "a"          // packed filter/facet attributes (doc values only)
	fieldHit       = "h"          // stored JSON of what a result shows
)

// newMapping documents the fields; documents are built directly (see
// toDocument) so the mapping is what Bleve persists and validates against.
func newMapping() mapping.IndexMapping {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = keyword.Name
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false

	dm := bleve.NewDocumentStaticMapping()
	text := bleve.NewTextFieldMapping()
	text.Analyzer = en.AnalyzerName
	// Term vectors (positions) let a quoted query match as a phrase.
	text.Store, text.IncludeInAll, text.IncludeTermVectors, text.DocValues = false, false, true, false
	dm.AddFieldMappingsAt(fieldText, text)
	cat := bleve.NewTextFieldMapping()
	cat.Analyzer = en.AnalyzerName
	cat.Store, cat.IncludeInAll, cat.IncludeTermVectors, cat.DocValues = false, false, false, false
	dm.AddFieldMappingsAt(fieldCategory, cat)

	for _, f := range []string{fieldModel, fieldModelKeys, fieldGTIN} {
		kw := bleve.NewKeywordFieldMapping()
		kw.Store, kw.IncludeInAll, kw.IncludeTermVectors, kw.DocValues = false, false, false, false
		dm.AddFieldMappingsAt(f, kw)
	}
	attrs := bleve.NewKeywordFieldMapping()
	attrs.Store, attrs.IncludeInAll, attrs.IncludeTermVectors, attrs.DocValues = false, false, false, true
	attrs.SkipFreqNorm = true
	dm.AddFieldMappingsAt(fieldAttrs, attrs)

	hit := bleve.NewTextFieldMapping()
	hit.Index, hit.Store, hit.IncludeInAll, hit.IncludeTermVectors, hit.DocValues = false, true, false, false, false
	dm.AddFieldMappingsAt(fieldHit, hit)

	m.DefaultMapping = dm
	return m
}

// storedHit is what a result shows, stored with the document.
type storedHit struct {
	ProductID  string    `json:"p,omitempty"`
	Title      string    `json:"t"`
	Retailer   string    `json:"r"`
	MarketType string    `json:"m"`
	Seller     string    `json:"s,omitempty"`
	URL        string    `json:"u,omitempty"`
	PricePence int64     `json:"pp"`
	Currency   string    `json:"c,omitempty"`
	ObservedAt time.Time `json:"o"`
}

const (
	optText   = index.IndexField | index.IncludeTermVectors
	optCat    = index.IndexField
	optKey    = index.IndexField
	optAttrs  = index.IndexField | index.DocValues | index.SkipFreqNorm
	optStored = index.StoreField
)

// docBuilder turns search documents into Bleve documents without going
// through reflection-based mapping.
type docBuilder struct {
	text analysis.Analyzer
}

func newDocBuilder(m mapping.IndexMapping) (*docBuilder, error) {
	an := m.AnalyzerNamed(en.AnalyzerName)
	if an == nil {
		return nil, fmt.Errorf("analyzer %q is not registered", en.AnalyzerName)
	}
	return &docBuilder{text: an}, nil
}

func (b *docBuilder) toDocument(d search.Doc) (*document.Document, error) {
	hit, err := json.Marshal(storedHit{
		ProductID: d.ProductID, Title: d.Title, Retailer: d.Retailer, MarketType: d.MarketType,
		Seller: d.Seller, URL: d.URL, PricePence: d.PricePence, Currency: d.Currency, ObservedAt: d.ObservedAt.UTC(),
	})
	if err != nil {
		return nil, fmt.Errorf("encode listing %s: %w", d.ListingID, err)
	}
	doc := document.NewDocument(d.ListingID)
	f := search.Features(d)
	doc.AddField(document.NewTextFieldCustom(fieldText, nil, []byte(f.Text), optText, b.text))
	if f.Category != "" {
		doc.AddField(document.NewTextFieldCustom(fieldCategory, nil, []byte(f.Category), optCat, b.text))
	}
	for _, m := range f.Models {
		doc.AddField(document.NewTextFieldCustom(fieldModel, nil, []byte(m), optKey, nil))
	}
	for i, k := range f.ModelKeys {
		doc.AddField(document.NewTextFieldCustom(fieldModelKeys, []uint64{uint64(i)}, []byte(k), optKey, nil))
	}
	if g, ok := search.GTINKey(d.GTIN); ok {
		doc.AddField(document.NewTextFieldCustom(fieldGTIN, nil, []byte(g), optKey, nil))
	}
	doc.AddField(document.NewTextFieldCustom(fieldAttrs, nil, []byte(packAttrsOf(d, f)), optAttrs, nil))
	doc.AddField(document.NewTextFieldCustom(fieldHit, nil, hit, optStored, nil))
	return doc, nil
}
