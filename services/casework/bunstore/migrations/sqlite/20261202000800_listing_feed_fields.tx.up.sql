ALTER TABLE listings ADD COLUMN seller_category TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE listings ADD COLUMN category TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE listings ADD COLUMN vdp_url TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE listings ADD COLUMN gtin_raw TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE listings ADD COLUMN quality_flags TEXT NOT NULL DEFAULT '';
