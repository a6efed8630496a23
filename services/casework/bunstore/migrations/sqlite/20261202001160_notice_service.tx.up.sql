-- Service of a notice: the day it is treated as served (by the authority's
-- deemed-service days for the method, fixed when service is recorded, so a
-- later change of the authority's settings never moves a running clock) and
-- the certificate of service kept as an exhibit of the case.
ALTER TABLE notices ADD COLUMN deemed_served_on TIMESTAMP;
--bun:split
ALTER TABLE notices ADD COLUMN service_certificate_id TEXT NOT NULL DEFAULT '';
