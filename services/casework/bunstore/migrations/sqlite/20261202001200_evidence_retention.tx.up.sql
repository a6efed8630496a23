-- How long the authority's exhibits are kept under S3 Object Lock
-- (compliance mode); 0 means the deployment's TW_EVIDENCE_RETENTION_DAYS.
ALTER TABLE authority_profiles ADD COLUMN evidence_retention_days INTEGER NOT NULL DEFAULT 0;
