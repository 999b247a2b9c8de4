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

// keysView adds a structure's keys to its page, for its administrators,
// and the notice of a rotation.
func (s *Server) keysView(c *gin.Context, p *page, st *schema.Structure) error {
	if c.Query("ok") == "keys_rotated" {
		p.Notice = tr(p.Lang, "notice_keys_rotated")
	}
	ring, err := s.Keys.Ring(st.Slug)
	if err != nil {
		return err
	}
	signer := ring.Signer()
	var out []signingKeyView
	for _, k := range ring.Keys {
		out = append(out, signingKeyView{Thumbprint: k.Thumbprint, Created: k.Created, Signing: k == signer})
	}
	p.D["Keys"] = out
	return nil
}

// keyMessages are the texts of the keys section of the structure page.
var keyMessages = map[string][2]string{
	"keys_title": {"Clés de signature", "Signing keys"},
	"keys_intro": {"Les attestations et les cartes de la structure sont signées avec sa clé actuelle. Les clés précédentes restent publiées : tout ce qu'elles ont signé reste valide.",
		"The structure's credentials and cards are signed with its current key. The previous keys stay published: everything they signed stays valid."},
	"keys_current": {"clé actuelle", "current key"},
	"keys_created": {"créée le", "created on"},
	"keys_rotate_explain": {"Une nouvelle clé sert à toutes les signatures à partir de maintenant, ici et dans la vérification, sans redémarrage. Faites-le si la clé a pu être copiée, ou périodiquement. Les partenaires reçoivent la nouvelle clé à leur prochaine mise à jour.",
		"A new key signs everything from now on, here and in verification, without a restart. Do it if the key may have been copied, or periodically. Partners get the new key at their next refresh."},
	"keys_rotate_confirm":              {"Je confirme : créer une nouvelle clé de signature", "I confirm: create a new signing key"},
	"keys_rotate_button":               {"Créer une nouvelle clé", "Create a new key"},
	"notice_keys_rotated":              {"Nouvelle clé de signature en service : les attestations sont désormais signées avec elle.", "New signing key in service: credentials are now signed with it."},
	"audit_" + schema.AuditKeysRotated: {"nouvelle clé de signature", "new signing key"},
}

func init() {
	for k, v := range keyMessages {
		if _, dup := messages[k]; dup {
			panic("web: message " + k + " defined twice")
		}
		messages[k] = v
	}
}
