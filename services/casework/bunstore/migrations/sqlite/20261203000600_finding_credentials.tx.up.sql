-- The logins a scanner proved (user, password, service) are kept on the finding:
-- they are the fact a PSTI-1 citation rests on.
ALTER TABLE findings ADD COLUMN credentials TEXT NOT NULL DEFAULT '[]';
