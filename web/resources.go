package web

import (
	"context"

	"carnet/schema"
)

// catalogue returns the self-training resources this instance suggests.
func (s *Server) catalogue(ctx context.Context) (*schema.Catalogue, error) {
	_ = ctx
	return schema.StarterCatalogue(s.Frameworks)
}
