package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"agora/domain/errs"
)

// PostgreSQL error codes this package reacts to.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeCheckViolation      = "23514"
	codeQueryCanceled       = "57014"
	codeAdminShutdown       = "57P01"
	codeCannotConnectNow    = "57P03"
	codeTooManyConnections  = "53300"
	// classDataException is SQLSTATE class 22: a value the server cannot
	// take (a NUL or invalid UTF-8 in text, a number or date out of range).
	classDataException = "22"
)

// translate maps a driver error to the domain's error kinds. The driver's
// text stays in the cause, which is logged and never sent to a client.
// Constraint-specific meanings (which unique index means "username taken")
// are decided by the store that ran the statement, with constraintOf.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var known *errs.Error
	if errors.As(err, &known) {
		return err // already of a domain kind: translating is idempotent
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return errs.Wrap(errs.ErrNotFound, "not found", err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case codeUniqueViolation:
			return errs.Wrap(errs.ErrConflict, "already exists", err)
		case codeForeignKeyViolation:
			return errs.Wrap(errs.ErrNotFound, "a referenced record does not exist", err)
		case codeCheckViolation:
			return errs.Wrap(errs.ErrInvalid, "a value breaks a rule", err)
		case codeQueryCanceled, codeAdminShutdown, codeCannotConnectNow, codeTooManyConnections:
			return errs.Wrap(errs.ErrUnavailable, "the database is unavailable", err)
		}
		// The domain's value types refuse such input first; this is the last
		// line of defence, so that no future field can answer 500 with it.
		if strings.HasPrefix(pgErr.Code, classDataException) {
			return errs.Wrap(errs.ErrBadRequest, "The request holds a value that cannot be stored.", err)
		}
		return err
	}
	if isUnavailable(err) {
		return errs.Wrap(errs.ErrUnavailable, "the database is unavailable", err)
	}
	return err
}

// isUnavailable tells errors that mean "the database cannot be reached in
// time" (connection refused, pool acquire timeout, deadline) from bugs.
func isUnavailable(err error) bool {
	// A pooled connection cut by a database restart reads EOF mid-protocol.
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}

// constraintOf returns the name of the constraint a statement violated, or "".
func constraintOf(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName
	}
	return ""
}
