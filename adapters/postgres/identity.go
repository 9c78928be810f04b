package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"agora/adapters/postgres/internal/db"
	"agora/domain/errs"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/identity"
)

// IdentityStore keeps users, sessions, refresh tokens and emailed tokens.
// It implements identity.Store.
type IdentityStore struct {
	pool     *pgxpool.Pool
	q        *db.Queries
	reads    reads
	sessions *SessionCache
}

var _ identity.Store = (*IdentityStore)(nil)

// NewIdentityStore returns the store over the pool. Its session checks go
// to the database until the cache's listener runs (SessionCache().Listen).
func NewIdentityStore(pool *pgxpool.Pool) *IdentityStore {
	q := db.New(pool)
	return &IdentityStore{pool: pool, q: q, reads: reads{primary: q}, sessions: newSessionCache(q, pool.Config().ConnConfig)}
}

// SessionCache is the store's cache of live sessions.
func (s *IdentityStore) SessionCache() *SessionCache { return s.sessions }

// The unique indexes whose violation means "taken".
const (
	constraintUsername = "users_username_lower_key"
	constraintEmail    = "users_email_lower_key"
)

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

func toSession(r db.Session) session.Session {
	return session.Session{
		ID: r.ID, UserID: r.UserID, CreatedAt: r.CreatedAt.UTC(), LastUsedAt: r.LastUsedAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), RevokedAt: utcPtr(r.RevokedAt),
	}
}

func toRefreshToken(r db.RefreshToken) session.RefreshToken {
	var h session.Hash
	copy(h[:], r.TokenHash)
	return session.RefreshToken{
		Hash: h, SessionID: r.SessionID, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
		UsedAt: utcPtr(r.UsedAt),
	}
}

func toOneTimeToken(r db.UserToken) session.OneTimeToken {
	var h session.Hash
	copy(h[:], r.TokenHash)
	return session.OneTimeToken{
		Hash: h, UserID: r.UserID, Purpose: session.Purpose(r.Purpose), CreatedAt: r.CreatedAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), UsedAt: utcPtr(r.UsedAt),
	}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func ptr[T any](v T) *T { return &v }

func insertSession(ctx context.Context, q *db.Queries, s session.Session, rt session.RefreshToken) error {
	if err := q.InsertSession(ctx, db.InsertSessionParams{
		ID: s.ID, UserID: s.UserID, CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt,
		ExpiresAt: s.ExpiresAt, RevokedAt: s.RevokedAt,
	}); err != nil {
		return err
	}
	return insertRefreshToken(ctx, q, rt)
}

func insertRefreshToken(ctx context.Context, q *db.Queries, rt session.RefreshToken) error {
	return q.InsertRefreshToken(ctx, db.InsertRefreshTokenParams{
		TokenHash: rt.Hash[:], SessionID: rt.SessionID, CreatedAt: rt.CreatedAt, ExpiresAt: rt.ExpiresAt, UsedAt: rt.UsedAt,
	})
}

// CreateUser implements identity.Store.
func (s *IdentityStore) CreateUser(ctx context.Context, u user.User, sess session.Session, rt session.RefreshToken) error {
	return withinTx(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		err := q.InsertUser(ctx, db.InsertUserParams{
			ID: u.ID, Username: string(u.Username), Email: string(u.Email), EmailVerifiedAt: u.EmailVerifiedAt,
			PasswordHash: u.PasswordHash, DisplayName: u.DisplayName, Headline: u.Headline, Bio: u.Bio,
			CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
		})
		switch constraintOf(err) {
		case constraintUsername:
			return errs.Wrap(identity.ErrUsernameTaken, errs.MessageOf(identity.ErrUsernameTaken), err)
		case constraintEmail:
			return errs.Wrap(identity.ErrEmailTaken, errs.MessageOf(identity.ErrEmailTaken), err)
		}
		if err != nil {
			return translate(err)
		}
		return translate(insertSession(ctx, q, sess, rt))
	})
}

// UserByID implements identity.Store.
func (s *IdentityStore) UserByID(ctx context.Context, id uuid.UUID) (user.User, error) {
	r, err := s.q.GetUserByID(ctx, id)
	if err != nil {
		return user.User{}, translate(err)
	}
	return toUser(r), nil
}

// UserByUsername implements identity.Store.
func (s *IdentityStore) UserByUsername(ctx context.Context, username string) (user.User, error) {
	r, err := s.q.GetUserByUsername(ctx, username)
	if err != nil {
		return user.User{}, translate(err)
	}
	return toUser(r), nil
}

// UserByEmail implements identity.Store.
func (s *IdentityStore) UserByEmail(ctx context.Context, email string) (user.User, error) {
	r, err := s.q.GetUserByEmail(ctx, email)
	if err != nil {
		return user.User{}, translate(err)
	}
	return toUser(r), nil
}

// UpdateProfile implements identity.Store.
func (s *IdentityStore) UpdateProfile(ctx context.Context, id uuid.UUID, c user.ProfileChanges, now time.Time) (user.User, error) {
	r, err := s.q.UpdateProfile(ctx, db.UpdateProfileParams{
		DisplayName: c.DisplayName, Headline: c.Headline, Bio: c.Bio, UpdatedAt: now, ID: id,
	})
	if err != nil {
		return user.User{}, translate(err)
	}
	return toUser(r), nil
}

// SetPasswordHash implements identity.Store.
func (s *IdentityStore) SetPasswordHash(ctx context.Context, id uuid.UUID, hash string, now time.Time) error {
	n, err := s.q.SetPasswordHash(ctx, db.SetPasswordHashParams{ID: id, PasswordHash: hash, UpdatedAt: now})
	if err != nil {
		return translate(err)
	}
	if n == 0 {
		return errs.New(errs.ErrNotFound, "no such user")
	}
	return nil
}

// ChangePassword implements identity.Store.
func (s *IdentityStore) ChangePassword(ctx context.Context, id uuid.UUID, hash string, keep uuid.UUID, now time.Time) error {
	defer s.sessions.ForgetUser(id)
	return withinTx(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		n, err := q.SetPasswordHash(ctx, db.SetPasswordHashParams{ID: id, PasswordHash: hash, UpdatedAt: now})
		if err != nil {
			return translate(err)
		}
		if n == 0 {
			return errs.New(errs.ErrNotFound, "no such user")
		}
		if err := q.SpendUserTokens(ctx, db.SpendUserTokensParams{Now: &now, UserID: id}); err != nil {
			return translate(err)
		}
		return translate(q.RevokeUserSessions(ctx, db.RevokeUserSessionsParams{Now: &now, UserID: id, Keep: keep}))
	})
}

// DeleteUser implements identity.Store.
func (s *IdentityStore) DeleteUser(ctx context.Context, id uuid.UUID) error {
	defer s.sessions.ForgetUser(id)
	n, err := s.q.DeleteUser(ctx, id)
	if err != nil {
		return translate(err)
	}
	if n == 0 {
		return errs.New(errs.ErrNotFound, "no such user")
	}
	return nil
}

// likePrefix turns a search prefix into a LIKE pattern that matches it
// literally: \, % and _ are escaped (backslash is LIKE's default escape).
func likePrefix(prefix string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(prefix) + "%"
}

// SearchUsers implements identity.Store.
func (s *IdentityStore) SearchUsers(ctx context.Context, caller uuid.UUID, prefix string, page ports.PageRequest) (ports.Page[user.Summary], error) {
	after := ""
	if page.After != nil {
		after = page.After.Key
	}
	lim := int32(min(max(page.Limit, 1), 1000) + 1) //nolint:gosec // clamped above
	var out []user.Summary
	if prefix == "" {
		var rows []db.ListUsersRow
		err := s.reads.run(ctx, func(q *db.Queries) (err error) {
			rows, err = q.ListUsers(ctx, db.ListUsersParams{After: after, Caller: caller, Lim: lim})
			return err
		})
		if err != nil {
			return ports.Page[user.Summary]{}, translate(err)
		}
		for _, r := range rows {
			out = append(out, user.Summary{ID: r.ID, Username: user.Username(r.Username), DisplayName: r.DisplayName})
		}
	} else {
		var rows []db.SearchUsersRow
		err := s.reads.run(ctx, func(q *db.Queries) (err error) {
			rows, err = q.SearchUsers(ctx, db.SearchUsersParams{Pattern: likePrefix(prefix), After: after, Caller: caller, Lim: lim})
			return err
		})
		if err != nil {
			return ports.Page[user.Summary]{}, translate(err)
		}
		for _, r := range rows {
			out = append(out, user.Summary{ID: r.ID, Username: user.Username(r.Username), DisplayName: r.DisplayName})
		}
	}
	return ports.PageOf(out, page.Limit, func(u user.Summary) ports.Cursor {
		return ports.Cursor{Key: u.Username.Key(), ID: u.ID}
	}), nil
}

// CreateSession implements identity.Store.
func (s *IdentityStore) CreateSession(ctx context.Context, sess session.Session, rt session.RefreshToken) error {
	return withinTx(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		return translate(insertSession(ctx, s.q.WithTx(tx), sess, rt))
	})
}

// Refresh implements identity.Store.
func (s *IdentityStore) Refresh(ctx context.Context, presented session.Hash, decide func(session.RefreshToken, session.Session) (identity.RefreshPlan, error)) (session.Session, error) {
	var sess session.Session
	var refused error
	// Forgotten once the revocation has committed: forgotten before, a check
	// made during the commit could still find the session live and
	// remember it until the notification comes back.
	var revoked uuid.UUID
	defer func() {
		if revoked != uuid.Nil {
			s.sessions.Forget(revoked)
		}
	}()
	err := withinTx(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		row, err := q.LockRefreshToken(ctx, presented[:])
		if err != nil {
			return translate(err)
		}
		rt, cur := toRefreshToken(row.RefreshToken), toSession(row.Session)
		plan, derr := decide(rt, cur)
		refused = derr
		now := plan.Now
		if plan.Revoke && cur.RevokedAt == nil {
			revoked = cur.ID
			if err := q.RevokeSession(ctx, db.RevokeSessionParams{ID: cur.ID, RevokedAt: &now}); err != nil {
				return translate(err)
			}
			cur.RevokedAt = ptr(now.UTC())
		}
		if plan.Next != nil {
			if err := q.MarkRefreshTokenUsed(ctx, db.MarkRefreshTokenUsedParams{TokenHash: presented[:], UsedAt: &now}); err != nil {
				return translate(err)
			}
			if err := insertRefreshToken(ctx, q, *plan.Next); err != nil {
				return translate(err)
			}
			if err := q.TouchSession(ctx, db.TouchSessionParams{ID: cur.ID, LastUsedAt: now}); err != nil {
				return translate(err)
			}
			cur.LastUsedAt = now.UTC()
		}
		sess = cur
		return nil
	})
	if err != nil {
		return session.Session{}, err
	}
	return sess, refused
}

// RevokeSessionOf implements identity.Store.
func (s *IdentityStore) RevokeSessionOf(ctx context.Context, presented session.Hash, now time.Time) error {
	ids, err := s.q.RevokeSessionByRefreshToken(ctx, db.RevokeSessionByRefreshTokenParams{Now: &now, TokenHash: presented[:]})
	if err != nil {
		return translate(err)
	}
	s.sessions.Forget(ids...)
	if len(ids) == 0 {
		return errs.New(errs.ErrNotFound, "no such refresh token")
	}
	return nil
}

// SessionLive implements identity.Store, through the session cache.
func (s *IdentityStore) SessionLive(ctx context.Context, sessionID, userID uuid.UUID, now time.Time) (bool, error) {
	return s.sessions.Live(ctx, sessionID, userID, now)
}

// CreateOneTimeToken implements identity.Store.
func (s *IdentityStore) CreateOneTimeToken(ctx context.Context, t session.OneTimeToken) error {
	return translate(s.q.InsertUserToken(ctx, db.InsertUserTokenParams{
		TokenHash: t.Hash[:], UserID: t.UserID, Purpose: string(t.Purpose), CreatedAt: t.CreatedAt,
		ExpiresAt: t.ExpiresAt, UsedAt: t.UsedAt,
	}))
}

// redeem locks a token, checks it with the domain rule and spends it.
func redeem(ctx context.Context, q *db.Queries, presented session.Hash, p session.Purpose, now time.Time) (uuid.UUID, error) {
	r, err := q.LockUserToken(ctx, presented[:])
	if err != nil {
		return uuid.Nil, translate(err)
	}
	t := toOneTimeToken(r)
	if !t.Usable(p, now) {
		return uuid.Nil, errs.New(errs.ErrNotFound, "token unusable")
	}
	if err := q.MarkUserTokenUsed(ctx, db.MarkUserTokenUsedParams{TokenHash: presented[:], UsedAt: &now}); err != nil {
		return uuid.Nil, translate(err)
	}
	return t.UserID, nil
}

// ResetPassword implements identity.Store.
func (s *IdentityStore) ResetPassword(ctx context.Context, presented session.Hash, hash string, now time.Time) error {
	var reset uuid.UUID // forgotten once committed (see Refresh)
	defer func() {
		if reset != uuid.Nil {
			s.sessions.ForgetUser(reset)
		}
	}()
	return withinTx(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		id, err := redeem(ctx, q, presented, session.PasswordReset, now)
		if err != nil {
			return err
		}
		reset = id
		if _, err := q.SetPasswordHash(ctx, db.SetPasswordHashParams{ID: id, PasswordHash: hash, UpdatedAt: now}); err != nil {
			return translate(err)
		}
		// The other reset (and verification) links of the user die with this one.
		if err := q.SpendUserTokens(ctx, db.SpendUserTokensParams{Now: &now, UserID: id}); err != nil {
			return translate(err)
		}
		return translate(q.RevokeUserSessions(ctx, db.RevokeUserSessionsParams{Now: &now, UserID: id, Keep: uuid.Nil}))
	})
}

// VerifyEmail implements identity.Store.
func (s *IdentityStore) VerifyEmail(ctx context.Context, presented session.Hash, now time.Time) error {
	return withinTx(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		id, err := redeem(ctx, q, presented, session.EmailVerification, now)
		if err != nil {
			return err
		}
		return translate(q.SetEmailVerified(ctx, db.SetEmailVerifiedParams{Now: now, ID: id}))
	})
}

// PurgeExpired implements identity.Store.
func (s *IdentityStore) PurgeExpired(ctx context.Context, now, sessionsBefore time.Time) (int64, error) {
	var total int64
	err := withinTx(ctx, s.pool, pgx.TxOptions{}, func(tx pgx.Tx) error {
		q := s.q.WithTx(tx)
		for _, purge := range []func() (int64, error){
			func() (int64, error) { return q.PurgeSessions(ctx, sessionsBefore) },
			func() (int64, error) { return q.PurgeRefreshTokens(ctx, now) },
			func() (int64, error) { return q.PurgeUserTokens(ctx, now) },
		} {
			n, err := purge()
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	return total, err
}
