package http

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"

	"agora/domain/errs"
)

var (
	errTooManyRequests      = errors.New("too many requests")
	errUnsupportedMediaType = errors.New("unsupported media type")
	errPayloadTooLarge      = errors.New("payload too large")
)

// decodeJSON reads the request body strictly into dst: the media type must
// be JSON in UTF-8 with no content coding (415), the body at most 64 KiB (413), one JSON object of valid
// UTF-8 whose member names match the DTO's fields exactly (no unknown name,
// no name differing only by case, no name twice), no wrong types and nothing
// after it (400). The decoder is go-json-experiment/json (the future
// encoding/json/v2), whose defaults refuse invalid UTF-8 and duplicate names
// and match names case-sensitively, where encoding/json silently repairs,
// folds case and keeps the last duplicate.
func decodeJSON(c echo.Context, dst any) error {
	req := c.Request()
	mt, params, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return errs.Wrap(errUnsupportedMediaType, "The request body must be application/json.", err)
	}
	// JSON is UTF-8 (RFC 8259): a body declared in another charset would be
	// read as something it is not.
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errs.New(errUnsupportedMediaType, "The request body must be UTF-8 (charset=utf-8 or no charset).")
	}
	// No content coding is decoded: a gzip body would otherwise reach the
	// JSON decoder as binary and answer a misleading 400 (RFC 9110 15.5.16).
	for _, ce := range req.Header.Values("Content-Encoding") {
		if !strings.EqualFold(strings.TrimSpace(ce), "identity") {
			return errs.New(errUnsupportedMediaType, "Content-Encoding is not supported; send the JSON body uncompressed.")
		}
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		var he *echo.HTTPError
		var mbe *http.MaxBytesError
		if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge || errors.As(err, &mbe) {
			return errs.Wrap(errPayloadTooLarge, "The request body is larger than 64 KiB.", err)
		}
		return errs.Wrap(errs.ErrBadRequest, "The request body could not be read.", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errs.New(errs.ErrBadRequest, "The request body is empty; a JSON object is required.")
	}
	if err := json.Unmarshal(body, dst, json.RejectUnknownMembers(true)); err != nil {
		return errs.Wrap(errs.ErrBadRequest, describeJSONError(err), err)
	}
	return nil
}

// parser is a request body's DTO: parse checks it into the domain value V
// the use case takes (every broken rule reported at once).
type parser[V any] interface{ parse() (V, error) }

// decodeBody reads the request body strictly into a D (decodeJSON) and
// parses it: what every handler that takes a JSON body starts with.
func decodeBody[D parser[V], V any](c echo.Context) (V, error) {
	var req D
	if err := decodeJSON(c, &req); err != nil {
		var zero V
		return zero, err
	}
	return req.parse()
}

// describeJSONError says what is wrong without echoing internal types.
func describeJSONError(err error) string {
	var syn *jsontext.SyntacticError
	var sem *json.SemanticError
	switch {
	case errors.Is(err, jsontext.ErrDuplicateName):
		return fmt.Sprintf("The request body names %q more than once.", lastName(err))
	case errors.As(err, &syn) && strings.Contains(syn.Err.Error(), "UTF-8"):
		return fmt.Sprintf("The request body is not valid UTF-8 (at byte %d).", syn.ByteOffset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "The request body is truncated JSON."
	case errors.As(err, &syn) && strings.Contains(syn.Err.Error(), "after top-level value"):
		return "The request body has data after the JSON object."
	case errors.As(err, &syn):
		return fmt.Sprintf("The request body is not valid JSON (at byte %d).", syn.ByteOffset)
	case errors.As(err, &sem) && errors.Is(sem.Err, json.ErrUnknownName):
		return fmt.Sprintf("Unknown field %q (field names are case-sensitive).", lastName(err))
	case errors.As(err, &sem) && sem.JSONPointer == "":
		return "The request body must be a JSON object."
	case errors.As(err, &sem) && sem.GoType != nil:
		return fmt.Sprintf("Field %q must be of JSON type %s.", lastName(err), jsonTypeName(sem.GoType.Kind().String()))
	}
	return "The request body is not valid JSON."
}

// lastName is the innermost member name an error points at, cut to 64
// bytes: it comes from the client and goes back into the problem's detail.
func lastName(err error) string {
	var syn *jsontext.SyntacticError
	var sem *json.SemanticError
	var p jsontext.Pointer
	switch {
	case errors.As(err, &syn):
		p = syn.JSONPointer
	case errors.As(err, &sem):
		p = sem.JSONPointer
	}
	name := p.LastToken()
	if len(name) > 64 {
		name = name[:64] + "…"
	}
	return name
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct", "ptr":
		return "object"
	default:
		return "number"
	}
}

// queryLimit parses ?limit= (1-100, default 20). Something that is not an
// integer is malformed (400); an integer outside 1-100 is well-formed but
// breaks the rule (422), as the contract's Lists line says. An empty
// "?limit=" is not an integer (400).
func queryLimit(c echo.Context) (int, error) {
	// Absent is the default; present but empty ("?limit=") is not an integer.
	vals, given := c.QueryParams()["limit"]
	if !given {
		return 20, nil
	}
	raw := vals[0]
	n, err := strconv.Atoi(raw)
	var num *strconv.NumError
	outOfRange := errors.As(err, &num) && errors.Is(num.Err, strconv.ErrRange)
	if err != nil && !outOfRange {
		return 0, errs.BadParameter("limit", "must be an integer from 1 to 100", "")
	}
	if outOfRange || n < 1 || n > 100 {
		return 0, errs.Invalid(errs.FieldError{Field: "limit", Message: "must be from 1 to 100"})
	}
	return n, nil
}

// nullableString tells an omitted field (Set false) from an explicit null
// (Null true) and a value, which a *string cannot. Every string field of a
// request body is one, read by its DTO's parse with required or ptr, so
// that a null is refused in one way ("must not be null") whatever the
// field: a plain string would take null as "" and answer with the
// field's length rule.
type nullableString struct {
	Set   bool
	Null  bool
	Value string
}

// UnmarshalJSON records that the field was present.
func (o *nullableString) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// ptr returns the value when given, nil when omitted; a null is reported
// into f (the contract answers 422 for null).
func (o nullableString) ptr(f *errs.Fields, field string) *string {
	if o.Null {
		f.Add(field, "must not be null")
		return nil
	}
	if !o.Set {
		return nil
	}
	v := o.Value
	return &v
}

// required returns the value of a field the request must give. A null
// ("must not be null") and an omitted field ("is required") are reported
// into f, and "" is returned for them: the domain parser that then sees ""
// may refuse it too, and withFieldErrors keeps the adapter's error for the
// field. This is the adapter's one presence check; a domain parser that
// takes a *string (post.ParseDraft) decides presence itself from ptr.
func (o nullableString) required(f *errs.Fields, field string) string {
	switch {
	case o.Null:
		f.Add(field, "must not be null")
	case !o.Set:
		f.Add(field, "is required")
	}
	return o.Value
}

// withFieldErrors joins the field errors the adapter found (nulls) with the
// domain parsers' errors, so that one answer names every broken rule; the
// result is nil when all are clean. A field the adapter already reported
// keeps that one error (a null body is "must not be null", not also "is
// required"). An error without field errors is returned as it is.
func withFieldErrors(f errs.Fields, parsed ...error) error {
	seen := make(map[string]bool, len(f))
	for _, fe := range f {
		seen[fe.Field] = true
	}
	for _, err := range parsed {
		if err != nil && len(errs.FieldsOf(err)) == 0 {
			return err
		}
		for _, fe := range errs.FieldsOf(err) {
			if !seen[fe.Field] {
				f = append(f, fe)
			}
		}
	}
	return f.Err()
}
