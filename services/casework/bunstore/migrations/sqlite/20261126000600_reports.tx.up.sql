-- Indexes for the aggregate reports (bunstore/reports.go). SQLite joins by
-- nested loops and sorts for every GROUP BY it cannot read in index order,
-- so each index covers what its query reads (no wide-row reads) and is
-- ordered the way the query groups or walks: GROUP BY then streams, and the
-- closure percentiles read their values off the duration expression index.
CREATE INDEX cases_report_idx ON cases (id, authority_id, created_at);
--bun:split
CREATE INDEX cases_report_groups_idx ON cases (origin, status, closure_reason, created_at, closed_at, authority_id);
--bun:split
CREATE INDEX cases_report_month_idx ON cases (substr(created_at, 1, 7), status, created_at, authority_id);
--bun:split
CREATE INDEX cases_report_closed_idx ON cases (closed_at, created_at, authority_id, origin, status, closure_reason);
--bun:split
CREATE INDEX cases_report_duration_idx ON cases (unixepoch(closed_at) - unixepoch(created_at), closed_at, authority_id)
    WHERE closed_at IS NOT NULL;
--bun:split
CREATE INDEX case_assessments_report_idx ON case_assessments (verdict, case_id, updated_at, requirement_id);
--bun:split
CREATE INDEX case_assessments_report_req_idx ON case_assessments (verdict, requirement_id, updated_at);
--bun:split
CREATE INDEX findings_report_idx ON findings (status, case_id, created_at, requirement_ids);
--bun:split
CREATE INDEX findings_report_reqs_idx ON findings (status, requirement_ids, created_at);
--bun:split
CREATE INDEX notices_report_idx ON notices (issued_at, authority_id, type, status, served_at, case_id);
--bun:split
CREATE INDEX notices_case_issued_idx ON notices (case_id, issued_at);
--bun:split
CREATE INDEX case_products_report_idx ON case_products (product_id, case_id);
--bun:split
CREATE INDEX listings_report_idx ON listings (observed_at, product_id, market_type, status, updated_at);
