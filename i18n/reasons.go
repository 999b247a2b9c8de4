package i18n

// reasonTexts: the user-facing explanation of each verifier reason code (package verifier).
var reasonTexts = map[string][2]string{
	"malformed":          {"Ce n'est pas une attestation, une carte ou un code que Carnet sait lire.", "This is not a credential, card or code that Carnet can read."},
	"too_large":          {"Le contenu est trop volumineux.", "The input is too large."},
	"unsupported_alg":    {"L'algorithme de signature n'est pas accepté (JWS ES256 ou Data Integrity eddsa-rdfc-2022 uniquement).", "The signature algorithm is not accepted (ES256 JWS, or Data Integrity eddsa-rdfc-2022, only)."},
	"bad_header":         {"L'en-tête de signature contient des paramètres interdits.", "The signature header carries parameters that are not allowed."},
	"unknown_issuer":     {"L'émetteur n'est pas reconnu comme fiable ici.", "The issuer is not trusted here."},
	"unknown_key":        {"L'émetteur est reconnu, mais pas la clé qui a signé.", "The issuer is trusted, but not the key that signed."},
	"bad_signature":      {"La signature est fausse : le contenu a été modifié ou falsifié.", "The signature is wrong: the content was altered or forged."},
	"claims_mismatch":    {"Les informations signées ne correspondent pas à l'attestation.", "The signed claims disagree with the credential."},
	"invalid_credential": {"L'attestation est incomplète ou n'est pas au format Open Badges 3.0.", "The credential is incomplete or not an Open Badges 3.0 credential."},
	"not_yet_valid":      {"L'attestation n'est pas encore valide.", "The credential is not valid yet."},
	"expired":            {"L'attestation a expiré.", "The credential has expired."},
	"unsigned":           {"Cette attestation n'est pas signée : utilisez le fichier .jwt.", "This credential carries no signature: use the .jwt file."},
	"not_found":          {"Aucune attestation ne porte ce code ici.", "No credential has this code here."},
	"unsupported":        {"Ce type d'attestation n'est pas pris en charge.", "This kind of credential is not supported."},
	"revoked":            {"L'émetteur a révoqué cette attestation.", "The issuer has revoked this credential."},
	"suspended":          {"L'émetteur a suspendu cette attestation pour le moment.", "The issuer has suspended this credential for now."},
}
