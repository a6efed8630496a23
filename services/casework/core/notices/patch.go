package notices

import (
	"context"
	"slices"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/principal"
)

// Content is the notice's editable content (a copy).
func (n Notice) Content() Content {
	c := Content{Type: n.Type, OperatorID: n.OperatorID, ProductIDs: slices.Clone(n.ProductIDs),
		RequirementIDs: slices.Clone(n.RequirementIDs), EvidenceIDs: slices.Clone(n.EvidenceIDs),
		Steps: slices.Clone(n.Steps), Reasons: n.Reasons}
	if n.Deadline != nil {
		d := *n.Deadline
		c.Deadline = &d
	}
	if n.Penalty != nil {
		p := *n.Penalty
		c.Penalty = &p
	}
	return c
}

// Patch edits a draft when version matches, as Update does, with the new
// content computed by edit from the current content under the same lock,
// so a partial update (an HTTP merge patch) applies to exactly the version
// the caller named. An error from edit is returned as it is.
func (s *Service) Patch(ctx context.Context, id string, version int, edit func(Content) (Content, error)) (Notice, error) {
	return s.mutate(ctx, id, "notice.update", func(ctx context.Context, n *Notice, p principal.Principal) (map[string]any, error) {
		c, err := s.workCase(ctx, *n, p, "edit")
		if err != nil {
			return nil, err
		}
		if n.Version != version {
			return nil, apperr.New(apperr.PreconditionFailed, "notice is at version %d, not %d", n.Version, version).With("current_version", n.Version)
		}
		if n.Status != Draft {
			return nil, wrongState(*n, "edit", Draft)
		}
		d, err := edit(n.Content())
		if err != nil {
			return nil, err
		}
		if err := s.validate(ctx, c, n, d); err != nil {
			return nil, err
		}
		n.AddContributor(p.UserID, Editor)
		return map[string]any{"type": n.Type, "operator_id": n.OperatorID, "requirement_ids": n.RequirementIDs}, nil
	})
}
