package http

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"agora/domain/errs"
	"agora/domain/text"
	"agora/ports"
)

// Cursors are opaque to clients: version byte, time (unix nanoseconds), the
// id, the key, then a truncated SHA-256 of all that, base64url-encoded. The
// checksum makes an edited or truncated cursor a 400 rather than a silently
// different page.
const (
	cursorVersion  = 1
	cursorSumBytes = 6
	maxCursorKey   = 256
)

func encodeCursor(c *ports.Cursor) *string {
	if c == nil {
		return nil
	}
	var b bytes.Buffer
	b.WriteByte(cursorVersion)
	_ = binary.Write(&b, binary.BigEndian, c.Time.UnixNano())
	b.Write(c.ID[:])
	b.WriteString(c.Key)
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:cursorSumBytes])
	s := base64.RawURLEncoding.EncodeToString(b.Bytes())
	return &s
}

var errBadCursor = errs.BadParameter("cursor", "not a valid cursor", "cursor is not a cursor this API issued.")

func decodeCursor(s string) (*ports.Cursor, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > base64.RawURLEncoding.EncodedLen(1+8+16+maxCursorKey+cursorSumBytes) {
		return nil, errBadCursor
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	// The decoder skips line breaks and ignores the spare bits of the last
	// character; only the exact encoding we issue is a cursor.
	if err != nil || len(raw) < 1+8+16+cursorSumBytes || raw[0] != cursorVersion ||
		base64.RawURLEncoding.EncodeToString(raw) != s {
		return nil, errBadCursor
	}
	body, sum := raw[:len(raw)-cursorSumBytes], raw[len(raw)-cursorSumBytes:]
	want := sha256.Sum256(body)
	if !bytes.Equal(sum, want[:cursorSumBytes]) {
		return nil, errBadCursor
	}
	nanos := int64(binary.BigEndian.Uint64(body[1:9])) //nolint:gosec // round-trips the int64 written by encodeCursor
	id, err := uuid.FromBytes(body[9:25])
	if err != nil {
		return nil, errBadCursor
	}
	// The checksum is not a secret, so anyone can make a cursor: its key
	// reaches SQL and must be text PostgreSQL can hold (no NUL, valid UTF-8).
	key := string(body[25:])
	if !utf8.ValidString(key) || text.HasControl(key, text.SingleLine) {
		return nil, errBadCursor
	}
	return &ports.Cursor{Time: time.Unix(0, nanos).UTC(), ID: id, Key: key}, nil
}

// pageRequest reads ?limit= and ?cursor= into a PageRequest (400 when bad).
func pageRequest(c echo.Context) (ports.PageRequest, error) {
	limit, err := queryLimit(c)
	if err != nil {
		return ports.PageRequest{}, err
	}
	// An empty "?cursor=" is no cursor this API issued (the first page is
	// asked for by leaving cursor out).
	vals, given := c.QueryParams()["cursor"]
	if given && vals[0] == "" {
		return ports.PageRequest{}, errBadCursor
	}
	after, err := decodeCursor(c.QueryParam("cursor"))
	if err != nil {
		return ports.PageRequest{}, err
	}
	return ports.PageRequest{Limit: limit, After: after}, nil
}

// pageDTO is the contract's list envelope.
type pageDTO[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// toPageDTO maps a page of domain values to the envelope; items is never null.
func toPageDTO[D, T any](p ports.Page[D], mapItem func(D) T) pageDTO[T] {
	return pageDTO[T]{Items: toDTOs(p.Items, mapItem), NextCursor: encodeCursor(p.Next)}
}
