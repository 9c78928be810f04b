package seeder

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// generator derives every row from (seed, stream, user number) alone, so the
// rows do not depend on how the work is split between COPY streams.
type generator struct {
	spec   Spec
	ids    [][16]byte
	joined []time.Time
}

// Random streams, one per kind of row.
const (
	streamUser uint64 = iota + 1
	streamPost
	streamConn
	streamProfile
)

const (
	day         = 24 * time.Hour
	seedSpan    = 730 * day // users join over two years
	joinSpan    = 365 * day // ... the first of them
	privateRate = 0.25      // share of posts visible to connections only
)

func newGenerator(spec Spec) *generator {
	g := &generator{spec: spec, ids: make([][16]byte, spec.Users), joined: make([]time.Time, spec.Users)}
	start := spec.Epoch.Add(-seedSpan)
	step := joinSpan / time.Duration(spec.Users)
	for i := range spec.Users {
		r := g.rng(streamUser, i)
		at := start.Add(time.Duration(i)*step + time.Duration(r.Int64N(int64(max(step, time.Millisecond)))))
		g.joined[i] = at.Truncate(time.Microsecond)
		g.ids[i] = uuidV7(at, r)
	}
	return g
}

func (g *generator) rng(stream uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(g.spec.Seed, stream<<56|uint64(i))) //nolint:gosec // synthetic data, not secrets
}

// uuidV7 builds a version 7 UUID for time t with random bits from r (RFC 9562).
func uuidV7(t time.Time, r *rand.Rand) [16]byte {
	var u [16]byte
	ms := uint64(t.UnixMilli()) //nolint:gosec // times after 1970
	// 48 bits of milliseconds, version 7, 12 random bits; then the variant
	// (10) and 62 random bits.
	binary.BigEndian.PutUint64(u[:8], ms<<16|0x7000|r.Uint64()&0x0fff)
	binary.BigEndian.PutUint64(u[8:], r.Uint64()&(1<<62-1)|1<<63)
	return u
}

// rowSource adapts a generator function to pgx.CopyFromSource: next fills
// row and reports whether there was one.
type rowSource struct {
	row  []any
	next func(row []any) bool
}

func (s *rowSource) Next() bool             { return s.next(s.row) }
func (s *rowSource) Values() ([]any, error) { return s.row, nil }
func (s *rowSource) Err() error             { return nil }

var headlines = []string{"Software engineer", "Product manager", "Designer", "Data scientist",
	"Site reliability engineer", "Engineering manager", "Recruiter", "Founder", "Consultant", "Student"}

var companies = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries",
	"Wayne Enterprises", "Soylent", "Tyrell", "Cyberdyne"}

func (g *generator) users() pgx.CopyFromSource {
	i := 0
	return &rowSource{row: make([]any, len(userColumns)), next: func(row []any) bool {
		if i >= g.spec.Users {
			return false
		}
		k := strconv.Itoa(i + 1)
		r := g.rng(streamProfile, i)
		headline := headlines[r.IntN(len(headlines))] + " at " + companies[r.IntN(len(companies))]
		at := g.joined[i]
		row[0], row[1], row[2], row[3], row[4] = g.ids[i], "user"+k, "user"+k+"@example.com", at, g.spec.PasswordHash
		row[5], row[6], row[7], row[8], row[9] = "User "+k, headline, "", at, at
		i++
		return true
	}}
}

var words = strings.Fields(`the a our new team project release launch meeting customer design review
	hiring today this week great work thanks everyone learned about shipping growth data platform
	open source conference talk remote office coffee roadmap quarter goals feedback mentor career
	product users feature bug fix deploy database latency scale cloud security privacy api mobile
	web testing performance writing reading interview partnership milestone community event`)

// posts yields the posts of users lo..hi-1 (0-based), each user's newest
// first: the order of the (author, created_at DESC) index, whose inserts
// then stay on a few hot pages.
func (g *generator) posts(lo, hi int) pgx.CopyFromSource {
	u, p := lo, 0
	var r *rand.Rand
	var b strings.Builder
	times := make([]time.Time, g.spec.PostsPerUser)
	return &rowSource{row: make([]any, len(postColumns)), next: func(row []any) bool {
		if p >= g.spec.PostsPerUser {
			u, p = u+1, 0
		}
		if u >= hi || g.spec.PostsPerUser == 0 {
			return false
		}
		if p == 0 {
			r = g.rng(streamPost, u)
			joined := g.joined[u]
			span := int64(g.spec.Epoch.Sub(joined))
			for i := range times {
				times[i] = joined.Add(time.Duration(r.Int64N(span))).Truncate(time.Microsecond)
			}
			slices.SortFunc(times, func(a, b time.Time) int { return b.Compare(a) })
		}
		at := times[p]
		b.Reset()
		b.WriteString("Post ")
		b.WriteString(strconv.Itoa(g.spec.PostsPerUser - p))
		b.WriteString(" by user")
		b.WriteString(strconv.Itoa(u + 1))
		b.WriteString(":")
		for n := 6 + r.IntN(30); n > 0; n-- {
			b.WriteByte(' ')
			b.WriteString(words[r.IntN(len(words))])
		}
		b.WriteByte('.')
		visibility := "public"
		if r.Float64() < privateRate {
			visibility = "connections"
		}
		row[0], row[1], row[2], row[3], row[4], row[5] = uuidV7(at, r), g.ids[u], b.String(), visibility, at, at
		p++
		return true
	}}
}

type edge struct {
	other int32
	at    time.Time
}

// connections pairs user i with users i+d (mod N) for about C/2 distinct
// offsets d in 1..(N-1)/2 drawn per user: no pair can come up twice (the
// reverse offset N-d is out of range) and no one meets themselves. Each pair
// is stored in both directions, so every user ends up with about C.
func (g *generator) connections() pgx.CopyFromSource {
	n := g.spec.Users
	maxOffset := (n - 1) / 2
	adj := make([][]edge, n)
	for i := range n {
		want := g.spec.ConnectionsPerUser / 2
		if g.spec.ConnectionsPerUser%2 == 1 && i%2 == 0 {
			want++
		}
		want = min(want, maxOffset)
		if want == 0 {
			continue
		}
		r := g.rng(streamConn, i)
		for _, d := range pickOffsets(r, want, maxOffset) {
			j := (i + d) % n
			from := g.joined[i]
			if g.joined[j].After(from) {
				from = g.joined[j]
			}
			at := from.Add(time.Duration(r.Int64N(int64(g.spec.Epoch.Sub(from))))).Truncate(time.Microsecond)
			adj[i] = append(adj[i], edge{other: int32(j), at: at}) //nolint:gosec // n fits an int32
			adj[j] = append(adj[j], edge{other: int32(i), at: at}) //nolint:gosec // n fits an int32
		}
	}
	u, k := 0, 0
	return &rowSource{row: make([]any, len(connectionColumns)), next: func(row []any) bool {
		for u < n && k >= len(adj[u]) {
			u, k = u+1, 0
		}
		if u >= n {
			return false
		}
		e := adj[u][k]
		row[0], row[1], row[2] = g.ids[u], g.ids[e.other], e.at
		k++
		return true
	}}
}

// pickOffsets draws want distinct numbers from 1..m.
func pickOffsets(r *rand.Rand, want, m int) []int {
	if want*4 >= m { // dense: a partial shuffle
		all := make([]int, m)
		for i := range all {
			all[i] = i + 1
		}
		for i := range want {
			j := i + r.IntN(m-i)
			all[i], all[j] = all[j], all[i]
		}
		return all[:want]
	}
	seen := make(map[int]struct{}, want)
	out := make([]int, 0, want)
	for len(out) < want {
		d := 1 + r.IntN(m)
		if _, dup := seen[d]; !dup {
			seen[d] = struct{}{}
			out = append(out, d)
		}
	}
	return out
}
