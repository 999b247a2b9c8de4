package verifier

// The message of a result whose signature holds with the key its issuer
// publishes, while the issuer is not trusted here (Reason
// ReasonUnknownIssuer, SignatureVerified true).
const (
	UntrustedSignatureMessage   = "Signature correct, but the issuer is not trusted here."
	UntrustedSignatureMessageFR = "Signature correcte, mais l'émetteur n'est pas reconnu ici."
)

// reasonTexts are the user-facing explanations of each reason code, in
// English and French.
var reasonTexts = map[string][2]string{
	ReasonMalformed:         {"This is not a credential, card or code that Carnet can read.", "Ce n'est pas une attestation, une carte ou un code que Carnet sait lire."},
	ReasonTooLarge:          {"The input is too large.", "Le contenu est trop volumineux."},
	ReasonUnsupportedAlg:    {"The signature algorithm is not accepted (ES256 JWS, or Data Integrity eddsa-rdfc-2022, only).", "L'algorithme de signature n'est pas accepté (JWS ES256 ou Data Integrity eddsa-rdfc-2022 uniquement)."},
	ReasonBadHeader:         {"The signature header carries parameters that are not allowed.", "L'en-tête de signature contient des paramètres interdits."},
	ReasonUnknownIssuer:     {"The issuer is not trusted here.", "L'émetteur n'est pas reconnu comme fiable ici."},
	ReasonUnknownKey:        {"The issuer is trusted, but not the key that signed.", "L'émetteur est reconnu, mais pas la clé qui a signé."},
	ReasonBadSignature:      {"The signature is wrong: the content was altered or forged.", "La signature est fausse : le contenu a été modifié ou falsifié."},
	ReasonClaimsMismatch:    {"The signed claims disagree with the credential.", "Les informations signées ne correspondent pas à l'attestation."},
	ReasonInvalidCredential: {"The credential is incomplete or not an Open Badges 3.0 credential.", "L'attestation est incomplète ou n'est pas au format Open Badges 3.0."},
	ReasonNotYetValid:       {"The credential is not valid yet.", "L'attestation n'est pas encore valide."},
	ReasonExpired:           {"The credential has expired.", "L'attestation a expiré."},
	ReasonUnsigned:          {"This credential carries no signature: use the .jwt file.", "Cette attestation n'est pas signée : utilisez le fichier .jwt."},
	ReasonNotFound:          {"No credential has this code here.", "Aucune attestation ne porte ce code ici."},
	ReasonUnsupported:       {"This kind of credential is not supported.", "Ce type d'attestation n'est pas pris en charge."},
	ReasonRevoked:           {"The issuer has revoked this credential.", "L'émetteur a révoqué cette attestation."},
	ReasonSuspended:         {"The issuer has suspended this credential for now.", "L'émetteur a suspendu cette attestation pour le moment."},
}

// ReasonText returns the English and French explanations of a reason code.
func ReasonText(reason string) (en, fr string) {
	t, ok := reasonTexts[reason]
	if !ok {
		return reason, reason
	}
	return t[0], t[1]
}
