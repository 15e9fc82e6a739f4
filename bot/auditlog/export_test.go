package auditlog

// ChainColumns are the columns Digest reads, in its order.
const ChainColumns = chainColumns

// Digest is the hash of a row selected with ChainColumns, as an insider
// with SQL (and, given key, the audit key) could compute it.
func Digest(v []any, key []byte) string { return digest(rowFrom(v), key) }
