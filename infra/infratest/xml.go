package infratest

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// writeError answers an error in the service's protocol: ec2query's
// <Response><Errors>, awsquery's <ErrorResponse>.
func writeError(w http.ResponseWriter, service string, status int, code, msg string, n int) {
	if service == "ce" {
		writeJSONError(w, status, code, msg, n)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	id := fmt.Sprintf("req-%08d", n)
	if service == "ec2" {
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>`,
			esc(code), esc(msg), id)
		return
	}
	kind := "Sender"
	if status >= 500 {
		kind = "Receiver"
	}
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		namespace(service), kind, esc(code), esc(msg), id)
}

func namespace(service string) string {
	return map[string]string{"iam": nsIAM, "ec2": nsEC2, "elbv2": nsELBv2, "elb": nsClassic, "sts": nsSTS}[service]
}

func esc(s string) string {
	var b []byte
	w := &byteWriter{&b}
	_ = xml.EscapeText(w, []byte(s))
	return string(b)
}

type byteWriter struct{ b *[]byte }

func (w *byteWriter) Write(p []byte) (int, error) { *w.b = append(*w.b, p...); return len(p), nil }

// writeQuery answers an awsquery action: <ActionResponse><ActionResult>…
func writeQuery(w http.ResponseWriter, service, action string, result any, n int) {
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<%sResponse xmlns="%s">`, action, namespace(service))
	enc := xml.NewEncoder(w)
	_ = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	fmt.Fprintf(w, `<ResponseMetadata><RequestId>req-%08d</RequestId></ResponseMetadata></%sResponse>`, n, action)
}

// writeEC2 answers an ec2query action: <ActionResponse><requestId/>…
func writeEC2(w http.ResponseWriter, action string, body any, n int) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<%sResponse xmlns="%s"><requestId>req-%08d</requestId>`, action, nsEC2, n)
	// EC2 puts the result's fields right under the response element.
	inner, err := xml.Marshal(struct {
		XMLName xml.Name `xml:"x"`
		Body    any
	}{Body: body})
	if err != nil {
		panic(err) // the fake's own structs
	}
	s := strings.TrimSuffix(strings.TrimPrefix(string(inner), "<x><Body>"), "</Body></x>")
	fmt.Fprintf(w, `%s</%sResponse>`, s, action)
}
