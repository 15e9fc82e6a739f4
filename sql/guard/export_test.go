package guard

// Vetted exposes the list to the tests.
func Vetted() []string { return vetted }
