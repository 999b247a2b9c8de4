package verifier

import "carnet/schema"

// checkJSON is schema.CheckJSON, which the API's request bodies share.
func checkJSON(b []byte) error { return schema.CheckJSON(b) }
