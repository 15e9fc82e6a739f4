package infra

// Diff is what changed between two runs.
type Diff struct {
	New   []Finding // in this run, not in the previous one
	Fixed []Finding // in the previous run, gone now
}

// Compare diffs the tracked findings of run cur against prev. A finding
// that an error finding of the other run covers (the check could not run
// there) is neither new nor fixed: nobody knows.
func Compare(prev, cur []Finding) Diff {
	var d Diff
	before, now := keyed(prev), keyed(cur)
	prevErrs, curErrs := filter(prev, Finding.IsError), filter(cur, Finding.IsError)
	for _, f := range cur {
		if tracked(f) && !before[f.Key()] && !coveredBy(prevErrs, f) {
			d.New = append(d.New, f)
		}
	}
	for _, f := range prev {
		if tracked(f) && !now[f.Key()] && !coveredBy(curErrs, f) {
			d.Fixed = append(d.Fixed, f)
		}
	}
	return d
}

func tracked(f Finding) bool { return !f.IsError() && f.Check.Tracked() }

func keyed(fs []Finding) map[string]bool {
	m := make(map[string]bool, len(fs))
	for _, f := range fs {
		m[f.Key()] = true
	}
	return m
}

func coveredBy(errs []Finding, f Finding) bool {
	for _, e := range errs {
		if e.Covers(f) {
			return true
		}
	}
	return false
}
