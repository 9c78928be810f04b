package socialtest

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"agora/domain/connection"
	"agora/domain/errs"
	"agora/domain/post"
	"agora/domain/session"
	"agora/domain/user"
	"agora/ports"
	"agora/ports/social"
)

// MemStore is an in-memory social.Store. One mutex makes every method
// atomic, which is what the real store's transactions guarantee. The zero
// value is not usable; call NewMemStore.
type MemStore struct {
	mu          sync.Mutex
	users       map[uuid.UUID]user.User
	posts       map[uuid.UUID]post.Post
	requests    map[uuid.UUID]connection.Request
	connections map[[2]uuid.UUID]time.Time // both directions
	blocks      map[[2]uuid.UUID]time.Time // blocker, blocked
	sessions    map[uuid.UUID][]session.Session
}

var _ social.Store = (*MemStore)(nil)

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{
		users:       map[uuid.UUID]user.User{},
		posts:       map[uuid.UUID]post.Post{},
		requests:    map[uuid.UUID]connection.Request{},
		connections: map[[2]uuid.UUID]time.Time{},
		blocks:      map[[2]uuid.UUID]time.Time{},
		sessions:    map[uuid.UUID][]session.Session{},
	}
}

// AddUser adds an account (the identity side owns accounts in production).
func (m *MemStore) AddUser(a user.User) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.users[a.ID] = a
}

// AddSession records a session (of ses.UserID), for the export.
func (m *MemStore) AddSession(ses session.Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[ses.UserID] = append(m.sessions[ses.UserID], ses)
}

// DeleteUser removes a user and everything of theirs, as the database's
// cascades do.
func (m *MemStore) DeleteUser(id uuid.UUID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.users, id)
	delete(m.sessions, id)
	for k, p := range m.posts {
		if p.AuthorID == id {
			delete(m.posts, k)
		}
	}
	for k, r := range m.requests {
		if r.FromID == id || r.ToID == id {
			delete(m.requests, k)
		}
	}
	for k := range m.connections {
		if k[0] == id || k[1] == id {
			delete(m.connections, k)
		}
	}
	for k := range m.blocks {
		if k[0] == id || k[1] == id {
			delete(m.blocks, k)
		}
	}
}

var errNotFound = errs.New(errs.ErrNotFound, "not found")

func (m *MemStore) summary(id uuid.UUID) user.Summary { return m.users[id].Summary() }

func (m *MemStore) byName(username user.Username) (user.User, bool) {
	for _, u := range m.users {
		if u.Username.Key() == username.Key() {
			return u, true
		}
	}
	return user.User{}, false
}

func (m *MemStore) blockedEitherWay(a, b uuid.UUID) bool {
	_, ab := m.blocks[[2]uuid.UUID{a, b}]
	_, ba := m.blocks[[2]uuid.UUID{b, a}]
	return ab || ba
}

func (m *MemStore) connected(a, b uuid.UUID) bool {
	_, ok := m.connections[[2]uuid.UUID{a, b}]
	return ok
}

// before reports whether (t, id) comes after the cursor in a newest-first list.
func before(t time.Time, id uuid.UUID, c *ports.Cursor) bool {
	if c == nil {
		return true
	}
	if !t.Equal(c.Time) {
		return t.Before(c.Time)
	}
	return strings.Compare(id.String(), c.ID.String()) < 0
}

func newestFirst[T any](items []T, key func(T) (time.Time, uuid.UUID), page ports.PageRequest) ports.Page[T] {
	slices.SortFunc(items, func(a, b T) int {
		ta, ia := key(a)
		tb, ib := key(b)
		return cmpNewest(ta, ia, tb, ib)
	})
	var kept []T
	for _, it := range items {
		if t, id := key(it); before(t, id, page.After) {
			kept = append(kept, it)
			if len(kept) > page.Size() {
				break
			}
		}
	}
	return ports.PageOf(kept, page.Size(), func(it T) ports.Cursor {
		t, id := key(it)
		return ports.Cursor{Time: t, ID: id}
	})
}

func cmpNewest(ta time.Time, ia uuid.UUID, tb time.Time, ib uuid.UUID) int {
	if c := tb.Compare(ta); c != 0 {
		return c
	}
	return cmp.Compare(ib.String(), ia.String())
}
