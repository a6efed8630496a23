package notices

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tradewarden/tradewarden/pkg/apperr"
	"github.com/tradewarden/tradewarden/services/casework/core/requirements"
)

// A schedule cites what the officer chose: per requirement, the findings
// and exhibits relied on (by default, those linked in the assessment), and
// never a finding on a unit the notice does not name.

// validateHosts tidies and checks the hosts a draft names.
func validateHosts(fe *apperr.Fields, d *Content) {
	var hosts []string
	for i, h := range d.Hosts {
		h = strings.TrimSpace(h)
		if h == "" || len(h) > 255 || strings.ContainsAny(h, " \t\r\n") {
			fe.Add(fmt.Sprintf("hosts[%d]", i), "must be a host name or address (1 to 255 characters, no spaces)")
			continue
		}
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	fe.Check(len(hosts) > 50, "hosts", "at most 50 hosts")
	d.Hosts = hosts
}

// validateReliance checks the shape of what a draft relies on.
func validateReliance(fe *apperr.Fields, d *Content) {
	seen := map[string]bool{}
	for i, r := range d.Reliance {
		at := fmt.Sprintf("relied_on[%d]", i)
		if req, ok := requirements.Lookup(r.RequirementID); ok {
			d.Reliance[i].RequirementID = req.ID
		}
		rid := d.Reliance[i].RequirementID
		switch {
		case !slices.Contains(d.RequirementIDs, rid):
			fe.Add(at+".requirement_id", "%q is not among the notice's requirement_ids", r.RequirementID)
		case seen[rid]:
			fe.Add(at+".requirement_id", "%s is listed twice", rid)
		}
		seen[rid] = true
		d.Reliance[i].FindingIDs, d.Reliance[i].ExhibitIDs = unique(r.FindingIDs), unique(r.ExhibitIDs)
		fe.Check(len(d.Reliance[i].FindingIDs) > 500, at+".finding_ids", "at most 500 findings")
		fe.Check(len(d.Reliance[i].ExhibitIDs) > 100, at+".exhibit_ids", "at most 100 exhibits")
	}
}

// checkReliance confirms the findings and exhibits relied on belong to the
// case and may be cited: not dismissed, and on a host the notice names.
func (s *Service) checkReliance(ctx context.Context, caseID string, d Content) error {
	var fe apperr.Fields
	for i, r := range d.Reliance {
		at := fmt.Sprintf("relied_on[%d]", i)
		for j, eid := range r.ExhibitIDs {
			if _, err := s.exhibits.Lookup(ctx, caseID, []string{eid}); apperr.CodeOf(err) == apperr.Invalid {
				fe.Add(fmt.Sprintf("%s.exhibit_ids[%d]", at, j), "no exhibit %q on this case", eid)
			} else if err != nil {
				return err
			}
		}
		if len(r.FindingIDs) == 0 {
			continue
		}
		fs, err := s.exhibits.Findings(ctx, caseID, r.FindingIDs)
		if err != nil {
			return err
		}
		byID := map[string]FindingDetail{}
		for _, f := range fs {
			byID[f.ID] = f
		}
		for j, fid := range r.FindingIDs {
			field := fmt.Sprintf("%s.finding_ids[%d]", at, j)
			f, ok := byID[fid]
			switch {
			case !ok:
				fe.Add(field, "no finding %q on this case", fid)
			case f.Status == "false_positive" || f.Status == "resolved":
				fe.Add(field, "finding %q is %s: it cannot support a breach", fid, strings.ReplaceAll(f.Status, "_", " "))
			case !citable(f, d.Hosts):
				fe.Add(field, "finding %q is on host %s, which the notice does not name: add it to hosts or leave the finding out", fid, f.Host)
			}
		}
	}
	return fe.Err()
}
