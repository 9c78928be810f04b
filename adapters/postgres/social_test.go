package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"agora/adapters/postgres"
	"agora/domain/errs"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports/social/socialtest"
)

// socialHarness seeds what the social store does not own (accounts and
// sessions) with plain SQL.
func socialHarness(t *testing.T, pool *pgxpool.Pool) socialtest.Harness {
	exec := func(t *testing.T, sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	return socialtest.Harness{
		Store: postgres.NewSocialStore(pool),
		AddUser: func(t *testing.T, a user.User) user.User {
			exec(t, `INSERT INTO users (id, username, email, password_hash, display_name, headline, bio, created_at, updated_at)
				VALUES ($1, $2, $3, 'x', $4, $5, $6, $7, $8)`,
				a.ID, string(a.Username), string(a.Email), a.DisplayName, a.Headline, a.Bio, a.CreatedAt, a.UpdatedAt)
			return a
		},
		AddSession: func(t *testing.T, s session.Session) {
			exec(t, `INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, revoked_at)
				VALUES ($1, $2, $3, $4, $5, $6)`, s.ID, s.UserID, s.CreatedAt, s.LastUsedAt, s.ExpiresAt, s.RevokedAt)
		},
		DeleteUser: func(t *testing.T, id uuid.UUID) { exec(t, `DELETE FROM users WHERE id = $1`, id) },
	}
}

// The PostgreSQL store keeps the same contract as the in-memory fake (socialtest.MemStore).
func TestSocialStoreKeepsTheContract(t *testing.T) {
	t.Parallel()
	socialtest.RunStoreContract(t, func(t *testing.T) socialtest.Harness { return socialHarness(t, openPool(t)) })
}

// The database enforces the rules on its own, whatever the code above it does.
func TestSocialConstraintsHoldWithoutTheDomain(t *testing.T) {
	t.Parallel()
	pool := openPool(t)
	ctx := context.Background()
	ids := make([]uuid.UUID, 3)
	for i := range ids {
		ids[i] = uuid.Must(uuid.NewV7())
		if _, err := pool.Exec(ctx, `INSERT INTO users (id, username, email, password_hash, display_name)
			VALUES ($1, $2, $2 || '@x.org', 'x', 'X')`, ids[i], "con_"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	a, b := ids[0], ids[1]
	req := uuid.Must(uuid.NewV7())
	cases := []struct {
		name string
		sql  string
		args []any
	}{
		{"request to oneself", `INSERT INTO connection_requests (id, from_id, to_id) VALUES (gen_random_uuid(), $1, $1)`, []any{a}},
		{"second pending request, same direction", `INSERT INTO connection_requests (id, from_id, to_id) VALUES (gen_random_uuid(), $1, $2)`, []any{a, b}},
		{"second pending request, other direction", `INSERT INTO connection_requests (id, from_id, to_id) VALUES (gen_random_uuid(), $2, $1)`, []any{a, b}},
		{"settled without a time", `UPDATE connection_requests SET status = 'accepted' WHERE id = $1`, []any{req}},
		{"back to pending", `UPDATE connection_requests SET status = 'pending', responded_at = NULL WHERE id = $1`, []any{req}},
		{"settled twice", `UPDATE connection_requests SET status = 'withdrawn' WHERE id = $1`, []any{req}},
		{"rewritten sender", `UPDATE connection_requests SET from_id = to_id WHERE id = $1`, []any{req}},
		{"connection to oneself", `INSERT INTO connections (user_id, other_id) VALUES ($1, $1)`, []any{a}},
		{"duplicate connection", `INSERT INTO connections (user_id, other_id) VALUES ($1, $2)`, []any{a, b}},
		{"block of oneself", `INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $1)`, []any{a}},
		{"empty post", `INSERT INTO posts (id, author_id, body) VALUES (gen_random_uuid(), $1, ' ')`, []any{a}},
		{"unknown visibility", `INSERT INTO posts (id, author_id, body, visibility) VALUES (gen_random_uuid(), $1, 'x', 'friends')`, []any{a}},
	}
	setup := []string{
		`INSERT INTO connection_requests (id, from_id, to_id) VALUES ('` + req.String() + `', '` + a.String() + `', '` + b.String() + `')`,
	}
	for _, s := range setup {
		if _, err := pool.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// Settle the request once, legally, between the cases that need it pending and those that need it settled.
	for i, tc := range cases {
		if tc.name == "back to pending" {
			if _, err := pool.Exec(ctx, `UPDATE connection_requests SET status = 'declined', responded_at = now() WHERE id = $1`, req); err != nil {
				t.Fatalf("a legal transition failed: %v", err)
			}
			if _, err := pool.Exec(ctx, `INSERT INTO connections (user_id, other_id) VALUES ($1, $2)`, a, b); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := pool.Exec(ctx, tc.sql, tc.args...); err == nil {
			t.Errorf("case %d (%s): the database accepted it", i, tc.name)
		}
	}
}

// An error from a decide function reaches the caller as it is and nothing is written.
func TestSocialStoreRollsBackOnAnError(t *testing.T) {
	t.Parallel()
	pool := openPool(t)
	h := socialHarness(t, pool)
	s := h.Store
	a := h.AddUser(t, user.User{ID: uuid.Must(uuid.NewV7()), Username: "roll_a", Email: "a@x.org", DisplayName: "A"})
	b := h.AddUser(t, user.User{ID: uuid.Must(uuid.NewV7()), Username: "roll_b", Email: "b@x.org", DisplayName: "B"})
	ctx := context.Background()
	if err := s.Block(ctx, a.ID, uuid.Must(uuid.NewV7()), a.CreatedAt); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("block of an unknown user: %v", err)
	}
	if err := s.RemoveConnection(ctx, a.ID, b.ID); !errors.Is(err, errs.ErrNotFound) {
		t.Fatalf("remove a missing connection: %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM blocks`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("blocks after a failed block: %d %v", n, err)
	}
}
