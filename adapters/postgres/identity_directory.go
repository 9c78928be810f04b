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

// SearchUsers implements identity.DirectoryStore. It reads from the replica
// when there is a usable one; the cursor's Key is lower(username).
func (s *IdentityStore) SearchUsers(ctx context.Context, caller uuid.UUID, prefix string, page ports.PageRequest) (ports.Page[user.Summary], error) {
	cursor := func(u user.Summary) ports.Cursor { return ports.Cursor{Key: u.Username.Key(), ID: u.ID} }
	if prefix == "" {
		return readPage(ctx, s.reads, page,
			func(q *db.Queries, after ports.Cursor, maxRows int32) ([]db.ListUsersRow, error) {
				return q.ListUsers(ctx, db.ListUsersParams{After: after.Key, Caller: caller, Lim: maxRows})
			},
			func(r db.ListUsersRow) user.Summary { return toSummary(r.ID, r.Username, r.DisplayName) }, cursor)
	}
	return readPage(ctx, s.reads, page,
		func(q *db.Queries, after ports.Cursor, maxRows int32) ([]db.SearchUsersRow, error) {
			return q.SearchUsers(ctx, db.SearchUsersParams{Pattern: likePrefix(prefix), After: after.Key, Caller: caller, Lim: maxRows})
		},
		func(r db.SearchUsersRow) user.Summary { return toSummary(r.ID, r.Username, r.DisplayName) }, cursor)
}
