package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"agora/domain/errs"
)

var (
	errTooManyRequests      = errors.New("too many requests")
	errUnsupportedMediaType = errors.New("unsupported media type")
	errPayloadTooLarge      = errors.New("payload too large")
)

// decodeJSON reads the request body strictly into dst: the media type must
// be JSON (415), the body at most 64 KiB (413), one JSON object with no
// unknown fields, no wrong types and nothing after it (400).
func decodeJSON(c echo.Context, dst any) error {
	req := c.Request()
	mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return errs.Wrap(errUnsupportedMediaType, "The request body must be application/json.", err)
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
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return errs.Wrap(errs.ErrBadRequest, describeJSONError(err), err)
	}
	if dec.More() {
		return errs.New(errs.ErrBadRequest, "The request body has data after the JSON object.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.New(errs.ErrBadRequest, "The request body has data after the JSON object.")
	}
	return nil
}

// describeJSONError says what is wrong without echoing internal types.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("The request body is not valid JSON (at byte %d).", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return "The request body must be a JSON object."
		}
		return fmt.Sprintf("Field %q must be of JSON type %s.", typ.Field, jsonTypeName(typ.Type.Kind().String()))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "The request body is truncated JSON."
	}
	// encoding/json reports unknown fields as `json: unknown field "x"`.
	const prefix = "json: unknown field "
	if msg := err.Error(); len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		return "Unknown field " + msg[len(prefix):] + "."
	}
	return "The request body is not valid JSON."
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

// queryLimit parses ?limit= (1-100, default 20).
func queryLimit(c echo.Context) (int, error) {
	raw := c.QueryParam("limit")
	if raw == "" {
		return 20, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > 100 {
		return 0, &errs.Error{
			Kind:    errs.ErrBadRequest,
			Message: "limit must be an integer from 1 to 100.",
			Fields:  []errs.FieldError{{Field: "limit", Message: "must be an integer from 1 to 100"}},
		}
	}
	return n, nil
}

// nullableString tells an omitted field (Set false) from an explicit null
// (Null true) and a value, which a *string cannot.
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
