package socialtest

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/errs/errstest"
	"agora/domain/post"
	"agora/domain/session"
	"agora/domain/user"
)

// RunExportStore checks that the export holds everything about the user,
// nothing about anyone else, and no password hash.
func RunExportStore(t *testing.T, open Open) {
	h := open(t)
	s := h.Store
	t.Run("everything about the user", func(t *testing.T) {
		t.Parallel()
		me, friend, asked, blocked, stranger := account(t, h, "em"), account(t, h, "ef"), account(t, h, "ea"), account(t, h, "eb"), account(t, h, "es")
		p1 := writePost(t, s, me.ID, post.Public, tick())
		p2 := writePost(t, s, me.ID, post.Connections, tick())
		writePost(t, s, friend.ID, post.Public, tick())
		connect(t, s, friend.ID, me.ID)
		out := send(t, s, me.ID, asked.ID)
		send(t, s, stranger.ID, friend.ID)
		errstest.Must(t, s.Block(ctx, me.ID, blocked.ID, tick()))
		errstest.Must(t, s.Block(ctx, stranger.ID, me.ID, tick()))
		expires := tick().Add(720 * time.Hour)
		revoked := tick()
		ses := []session.Session{
			{ID: newID(), UserID: me.ID, CreatedAt: tick(), LastUsedAt: tick(), ExpiresAt: expires},
			{ID: newID(), UserID: me.ID, CreatedAt: tick(), LastUsedAt: tick(), ExpiresAt: expires, RevokedAt: &revoked},
		}
		for _, x := range ses {
			h.AddSession(t, x)
		}
		h.AddSession(t, session.Session{ID: newID(), UserID: friend.ID, CreatedAt: tick(), LastUsedAt: tick(), ExpiresAt: expires})

		e, err := s.Export(ctx, me.ID)
		errstest.Must(t, err)
		a := e.Account
		if a.ID != me.ID || a.Username != me.Username || a.Email != me.Email || a.EmailVerified() ||
			a.DisplayName != me.DisplayName || a.Headline != me.Headline || a.Bio != me.Bio ||
			!a.CreatedAt.Equal(me.CreatedAt) || !a.UpdatedAt.Equal(me.UpdatedAt) {
			t.Fatalf("account: %+v, want %+v", a, me)
		}
		sameIDs(t, "posts", ids(e.Posts, postID), []uuid.UUID{p2.ID, p1.ID})
		if len(e.Requests) != 2 || e.Requests[0].ID != out.ID || e.Requests[1].Status != connection.Accepted || e.Requests[1].From.ID != friend.ID {
			t.Fatalf("requests: %+v", e.Requests)
		}
		sameIDs(t, "connections", ids(e.Connections, connUser), []uuid.UUID{friend.ID})
		sameIDs(t, "blocks", ids(e.Blocks, summaryID), []uuid.UUID{blocked.ID})
		sameIDs(t, "sessions", ids(e.Sessions, func(x session.Session) uuid.UUID { return x.ID }), []uuid.UUID{ses[1].ID, ses[0].ID})
		if e.Sessions[0].UserID != me.ID || e.Sessions[1].RevokedAt != nil || e.Sessions[0].RevokedAt == nil || !e.Sessions[0].RevokedAt.Equal(revoked) ||
			!e.Sessions[1].ExpiresAt.Equal(expires) || !e.Sessions[1].LastUsedAt.Equal(ses[0].LastUsedAt) {
			t.Fatalf("sessions: %+v", e.Sessions)
		}
		empty, err := s.Export(ctx, blocked.ID)
		errstest.Must(t, err)
		if empty.Posts == nil || empty.Requests == nil || empty.Connections == nil || empty.Blocks == nil || empty.Sessions == nil {
			t.Fatalf("empty lists must be empty, not nil: %+v", empty)
		}
	})
	t.Run("no password hash", func(t *testing.T) {
		t.Parallel()
		a := h.AddUser(t, user.User{ID: newID(), Username: "export_hash", Email: "export_hash@example.com", //nolint:gosec // a stand-in hash, not a credential
			PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", DisplayName: "E", CreatedAt: tick(), UpdatedAt: tick()})
		e, err := s.Export(ctx, a.ID)
		errstest.Must(t, err)
		if e.Account.ID != a.ID || e.Account.PasswordHash != "" {
			t.Fatalf("account: %+v", e.Account)
		}
	})
}
