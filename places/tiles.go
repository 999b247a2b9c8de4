package places

import (
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"carnet/schema"
)

// The map of /lieux draws its background from a tile server that the
// network administrator chooses: OpenStreetMap's by default.
const (
	// DefaultTileURL is OpenStreetMap's standard tile layer.
	DefaultTileURL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	// DefaultTileAttribution is the credit OpenStreetMap asks for.
	DefaultTileAttribution = "© les contributeurs d’OpenStreetMap"
	// MaxTileURL and MaxTileAttribution bound what an administrator types.
	MaxTileURL         = 500
	MaxTileAttribution = 300
)

// Tiles is the map's tile layer: a URL template with {z}, {x} and {y},
// and the credit shown on the map.
type Tiles struct {
	URL         string `json:"url"`
	Attribution string `json:"attribution"`
}

// DefaultTiles is OpenStreetMap's layer.
func DefaultTiles() Tiles { return Tiles{URL: DefaultTileURL, Attribution: DefaultTileAttribution} }

var (
	reTileHost        = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$`)
	reTilePlaceholder = regexp.MustCompile(`\{[^}]*\}`)
	// What a tile URL may hold: no spaces, quotes or angle brackets, and
	// nothing that would end a directive of the Content-Security-Policy.
	reTileChars = regexp.MustCompile(`^[A-Za-z0-9\-._~:/?#\[\]@!$&()*+=%{}]+$`)
)

// Origin returns the scheme, host and port the tiles come from: what the
// page's Content-Security-Policy allows for images ("" when invalid).
func (t Tiles) Origin() string {
	u, err := url.Parse(t.URL)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// Clean trims t and checks it: the URL is https (plain http only on a
// loopback host, and only when loopbackHTTP: an instance in development
// or under test), with a plain host (no placeholder: the
// Content-Security-Policy names it exactly), and holds {z}, {x} and {y}
// in its path or query, and no other placeholder but {r}; the credit is a
// line of text. An empty URL is the default layer.
func (t *Tiles) Clean(loopbackHTTP bool) error {
	t.URL, t.Attribution = strings.TrimSpace(t.URL), strings.TrimSpace(t.Attribution)
	if t.URL == "" {
		*t = DefaultTiles()
		return nil
	}
	bad := func(en, fr string, args ...any) error {
		e := schema.Errorf(schema.EINVALID, en, fr, args...)
		e.Message = "Tile URL: " + e.Message
		e.MessageFR = "Adresse des tuiles : " + e.MessageFR
		return e
	}
	if len(t.URL) > MaxTileURL {
		return bad("at most %d characters", "%d caractères au plus", MaxTileURL)
	}
	if !reTileChars.MatchString(t.URL) {
		return bad("%q holds characters a URL cannot hold (spaces, quotes…)", "%q contient des caractères interdits dans une adresse (espaces, guillemets…)", t.URL)
	}
	u, err := url.Parse(t.URL)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return bad("%q is not an address such as %s", "%q n'est pas une adresse comme %s", t.URL, DefaultTileURL)
	}
	host := u.Hostname()
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopbackHTTP && isLoopback(host):
	default:
		return bad("only https addresses (the page is read over https, and the tiles too)",
			"seules les adresses https sont acceptées (la page est lue en https, les tuiles aussi)")
	}
	if strings.ContainsAny(u.Host, "{}") || (!reTileHost.MatchString(host) && !isLoopback(host)) {
		return bad("the server's name %q must be written out, without a placeholder such as {s}",
			"le nom du serveur %q doit être écrit en entier, sans variable comme {s}", u.Host)
	}
	if p := u.Port(); p != "" && strings.Trim(p, "0123456789") != "" {
		return bad("invalid port %q", "port %q invalide", p)
	}
	for _, ph := range []string{"{z}", "{x}", "{y}"} {
		if !strings.Contains(t.URL, ph) {
			return bad("the address must hold {z}, {x} and {y} (e.g. %s)", "l'adresse doit contenir {z}, {x} et {y} (par ex. %s)", DefaultTileURL)
		}
	}
	for _, ph := range reTilePlaceholder.FindAllString(t.URL, -1) {
		if ph != "{z}" && ph != "{x}" && ph != "{y}" && ph != "{r}" {
			return bad("%s is not a placeholder the map fills: use {z}, {x}, {y} (and {r})", "%s n'est pas une variable que la carte remplit : utilisez {z}, {x}, {y} (et {r})", ph)
		}
	}
	if t.Attribution == "" {
		if u.Host == "tile.openstreetmap.org" {
			t.Attribution = DefaultTileAttribution
		} else {
			return schema.Errorf(schema.EINVALID, "Credit: required (the tile server's licence asks for it)", "Crédit : obligatoire (la licence du serveur de tuiles le demande)")
		}
	}
	a, err := schema.CleanLabel(t.Attribution, MaxTileAttribution, "the credit", "le crédit")
	if err != nil {
		return err
	}
	t.Attribution = a
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}
