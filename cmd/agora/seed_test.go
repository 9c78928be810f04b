package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"agora/adapters/postgres/pgtest"
)

func TestSeedRejectsBadFlags(t *testing.T) {
	t.Parallel()
	ok := []string{"--users", "10", "--posts-per-user", "2", "--connections-per-user", "3", "--password", "longenough"}
	with := func(extra ...string) []string { return append(append([]string{}, ok...), extra...) }
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no flags", nil, "--users is required"},
		{"no users", []string{"--password", "longenough"}, "--users is required"},
		{"no password", []string{"--users", "3"}, "--password is required"},
		{"zero users", with("--users", "0"), "--users must be from 1"},
		{"negative users", with("--users", "-5"), "--users must be from 1"},
		{"too many users", with("--users", "10000001"), "--users must be from 1"},
		{"users not a number", with("--users", "many"), `invalid value "many" for flag -users`},
		{"negative posts", with("--posts-per-user", "-1"), "--posts-per-user must be from 0"},
		{"too many posts", with("--posts-per-user", "100001"), "--posts-per-user must be from 0"},
		{"negative connections", with("--connections-per-user", "-1"), "--connections-per-user must be from 0"},
		{"more connections than people", with("--connections-per-user", "10"), "--connections-per-user must be from 0 to users-1 (9), got 10"},
		{"short password", with("--password", "short"), "--password must be 8-128 characters"},
		{"long password", with("--password", strings.Repeat("x", 129)), "--password must be 8-128 characters"},
		{"negative seed", with("--seed", "-1"), "invalid value"},
		{"unknown flag", with("--colour", "red"), "flag provided but not defined: -colour"},
		{"stray argument", with("extra"), `unexpected argument "extra"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			// No DATABASE_URL: a usage error must come before any connection.
			code := run(context.Background(), append([]string{"seed"}, c.args...), map[string]string{}, &stdout, &stderr)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), c.want) || !strings.HasPrefix(stderr.String(), "agora: usage: seed: ") {
				t.Fatalf("stderr %q, want it to contain %q", stderr.String(), c.want)
			}
		})
	}
}

func TestSeedHelp(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"seed", "-h"}, map[string]string{}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d; stderr %q", code, stderr.String())
	}
	for _, flag := range []string{"-users", "-posts-per-user", "-connections-per-user", "-password", "-seed"} {
		if !strings.Contains(stdout.String(), flag) {
			t.Errorf("help lacks %s: %q", flag, stdout.String())
		}
	}
}

// A small seed end to end through the command: the real hash, the real load.
func TestSeedCommandSmoke(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t), "MAIL_DIR": t.TempDir()}
	args := []string{"seed", "--users", "25", "--posts-per-user", "4", "--connections-per-user", "4", "--password", "benchpassword", "--seed", "42"}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, env, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d; stderr %q", code, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "seeded 25 users, 100 posts, 50 connections (100 rows) in ") {
		t.Fatalf("stdout %q", stdout.String())
	}
	// Again into the same database: refused (exit 1), nothing doubled.
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), args, env, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "already has users") {
		t.Fatalf("second seed: exit %d, stderr %q", code, stderr.String())
	}
}
