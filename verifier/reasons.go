package verifier

import "carnet/i18n"

// The message of a result whose signature holds with the key its issuer
// publishes, while the issuer is not trusted here (Reason
// ReasonUnknownIssuer, SignatureVerified true). From the catalogue.
var (
	UntrustedSignatureMessage   = i18n.Text(i18n.Verifier, "en", "untrusted_signature")
	UntrustedSignatureMessageFR = i18n.Text(i18n.Verifier, "fr", "untrusted_signature")
)

// ReasonText returns the English and French explanations of a reason code,
// from the catalogue (package i18n, domain Reason); the code itself when
// unknown.
func ReasonText(reason string) (en, fr string) {
	fr, ok := i18n.Lookup(i18n.Reason, "fr", reason)
	if !ok {
		return reason, reason
	}
	en, _ = i18n.Lookup(i18n.Reason, "en", reason)
	return en, fr
}
