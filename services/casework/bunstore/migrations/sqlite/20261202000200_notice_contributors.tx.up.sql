-- Everyone who shaped a notice's content (author, editors, submitters), as a
-- JSON list of {"user_id", "roles"}: none of them may approve it. Existing
-- notices start with their author; who edited or submitted them before this
-- column existed is in the audit log.
ALTER TABLE notices ADD COLUMN contributors TEXT NOT NULL DEFAULT '[]';
--bun:split
UPDATE notices SET contributors = json_array(json_object('user_id', author_id, 'roles', json_array('author')));
