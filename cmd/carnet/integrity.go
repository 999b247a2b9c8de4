package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"carnet/keys"
	"carnet/schema"
	"carnet/sqlite"

	"github.com/go-jose/go-jose/v4"
)

// The checks every command makes when it opens a data dir (openInstance):
// a damaged database or a lost key file stops it, with what to do.

// checkDatabaseFile runs SQLite's quick check on an existing database
// file before anything opens it for writing (migrations included).
func checkDatabaseFile(ctx context.Context, path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil // a new data dir
	}
	problems, err := sqlite.CheckFile(ctx, path, false)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return errDamagedDatabase(path, problems)
	}
	return nil
}

func errDamagedDatabase(path string, problems []string) error {
	if len(problems) > 5 {
		problems = append(problems[:5:5], "…")
	}
	detail := strings.Join(problems, "; ")
	return schema.Errorf(schema.EUNAVAILABLE,
		"the database %s is damaged (%s). Carnet does not start on it: writing more would spread the damage. "+
			"Keep the file aside, restore the last backup into a new data dir (carnet restore --data NEW_DIR --from BACKUP), "+
			"check it (carnet check --data NEW_DIR) and start Carnet on that dir.",
		"la base de données %s est endommagée (%s). Carnet ne démarre pas dessus : y écrire étendrait les dégâts. "+
			"Mettez le fichier de côté, restaurez la dernière sauvegarde dans un nouveau dossier (carnet restore --data NOUVEAU_DOSSIER --from SAUVEGARDE), "+
			"vérifiez-le (carnet check --data NOUVEAU_DOSSIER) et démarrez Carnet sur ce dossier.", path, detail)
}

// checkKeys makes sure every structure can sign and verify with the keys
// that signed its credentials: a structure that has issued and whose key
// file is missing or unreadable stops the command (a new key would make
// every credential issued before unverifiable); a structure that never
// issued and has no key file gets one. The latest credential of each
// structure must verify with its ring (a key file replaced by another).
func (in *instance) checkKeys(ctx context.Context, log io.Writer) error {
	list, err := in.structures.ListStructures(ctx)
	if err != nil {
		return err
	}
	for _, st := range list {
		n, err := in.credentials.CountCredentials(ctx, st.Slug)
		if err != nil {
			return err
		}
		ring, err := in.keys.Ring(st.Slug)
		var missing *keys.MissingError
		switch {
		case errors.As(err, &missing) && n == 0:
			if _, err := in.keys.Create(st.Slug); err != nil && schema.ErrorCode(err) != schema.ECONFLICT {
				return err
			}
			fmt.Fprintf(log, "Clé de signature créée pour la structure %q, qui n'avait rien émis : %s\nSigning key created for structure %q, which had issued nothing: %s\n",
				st.Slug, missing.Path, st.Slug, missing.Path)
			continue
		case errors.As(err, &missing):
			return errMissingKey(st.Slug, missing.Path, n)
		case err != nil:
			return errBadKeyFile(st.Slug, in.keys.Path(st.Slug), err)
		}
		if n == 0 {
			continue
		}
		c, err := in.credentials.LatestSigned(ctx, st.ID)
		if schema.ErrorCode(err) == schema.ENOTFOUND {
			continue // all erased
		} else if err != nil {
			return err
		}
		if err := signedBy(c.JWT, ring); err != nil {
			if reset := in.keysReset(ctx, st.Slug); !reset.IsZero() && c.IssuedAt.Before(reset) {
				continue // a key given with keys create --force: the earlier credentials are known lost
			}
			return schema.Errorf(schema.EUNAVAILABLE,
				"the key file %s does not verify the latest credential of structure %q (%s: %v): it is not the file that signed it. "+
					"Put back the right file from a backup (see carnet keys --help).",
				"le fichier de clés %s ne vérifie pas la dernière attestation de la structure %q (%s : %v) : ce n'est pas le fichier qui l'a signée. "+
					"Remettez le bon fichier depuis une sauvegarde (voir carnet keys --help).", in.keys.Path(st.Slug), st.Slug, c.ID, err)
		}
	}
	return nil
}

// keysResetSetting names the setting that records when `carnet keys create
// --force` gave a new key to a structure that had issued.
func keysResetSetting(slug string) string { return "keys_reset:" + slug }

// keysReset returns when the structure's keys were last reset that way, or
// the zero time.
func (in *instance) keysReset(ctx context.Context, slug string) time.Time {
	return keysResetAt(ctx, in.db, slug)
}

func keysResetAt(ctx context.Context, db *sqlite.DB, slug string) time.Time {
	v, err := db.Setting(ctx, keysResetSetting(slug))
	if err != nil || v == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, v)
	return t
}

func errMissingKey(slug, path string, issued int) error {
	return schema.Errorf(schema.EUNAVAILABLE,
		"the key file of structure %q is missing: %s. This structure has issued %d credential(s): Carnet does not start, "+
			"because a new key would make every one of them unverifiable. Put the file back from a backup "+
			"(carnet restore --data NEW_DIR --from BACKUP, then copy NEW_DIR/keys/%s.json to %s), then start again; see carnet keys --help.",
		"le fichier de clés de la structure %q est absent : %s. Cette structure a émis %d attestation(s) : Carnet ne démarre pas, "+
			"car une nouvelle clé les rendrait toutes invérifiables. Remettez le fichier depuis une sauvegarde "+
			"(carnet restore --data NOUVEAU_DOSSIER --from SAUVEGARDE, puis copiez NOUVEAU_DOSSIER/keys/%s.json vers %s), puis redémarrez ; voir carnet keys --help.",
		slug, path, issued, slug, path)
}

func errBadKeyFile(slug, path string, err error) error {
	return schema.Errorf(schema.EUNAVAILABLE,
		"the key file of structure %q cannot be used: %s (%v). Put back a good copy from a backup; see carnet keys --help.",
		"le fichier de clés de la structure %q est inutilisable : %s (%v). Remettez une bonne copie depuis une sauvegarde ; voir carnet keys --help.",
		slug, path, err)
}

// signedBy checks that a stored credential JWS verifies with a key of
// ring (whatever the did in its kid: the base URL may have changed).
func signedBy(jws string, ring *keys.Ring) error {
	sig, err := jose.ParseSigned(jws, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return fmt.Errorf("unreadable JWS: %w", err)
	}
	if len(sig.Signatures) != 1 {
		return errors.New("not one signature")
	}
	kid := sig.Signatures[0].Header.KeyID
	k := ring.Find(kid[strings.LastIndexByte(kid, '#')+1:])
	if k == nil {
		return fmt.Errorf("signed by key %s, which is not in the file", kid)
	}
	if _, err := sig.Verify(&k.Private.PublicKey); err != nil {
		return fmt.Errorf("signature: %w", err)
	}
	return nil
}
