package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"agora/adapters/postgres"
	"agora/adapters/postgres/seeder"
)

// Bounds of the seed flags: big enough for any benchmark, small enough that
// the generator's in-memory indexes (ids, adjacency) stay modest.
const (
	maxSeedUsers        = 10_000_000
	maxSeedPostsPerUser = 100_000
)

// seedOptions are the parsed command line of `agora seed`.
type seedOptions struct {
	users, postsPerUser, connsPerUser int
	password                          string
	seed                              uint64
}

// parseSeedArgs reads and checks the flags; any problem is an errUsage
// naming the flag. help reports -h (the usage text is in out).
func parseSeedArgs(args []string, out io.Writer) (o seedOptions, help bool, err error) {
	fs := flag.NewFlagSet("agora seed", flag.ContinueOnError)
	var msgs bytes.Buffer
	fs.SetOutput(&msgs)
	fs.IntVar(&o.users, "users", 0, "number of users, named user1..userN (required)")
	fs.IntVar(&o.postsPerUser, "posts-per-user", 0, "posts per user")
	fs.IntVar(&o.connsPerUser, "connections-per-user", 0, "connections per user, roughly (at most users-1)")
	fs.StringVar(&o.password, "password", "", "password of every seeded user, 8-128 characters (required)")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed: the same seed gives the same data")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: agora seed --users N --posts-per-user P --connections-per-user C --password PW [--seed S]\n"+
			"loads users user1..userN (userK@example.com) with posts and connections into an empty, migrated\n"+
			"database (DATABASE_URL).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, _ = out.Write(msgs.Bytes())
			return o, true, nil
		}
		// The flag package's first line names the problem; the rest is usage.
		first, _, _ := strings.Cut(msgs.String(), "\n")
		return o, false, fmt.Errorf("%w: seed: %s", errUsage, first)
	}
	var problems []string
	if fs.NArg() > 0 {
		problems = append(problems, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case !set["users"]:
		problems = append(problems, "--users is required")
	case o.users < 1 || o.users > maxSeedUsers:
		problems = append(problems, fmt.Sprintf("--users must be from 1 to %d, got %d", maxSeedUsers, o.users))
	}
	if o.postsPerUser < 0 || o.postsPerUser > maxSeedPostsPerUser {
		problems = append(problems, fmt.Sprintf("--posts-per-user must be from 0 to %d, got %d", maxSeedPostsPerUser, o.postsPerUser))
	}
	if o.connsPerUser < 0 || (o.users >= 1 && o.connsPerUser > o.users-1) {
		problems = append(problems, fmt.Sprintf("--connections-per-user must be from 0 to users-1 (%d), got %d", max(0, o.users-1), o.connsPerUser))
	}
	if !set["password"] {
		problems = append(problems, "--password is required")
	} else if n := utf8.RuneCountInString(o.password); n < 8 || n > 128 || !utf8.ValidString(o.password) {
		// The contract's password rule (domain/user), so that the seeded
		// password is one a user could have chosen.
		problems = append(problems, "--password must be 8-128 characters")
	}
	if len(problems) > 0 {
		return o, false, fmt.Errorf("%w: seed: %s (agora seed -h)", errUsage, strings.Join(problems, "; "))
	}
	return o, false, nil
}

// seed loads bulk demo and benchmark data through COPY. One password hash
// is computed and shared by every user.
func seed(ctx context.Context, args []string, env map[string]string, stdout io.Writer) error {
	o, help, err := parseSeedArgs(args, stdout)
	if err != nil || help {
		return err
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("invalid configuration: DATABASE_URL: must be set")
	}
	start := time.Now()
	hash, err := seedPasswordHash(ctx, o.password)
	if err != nil {
		return fmt.Errorf("seed: hash the password: %w", err)
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.PoolOptions{StatementTimeout: 10 * time.Minute})
	if err != nil {
		return err
	}
	defer pool.Close()
	res, err := seeder.Load(ctx, pool, seeder.Spec{
		Users:              o.users,
		PostsPerUser:       o.postsPerUser,
		ConnectionsPerUser: o.connsPerUser,
		PasswordHash:       hash,
		Seed:               o.seed,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d users, %d posts, %d connections (%d rows) in %.1fs\n",
		res.Users, res.Posts, res.Connections/2, res.Connections, time.Since(start).Seconds())
	return nil
}
