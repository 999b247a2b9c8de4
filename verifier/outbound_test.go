package verifier_test

import (
	"carnet/outbound"
	"carnet/verifier"
)

// local is the outbound client of a development instance (its base URL on
// loopback): the test servers listen on 127.0.0.1.
var local = outbound.New(outbound.Config{Private: true}).HTTP()

// localFetcher is a Fetcher with the local client.
func localFetcher() *verifier.Fetcher { return &verifier.Fetcher{Client: local} }
