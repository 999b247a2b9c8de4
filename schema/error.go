// Package schema is Carnet's vocabulary: competency frameworks, learners,
// assessments, credentials, the Open Badges 3.0 JSON shapes, the error type
// with codes and the storage interfaces. It imports only the standard library
// and golang.org/x/text/unicode/norm (the standard library has no Unicode
// normalisation, and names must be stored in one form).
package schema

import (
	"errors"
	"fmt"
)

// Error codes. The web package alone maps them to HTTP statuses; the CLI maps
// them to exit codes.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EINTERNAL     = "internal"
	// EUNAVAILABLE: the instance cannot do this now (its database is known
	// to be damaged, a key file is missing); the operator must act.
	EUNAVAILABLE = "unavailable"
)

// Error is an error meant for a user: a code, and a message in English and in
// French. Causes meant for logs are wrapped around it with fmt.Errorf and %w.
type Error struct {
	Code      string
	Message   string // English
	MessageFR string // French
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error whose English and French messages are both
// formatted with args.
func Errorf(code, en, fr string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(en, args...), MessageFR: fmt.Sprintf(fr, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe English message of err: the *Error's
// message, or a generic one for internal errors (never the cause).
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorMessageFR is ErrorMessage in French.
func ErrorMessageFR(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		if e.MessageFR != "" {
			return e.MessageFR
		}
		return e.Message
	}
	return "Erreur interne."
}
