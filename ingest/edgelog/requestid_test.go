package edgelog

import (
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
)

// Request ids are kept only when asked for: they are random bytes that
// would be most of the stored table.
func TestRequestIDsOnlyWhenAsked(t *testing.T) {
	const id = "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ=="
	input := "#Version: 1.0\n#Fields: date time c-ip cs-method cs(Host) cs-uri-stem sc-status x-edge-request-id\n" +
		"2026-11-22\t10:00:00\t192.0.2.1\tGET\texample.org\t/\t200\t" + id + "\n"
	for _, keep := range []bool{false, true} {
		recs, rej := readAll(t, CloudFront, input, Options{RequestIDs: keep})
		if len(recs) != 1 || recs[0].NumRows() != 1 || len(rej) != 0 {
			t.Fatalf("RequestIDs=%v: %d batches, %d rejects", keep, len(recs), len(rej))
		}
		got := recs[0].Column(colRequestID).(*array.String).Value(0)
		if want := map[bool]string{false: "", true: id}[keep]; got != want {
			t.Errorf("RequestIDs=%v: request_id = %q, want %q", keep, got, want)
		}
	}
}
