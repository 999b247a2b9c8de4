package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"

	"carnet/places"
	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// The network's places on the national standard of lieux de médiation
// numérique (package places): the open-data export, and the standard's
// fields of PATCH /api/v1/structures/{slug}.

// lieuxJSON serves GET /lieux.json: the network's structures that have
// described their place, in the standard's JSON form (an array of flat
// records), for the national cartography and the departmental hubs.
func (s *Server) lieuxJSON(c *gin.Context) {
	s.serveLieux(c, "application/json; charset=utf-8", places.WriteJSON)
}

// lieuxCSV serves GET /lieux.csv: the same in the standard's CSV.
func (s *Server) lieuxCSV(c *gin.Context) {
	c.Header("Content-Disposition", `inline; filename="lieux.csv"`)
	s.serveLieux(c, "text/csv; charset=utf-8", places.WriteCSV)
}

func (s *Server) serveLieux(c *gin.Context, contentType string, write func(w io.Writer, list []*places.Place) error) {
	var list []*places.Place
	if s.Places != nil {
		var err error
		if list, err = s.Places.NetworkPlaces(c.Request.Context()); err != nil {
			s.renderError(c, err)
			return
		}
	}
	var buf bytes.Buffer
	if err := write(&buf, list); err != nil {
		s.renderError(c, err)
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Header("Access-Control-Allow-Origin", "*") // open data: any site may read it
	c.Data(http.StatusOK, contentType, buf.Bytes())
}

// withPlace runs update (the structure's own update) and, when the patch
// has members of the standard, stores the structure's place in the same
// transaction: the place (the stored one, or a new one, with the patch
// applied) is checked against the standard before anything is written.
// Its id is the structure's did:web, its name the structure's (name, after
// the update), its date_maj today; it must name at least one service.
func (s *Server) withPlace(ctx context.Context, slug, name string, pt *places.Patch, update func(ctx context.Context) error) error {
	if pt.Empty() {
		return update(ctx)
	}
	if s.Places == nil {
		return schema.Errorf(schema.EUNAVAILABLE, "this instance keeps no places", "cette instance ne gère pas de lieux")
	}
	p, err := s.Places.StructurePlace(ctx, slug)
	if err != nil {
		return err
	}
	if p == nil {
		p = &places.Place{ID: s.did(slug)}
	}
	pt.Apply(p)
	p.Nom, p.DateMaj = name, s.now().UTC().Format(time.DateOnly)
	if err := p.Validate(); err != nil {
		return err
	}
	if len(p.Services) == 0 {
		// The standard lets services out, but the reference implementation
		// then reads the place as one that receives no public.
		return schema.Errorf(schema.EINVALID, "Services (services): give at least one of the standard's services",
			"Services (services) : indiquez au moins un des services du standard")
	}
	return s.inTx(ctx, func(ctx context.Context) error {
		if err := update(ctx); err != nil {
			return err
		}
		return s.Places.PutStructurePlace(ctx, slug, p)
	})
}
