package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"go.uber.org/zap"

	httpapi "agora/adapters/http"
	"agora/adapters/jwt"
	"agora/adapters/mail"
	"agora/adapters/password"
	"agora/adapters/postgres"
	"agora/adapters/telemetry"
	"agora/ports/identity"
)

// wireIdentity builds the identity adapters and services: the signing keys
// and token issuer, the password hasher and the mailer, over the store.
func wireIdentity(cfg config, store *postgres.IdentityStore, log *zap.Logger, metrics *telemetry.Metrics) (httpapi.IdentityDeps, error) {
	keys, err := signingKeys(cfg, log)
	if err != nil {
		return httpapi.IdentityDeps{}, err
	}
	issuer, err := jwt.New(keys, jwt.Options{Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience})
	if err != nil {
		return httpapi.IdentityDeps{}, err
	}
	mailer, err := newMailer(cfg, log)
	if err != nil {
		return httpapi.IdentityDeps{}, err
	}
	deps := identity.Deps{
		Store: store,
		// One hash per core at once, at the lowest priority: a login flood
		// uses every idle core and queues for the hasher instead of
		// starving other requests (serve gives them Go processors of
		// their own).
		Hasher: password.New(password.OWASPLowMemory, hashThreads(cfg), cfg.PasswordHashNice),
		Tokens: issuer,
		Mailer: mailer,
		// Messages and causes only: tokens and addresses never reach these lines.
		OnError: func(msg string, err error) { log.Error(msg, zap.Error(err)) },
		Metrics: metrics,
	}
	svc, err := identity.New(identity.Config{
		AccessTTL:     cfg.AccessTokenTTL,
		RefreshTTL:    cfg.RefreshTokenTTL,
		PublicBaseURL: strings.TrimRight(cfg.PublicBaseURL, "/"),
	}, deps)
	if err != nil {
		return httpapi.IdentityDeps{}, err
	}
	return httpapi.IdentityDeps{Service: svc, JWKS: issuer.JWKS()}, nil
}

// hashThreads is how many passwords hash at once: one per core, counted
// before serve raised GOMAXPROCS for them.
func hashThreads(cfg config) int {
	if cfg.cores > 0 {
		return cfg.cores
	}
	return runtime.GOMAXPROCS(0)
}

// identityStore is the identity store over the pools; app builds it (as
// socialStore) and keeps its session cache.
func identityStore(pools dbPools) *postgres.IdentityStore {
	store := postgres.NewIdentityStore(pools.primary)
	if pools.read != nil {
		store.WithReadReplica(pools.read, pools.readUsable)
	}
	return store
}

// signingKeys loads JWT_PRIVATE_KEY_FILE, or makes an ephemeral key (with a
// warning) when it is unset: every token then dies with the process, and
// replicas would not accept each other's tokens.
func signingKeys(cfg config, log *zap.Logger) (*jwt.KeySet, error) {
	if cfg.JWTPrivateKeyFile == "" {
		keys, err := jwt.EphemeralKeySet()
		if err != nil {
			return nil, err
		}
		log.Warn("ephemeral signing key",
			zap.String("detail", "JWT_PRIVATE_KEY_FILE is unset: tokens are signed with a key made at start and stop working at restart; run `agora keygen -out FILE` and set JWT_PRIVATE_KEY_FILE in production"),
			zap.String("kid", keys.SigningKeyID()))
		return keys, nil
	}
	keys, err := jwt.LoadKeySet(cfg.JWTPrivateKeyFile)
	if err != nil {
		return nil, fmt.Errorf("invalid configuration: JWT_PRIVATE_KEY_FILE: %w", err)
	}
	log.Info("signing keys loaded", zap.String("kid", keys.SigningKeyID()), zap.Strings("verifying_kids", keys.KeyIDs()))
	return keys, nil
}

// newMailer sends through SMTP_URL when set, else writes files to MAIL_DIR.
func newMailer(cfg config, log *zap.Logger) (identity.Mailer, error) {
	if cfg.SMTPURL != "" {
		m, err := mail.NewSMTP(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			return nil, fmt.Errorf("invalid configuration: SMTP_URL: %w", err)
		}
		return m, nil
	}
	m, err := mail.NewDir(cfg.MailDir, cfg.MailFrom)
	if err != nil {
		return nil, fmt.Errorf("invalid configuration: MAIL_DIR: %w", err)
	}
	log.Info("mail goes to files", zap.String("mail_dir", cfg.MailDir))
	return m, nil
}

// keygen writes a new Ed25519 signing key as PEM, to -out (created, never
// overwritten, mode 0600) or to stdout. With -previous FILE the public half
// of that file's signing key follows the new key, so that tokens signed
// before a rotation keep verifying until they expire.
func keygen(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "", "write the key to this file (default: stdout)")
	previous := fs.String("previous", "", "key file in use now; its public key is kept for verification")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: agora keygen [-out FILE] [-previous FILE]: %w", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: agora keygen takes no arguments, got %q", errUsage, fs.Args())
	}
	priv, err := jwt.GenerateKey()
	if err != nil {
		return err
	}
	pemData, err := jwt.EncodePrivateKey(priv)
	if err != nil {
		return err
	}
	if *previous != "" {
		old, err := jwt.LoadKeySet(*previous)
		if err != nil {
			return fmt.Errorf("-previous: %w", err)
		}
		pub, err := jwt.EncodePublicKey(old.SigningPublicKey())
		if err != nil {
			return err
		}
		pemData = append(pemData, pub...)
	}
	keys, err := jwt.ParseKeySet(pemData)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := stdout.Write(pemData)
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists; refusing to overwrite a signing key", *out)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(pemData); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote Ed25519 signing key %s to %s (verifying keys: %s)\n",
		keys.SigningKeyID(), *out, strings.Join(keys.KeyIDs(), ", "))
	return nil
}
