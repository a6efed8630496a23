package integrity

import (
	"encoding/json"

	"github.com/tradewarden/tradewarden/services/casework/core/audit"
)

// Audit actions whose details the stored state is compared with.
const (
	actionIssue       = "notice.issue"
	actionEvidenceAdd = "evidence.add"
	actionGenerated   = "evidence.generated"
)

// issueRecord is what a notice.issue entry recorded.
type issueRecord struct {
	seq       int64
	authority string
	detail    struct {
		Reference    string `json:"reference"`
		SHA256       string `json:"sha256"`
		ExhibitID    string `json:"exhibit_id"`
		Verification string `json:"verification_code"`
		// Recorded since the keyed chain; older entries lack them.
		ParticularsSHA256 string            `json:"particulars_sha256"`
		Particulars       map[string]string `json:"particulars"`
	}
}

// uploadRecord is what an evidence.add or evidence.generated entry recorded.
type uploadRecord struct {
	seq       int64
	authority string
	ref       string
	sha256    string
	size      int64
}

// recorded collects, while the chain is walked, what the log says each
// issued notice and each exhibit was.
type recorded struct {
	issues  map[string]*issueRecord
	uploads map[string]*uploadRecord
}

func newRecorded() *recorded {
	return &recorded{issues: map[string]*issueRecord{}, uploads: map[string]*uploadRecord{}}
}

// add keeps the first issue or upload entry of each object.
func (r *recorded) add(e audit.Entry) {
	switch {
	case e.Action == actionIssue && e.ObjectType == "notice":
		if _, seen := r.issues[e.ObjectID]; seen {
			return
		}
		rec := &issueRecord{seq: e.Seq, authority: e.Authority}
		_ = json.Unmarshal([]byte(e.Detail), &rec.detail)
		r.issues[e.ObjectID] = rec
	case (e.Action == actionEvidenceAdd || e.Action == actionGenerated) && e.ObjectType == "exhibit":
		if _, seen := r.uploads[e.ObjectID]; seen {
			return
		}
		var d struct {
			Ref    string `json:"exhibit_ref"`
			SHA256 string `json:"sha256"`
			Size   int64  `json:"size"`
		}
		_ = json.Unmarshal([]byte(e.Detail), &d)
		r.uploads[e.ObjectID] = &uploadRecord{seq: e.Seq, authority: e.Authority, ref: d.Ref, sha256: d.SHA256, size: d.Size}
	}
}
