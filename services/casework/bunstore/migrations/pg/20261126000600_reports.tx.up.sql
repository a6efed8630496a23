-- Indexes for the aggregate reports (bunstore/reports.go). PostgreSQL hashes
-- and aggregates large sets well; these let it read the narrow slices the
-- reports filter on (fail verdicts, confirmed findings, a period's cases and
-- notices) with index-only scans instead of reading whole tables.
CREATE INDEX cases_report_created_idx ON cases (created_at, authority_id, origin, status, closure_reason);
--bun:split
CREATE INDEX cases_report_closed_idx ON cases (closed_at, created_at, authority_id, origin, status, closure_reason);
--bun:split
CREATE INDEX case_assessments_report_idx ON case_assessments (verdict, updated_at, case_id, requirement_id);
--bun:split
CREATE INDEX findings_report_idx ON findings (status, created_at, case_id) INCLUDE (requirement_ids);
--bun:split
CREATE INDEX notices_report_idx ON notices (issued_at, authority_id, type, status, served_at, case_id);
--bun:split
CREATE INDEX notices_case_issued_idx ON notices (case_id, issued_at);
--bun:split
CREATE INDEX case_products_report_idx ON case_products (product_id, case_id);
--bun:split
CREATE INDEX listings_report_idx ON listings (observed_at, product_id, market_type, status, updated_at);
