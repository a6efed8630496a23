package authorities

import (
	"time"
	_ "time/tzdata" // service dates are UK dates on any server
)

// Methods of service a notice may be given by.
const (
	ByHand             = "hand"
	ByPost             = "post"
	ByRecordedDelivery = "recorded_delivery"
	ByEmail            = "email"
	AtRegisteredOffice = "registered_office"
)

// ServiceMethods lists every method of service.
var ServiceMethods = []string{ByHand, ByPost, ByRecordedDelivery, ByEmail, AtRegisteredOffice}

// DefaultDeemedService is how many business days after it was sent a notice
// is treated as served, by method, unless the authority's profile says
// otherwise. The PSTI Act has no deemed-service provision of its own; these
// follow the civil courts' rule (CPR 6.26: first class post and leaving at an
// address on the second business day, email the next business day after a
// sending after 4.30pm, personal delivery the same day) on its cautious side,
// which gives the recipient more time, never less.
var DefaultDeemedService = map[string]int{
	ByHand: 0, ByEmail: 1, ByPost: 2, ByRecordedDelivery: 2, AtRegisteredOffice: 2,
}

// london is where notices are served.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// DeemedDays is the number of business days after sending by method that
// the profile treats a notice as served.
func (p Profile) DeemedDays(method string) int {
	if d, ok := p.DeemedService[method]; ok {
		return d
	}
	return DefaultDeemedService[method]
}

// DeemedServed is the UK calendar day (as midnight UTC, like deadlines) on
// which a notice sent at by method is treated as served. Business days skip
// Saturdays and Sundays; bank holidays are not known here and are the
// officer's to allow for.
func (p Profile) DeemedServed(method string, at time.Time) time.Time {
	y, m, d := at.In(london).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for n := p.DeemedDays(method); n > 0; {
		day = day.AddDate(0, 0, 1)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return day
}
