package slack

import (
	"bytes"

	"github.com/opsbot/opsbot"
	"github.com/opsbot/opsbot/internal/text"
)

// csvFile renders a whole result as CSV, values exact, for the answers too
// big for messages.
func csvFile(r *opsbot.Result) *opsbot.File {
	var buf bytes.Buffer
	_ = text.WriteCSV(&buf, r) // writes to a bytes.Buffer do not fail
	return &opsbot.File{Name: "result.csv", Title: "Every row (CSV)", MimeType: "text/csv", Data: buf.Bytes()}
}
