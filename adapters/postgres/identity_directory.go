package postgres

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"agora/adapters/postgres/internal/db"
	"agora/domain/user"
	"agora/ports"
)

// likePrefix turns a search prefix into a LIKE pattern that matches it
// literally: \, % and _ are escaped (backslash is LIKE's default escape).
func likePrefix(prefix string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(prefix) + "%"
}

// SearchUsers implements identity.DirectoryStore.
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
