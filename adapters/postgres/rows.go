package postgres

import (
	"time"

	"github.com/google/uuid"

	"agora/adapters/postgres/internal/db"
	"agora/domain/session"
	"agora/domain/user"
)

// The row mappers more than one store uses (identity and social: the export
// reads users and sessions too), so that a row maps the same way wherever it
// is read.

// toSummary is a user as lists show them, from the three columns every
// query that names a user selects (id, username, display_name).
func toSummary(id uuid.UUID, username, displayName string) user.Summary {
	return user.Summary{ID: id, Username: user.Username(username), DisplayName: displayName}
}

// utcPtr is a nullable time in UTC, as the domain compares times.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// toHash is a token_hash column: the token's SHA-256.
func toHash(b []byte) session.Hash {
	var h session.Hash
	copy(h[:], b)
	return h
}

// ptr is a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// toUser maps a users row.
func toUser(r db.User) user.User {
	return user.User{
		ID:              r.ID,
		Username:        user.Username(r.Username),
		Email:           user.Email(r.Email),
		EmailVerifiedAt: utcPtr(r.EmailVerifiedAt),
		PasswordHash:    r.PasswordHash,
		DisplayName:     r.DisplayName,
		Headline:        r.Headline,
		Bio:             r.Bio,
		CreatedAt:       r.CreatedAt.UTC(),
		UpdatedAt:       r.UpdatedAt.UTC(),
	}
}

// toSession maps a sessions row.
func toSession(r db.Session) session.Session {
	return session.Session{
		ID: r.ID, UserID: r.UserID, CreatedAt: r.CreatedAt.UTC(), LastUsedAt: r.LastUsedAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), RevokedAt: utcPtr(r.RevokedAt),
	}
}
