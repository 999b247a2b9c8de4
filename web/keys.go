package web

import (
	"net/http"
	"time"

	"carnet/schema"

	"github.com/gin-gonic/gin"
)

// Key rotation from the API and the structure page; the rotation itself
// is app.App.RotateKeys, as for `carnet keys rotate`.

// keyJSON is a signing key as the API shows it.
type keyJSON struct {
	KID       string    `json:"kid"`
	CreatedAt time.Time `json:"created_at"`
}

// keyRotationJSON answers a rotation.
type keyRotationJSON struct {
	Structure  string  `json:"structure"`
	SigningKey keyJSON `json:"signing_key"`
}

func (s *Server) apiKeysRotate(c *gin.Context) {
	st, k, err := s.RotateKeys(c.Request.Context(), actorOf(c), c.Param("slug"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, keyRotationJSON{Structure: st.Slug, SigningKey: keyJSON{KID: k.KID(s.DID(st.Slug)), CreatedAt: k.Created.UTC()}})
}

// keysRotate is the structure page's rotation form, which asks to tick a
// box first.
func (s *Server) keysRotate(c *gin.Context) {
	if c.PostForm("confirm") != "on" {
		s.renderStructure(c, http.StatusBadRequest, schema.Errorf(schema.EINVALID,
			"tick the box to confirm the new key", "cochez la case pour confirmer la nouvelle clé"), "")
		return
	}
	st, _, err := s.RotateKeys(c.Request.Context(), actorOf(c), c.Param("slug"))
	if err != nil {
		s.renderPageError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/structures/"+st.Slug+"?ok=keys_rotated")
}

// signingKeyView is what the structure page shows of a ring.
type signingKeyView struct {
	Thumbprint string
	Created    time.Time
	Signing    bool
}

// keysView returns a structure's keys for its page, for its
// administrators, and sets the notice of a rotation.
func (s *Server) keysView(c *gin.Context, p *page, st *schema.Structure) ([]signingKeyView, error) {
	if c.Query("ok") == "keys_rotated" {
		p.Notice = tr(p.Lang, "notice_keys_rotated")
	}
	ring, err := s.Keys.Ring(st.Slug)
	if err != nil {
		return nil, err
	}
	signer := ring.Signer()
	var out []signingKeyView
	for _, k := range ring.Keys {
		out = append(out, signingKeyView{Thumbprint: k.Thumbprint, Created: k.Created, Signing: k == signer})
	}
	return out, nil
}
